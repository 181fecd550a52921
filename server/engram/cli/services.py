"""Opening the engine from the CLI: one driver and one (lazily loaded) model per invocation, wired by
`build_services` like the API, closed on exit. The engine is imported only here, when a command runs in-process,
so a command that talks to the service never loads the driver or the model."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

from engram.cli.output import settings_from

if TYPE_CHECKING:
    from engram.learning.engine import LearningEngine
    from engram.memory.service import MemoryService
    from engram.services import Services


@contextmanager
def engine_services(ctx: typer.Context) -> Iterator[Services]:
    from engram.embeddings import build_embedder
    from engram.services import build_services
    from engram.storage.connection import open_driver

    settings = settings_from(ctx)
    driver = open_driver(settings)
    services = build_services(settings, driver, build_embedder(settings))
    try:
        yield services
    finally:
        services.close()
        driver.close()


@contextmanager
def memory_service(ctx: typer.Context) -> Iterator[MemoryService]:
    with engine_services(ctx) as services:
        yield services.memories


@contextmanager
def learning_engine(ctx: typer.Context) -> Iterator[LearningEngine]:
    with engine_services(ctx) as services:
        yield services.learning
