"""One health report for `/health` and `engram doctor`: Neo4j, GDS, indexes and the embedding model."""

from __future__ import annotations

from dataclasses import dataclass, field


from engram.storage.connection import Driver
from engram.config import Settings
from engram.embeddings import SentenceTransformerEmbedder
from engram.errors import EngramError
from engram.storage.health import DatabaseHealth, check_database


@dataclass
class ModelHealth:
    ok: bool
    name: str
    dimension: int | None = None
    path: str | None = None
    error: str | None = None


@dataclass
class HealthReport:
    database: DatabaseHealth
    model: ModelHealth
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        d = self.database
        return d.neo4j_ok and d.gds_ok and d.indexes_ok and self.model.ok and not self.errors

    def as_dict(self) -> dict:
        d = self.database
        return {
            "status": "ok" if self.ok else "degraded",
            "neo4j": {"ok": d.neo4j_ok, "version": d.neo4j_version, "edition": d.neo4j_edition},
            "gds": {"ok": d.gds_ok, "version": d.gds_version},
            "indexes": {
                "ok": d.indexes_ok,
                "states": {i.name: i.state for i in d.indexes},
            },
            "model": {"ok": self.model.ok, "name": self.model.name, "dimension": self.model.dimension},
            "errors": d.errors + self.errors + ([self.model.error] if self.model.error else []),
        }


def check_model(embedder: SentenceTransformerEmbedder, expected_dimension: int) -> ModelHealth:
    try:
        info = embedder.info()
        vector = embedder.embed(["health check"])[0]
    except Exception as exc:  # any failure to load or run the model is reported, not raised
        return ModelHealth(False, embedder.name, error=f"model: {exc}")
    ok = len(vector) == expected_dimension == info.dimension
    error = None if ok else f"model: dimension {len(vector)}, expected {expected_dimension}"
    return ModelHealth(ok, info.name, info.dimension, info.path, error)


def check_health(driver: Driver | None, embedder: SentenceTransformerEmbedder, settings: Settings,
                 connect_error: EngramError | None = None) -> HealthReport:
    if driver is None:
        database = DatabaseHealth(errors=[f"neo4j: {connect_error}"] if connect_error else [])
    else:
        database = check_database(driver, settings)
    return HealthReport(database=database, model=check_model(embedder, settings.embedding_dimension))
