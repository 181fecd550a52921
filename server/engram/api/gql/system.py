"""Public fields that need no API key: the service version and its health."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from engram import __version__
from engram.api.context import RequestContext
from engram.health import check_health


@strawberry.type
class ComponentHealth:
    ok: bool
    version: str | None = None


@strawberry.type
class ServiceHealth:
    ok: bool
    neo4j: ComponentHealth
    gds: ComponentHealth
    model: ComponentHealth
    indexes: ComponentHealth


@strawberry.type
class SystemQuery:
    @strawberry.field(description="Version of the Engram service.")
    def version(self) -> str:
        return __version__

    @strawberry.field(description="Health of Neo4j, GDS, the indexes and the embedding model.")
    async def health(self, info: Info[RequestContext, None]) -> ServiceHealth:
        res = info.context.resources
        # In the service, the probe's report of the last second (unauthenticated: it must cost nothing);
        # checked now where there is no probe (MCP over stdio) or its report is not current.
        probe = info.context.health_probe()
        report = probe.fresh_report() if probe is not None else None
        if report is None:
            report = await info.context.run(check_health, res.driver, res.embedder, res.settings)
        db = report.database
        return ServiceHealth(
            ok=report.ok,
            neo4j=ComponentHealth(ok=db.neo4j_ok, version=db.neo4j_version),
            gds=ComponentHealth(ok=db.gds_ok, version=db.gds_version),
            model=ComponentHealth(ok=report.model.ok, version=report.model.name),
            indexes=ComponentHealth(ok=db.indexes_ok),
        )
