"""Builds the engine services the API calls, around one driver and one embedding model."""

from __future__ import annotations

import neo4j

from engram.api.context import Resources
from engram.auth.service import ApiKeyService
from engram.config import Settings
from engram.embeddings import Embedder
from engram.knowledge.transfer import KnowledgeTransfer
from engram.learning.engine import LearningEngine
from engram.memory.service import MemoryService
from engram.privacy.audit import AuditLog
from engram.privacy.consent import ConsentService


def build_resources(settings: Settings, driver: neo4j.Driver, embedder: Embedder) -> Resources:
    audit = AuditLog(driver, settings)
    memories = MemoryService(driver, embedder, settings, audit=audit)
    consent = ConsentService(driver, settings, audit)
    return Resources(settings=settings, driver=driver, embedder=embedder, memories=memories,
                     keys=ApiKeyService(driver, settings), audit=audit, consent=consent,
                     knowledge=KnowledgeTransfer(driver, embedder, settings, audit, consent),
                     learning=LearningEngine(driver, embedder, settings, memories))
