"""Opening the engine from the CLI: one driver and one model per invocation, closed on exit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

from engram.cli.output import settings_from
from engram.embeddings import build_embedder
from engram.memory.service import MemoryService
from engram.privacy.audit import AuditLog
from engram.storage.connection import open_driver

if TYPE_CHECKING:
    from engram.learning.engine import LearningEngine


@contextmanager
def memory_service(ctx: typer.Context) -> Iterator[MemoryService]:
    settings = settings_from(ctx)
    driver = open_driver(settings)
    service = MemoryService(driver, build_embedder(settings), settings,
                            audit=AuditLog(driver, settings))
    try:
        yield service
    finally:
        service.close()
        driver.close()


@contextmanager
def learning_engine(ctx: typer.Context) -> Iterator[LearningEngine]:
    from engram.learning.engine import LearningEngine

    with memory_service(ctx) as memories:
        settings = settings_from(ctx)
        yield LearningEngine(memories.repository.driver, memories.store.embedder, settings, memories)
