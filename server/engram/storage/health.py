"""Reads what `engram doctor` and /health report: Neo4j and GDS versions and index states."""

from __future__ import annotations

from dataclasses import dataclass, field

import neo4j
from neo4j import exceptions as neo4j_errors

from engram.config import Settings
from engram.storage.catalog import catalog_for

from engram.storage.shards import ShardLayout

TEXT_INDEX = "memory_text"


def required_indexes(settings: Settings) -> tuple[str, ...]:
    """The fulltext index and every memory shard's vector index."""
    return (TEXT_INDEX, *ShardLayout(settings.memory_shards).indexes)


@dataclass(frozen=True)
class IndexState:
    name: str
    type: str
    state: str
    population_percent: float


@dataclass
class DatabaseHealth:
    neo4j_ok: bool = False
    neo4j_version: str | None = None
    neo4j_edition: str | None = None
    gds_ok: bool = False
    gds_version: str | None = None
    indexes: list[IndexState] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    required: tuple[str, ...] = (TEXT_INDEX,)

    @property
    def indexes_ok(self) -> bool:
        online = {i.name for i in self.indexes if i.state == "ONLINE"}
        return all(name in online for name in self.required)


def check_database(driver: neo4j.Driver, settings: Settings) -> DatabaseHealth:
    catalog = catalog_for(settings.cypher_dir)
    health = DatabaseHealth(required=required_indexes(settings))
    db = settings.neo4j_database
    try:
        driver.verify_connectivity()  # one connection attempt: a down server is reported at once, not after retries
        records, _, _ = driver.execute_query(catalog.get("health/neo4j_version"), database_=db)
        kernel = next((r for r in records if r["name"] == "Neo4j Kernel"), records[0])
        health.neo4j_ok, health.neo4j_version, health.neo4j_edition = True, kernel["version"], kernel["edition"]
    except (neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError) as exc:
        health.errors.append(f"neo4j: {exc}")
        return health
    try:
        records, _, _ = driver.execute_query(catalog.get("health/gds_version"), database_=db)
        health.gds_ok, health.gds_version = True, records[0]["version"]
    except neo4j_errors.Neo4jError as exc:
        health.errors.append(f"gds: {exc.message}")
    records, _, _ = driver.execute_query(catalog.get("health/index_states"), database_=db)
    health.indexes = [
        IndexState(r["name"], r["type"], r["state"], float(r["populationPercent"] or 0.0)) for r in records
    ]
    missing = [n for n in health.required if n not in {i.name for i in health.indexes}]
    if missing:
        health.errors.append(f"indexes missing: {', '.join(missing)} (run `engram db init`)")
    return health
