"""Applies cypher/schema/*.cypher (constraints, range, vector and fulltext indexes) idempotently."""

from __future__ import annotations

from dataclasses import dataclass

import neo4j

from engram.config import Settings
from engram.storage.catalog import catalog_for
from engram.storage.shard_schema import apply_shards


@dataclass(frozen=True)
class AppliedStatement:
    name: str


def apply_schema(driver: neo4j.Driver, settings: Settings, *, await_online_s: int = 300) -> list[AppliedStatement]:
    """Run every schema statement (all use IF NOT EXISTS), the memory shards' indexes and labels, and wait
    until the indexes are ONLINE."""
    catalog = catalog_for(settings.cypher_dir)
    applied = []
    params = {"dimensions": settings.embedding_dimension}
    for name, statement in catalog.group("schema"):
        driver.execute_query(statement, params if "$dimensions" in statement else None, database_=settings.neo4j_database)
        applied.append(AppliedStatement(name))
    migration = apply_shards(driver, settings)
    applied.append(AppliedStatement(f"{migration.count} memory shard vector indexes"))
    driver.execute_query(
        catalog.get("health/await_indexes"), timeout_s=await_online_s, database_=settings.neo4j_database
    )
    return applied
