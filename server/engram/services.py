"""The one wiring: every engine service built around one driver and one embedding model.

The API's lifespan, the CLI, the MCP server, seeding and the benchmarks all call `build_services`,
so each gets the same collaborators — the same audit log behind memory reads, consent, deletion and
knowledge transfer, the same redactor — and no path can end up with an unaudited default.
"""

from __future__ import annotations

from dataclasses import dataclass

from engram.auth.service import ApiKeyService
from engram.config import Settings
from engram.embeddings import Embedder
from engram.knowledge.transfer import KnowledgeTransfer
from engram.learning.engine import LearningEngine
from engram.memory.retrieval import RankingWeights
from engram.memory.service import MemoryService
from engram.privacy.agent_deletion import AgentDeletion
from engram.privacy.audit import AuditLog
from engram.privacy.consent import ConsentService
from engram.privacy.redaction import Redactor
from engram.privacy.retention import RetentionService
from engram.storage.connection import Driver


@dataclass
class Services:
    settings: Settings
    driver: Driver
    embedder: Embedder
    audit: AuditLog
    consent: ConsentService
    retention: RetentionService
    memories: MemoryService
    keys: ApiKeyService
    knowledge: KnowledgeTransfer
    learning: LearningEngine
    agents: AgentDeletion

    def close(self) -> None:
        """Write out pending access counts; the driver belongs to whoever opened it."""
        self.memories.close()


def build_services(settings: Settings, driver: Driver, embedder: Embedder) -> Services:
    redactor = Redactor()
    audit = AuditLog(driver, settings, redactor)
    retention = RetentionService(driver, settings, audit)
    memories = MemoryService(driver, embedder, settings, redactor=redactor, weights=RankingWeights(), audit=audit,
                             eraser=retention.eraser)
    learning = LearningEngine(driver, embedder, settings, memories)
    consent = ConsentService(driver, settings, audit, redactor, resolve_pattern=learning.resolve_pattern)
    return Services(
        settings=settings, driver=driver, embedder=embedder, audit=audit, consent=consent, retention=retention,
        memories=memories, keys=ApiKeyService(driver, settings),
        knowledge=KnowledgeTransfer(driver, embedder, settings, audit, consent, redactor),
        learning=learning, agents=AgentDeletion(driver, settings, audit, retention.eraser),
    )
