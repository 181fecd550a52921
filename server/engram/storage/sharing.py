"""Share grants: the owner's scoped, time-bounded consent that lets another agent see memories."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import neo4j

from engram.config import Settings
from engram.errors import BadInputError, NotFoundError
from engram.storage.catalog import catalog_for
from engram.storage.connection import map_driver_errors

SCOPES = ("memory", "domain", "tag", "pattern")


@dataclass(frozen=True)
class ShareGrant:
    id: str
    owner_id: str
    grantee_id: str
    scope: str
    value: str | None
    memory_ids: list[str]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


def _grant(props: dict) -> ShareGrant:
    native = {k: (v.to_native() if hasattr(v, "to_native") else v) for k, v in props.items()}
    return ShareGrant(
        id=native["id"], owner_id=native["owner_id"], grantee_id=native["grantee_id"], scope=native["scope"],
        value=native.get("value"), memory_ids=list(native.get("memory_ids") or []),
        created_at=native["created_at"], expires_at=native.get("expires_at"), revoked_at=native.get("revoked_at"),
    )


class GrantRepository:
    def __init__(self, driver: neo4j.Driver, settings: Settings) -> None:
        self.driver = driver
        self.database = settings.neo4j_database
        self.queries = catalog_for(settings.cypher_dir)

    def create(self, owner_id: str, grantee_id: str, scope: str, value: str | None = None,
               memory_ids: list[str] | None = None, expires_at: datetime | None = None,
               grant_id: str | None = None) -> ShareGrant:
        if scope not in SCOPES:
            raise BadInputError(f"Unknown grant scope {scope!r}; use one of {', '.join(SCOPES)}.")
        if owner_id == grantee_id:
            raise BadInputError("An agent always sees its own memories; a grant needs another agent.")
        if scope == "memory" and not memory_ids:
            raise BadInputError("A memory-scoped grant needs at least one memory id.")
        if scope != "memory" and not value:
            raise BadInputError(f"A {scope}-scoped grant needs a value (which {scope}).")
        with map_driver_errors():
            records, _, _ = self.driver.execute_query(
                self.queries.get("sharing/create_grant"),
                id=grant_id or f"grant-{uuid.uuid4().hex[:12]}", owner_id=owner_id, grantee_id=grantee_id,
                scope=scope, value=value, memory_ids=memory_ids or [],
                expires_at=expires_at.isoformat() if expires_at else None, database_=self.database,
            )
        return _grant(records[0]["grant"])

    def revoke(self, grant_id: str, owner_id: str | None = None) -> ShareGrant:
        with map_driver_errors():
            records, _, _ = self.driver.execute_query(
                self.queries.get("sharing/revoke_grant"), id=grant_id, owner_id=owner_id, database_=self.database
            )
        if not records:
            raise NotFoundError(f"No grant {grant_id!r}" + (f" owned by {owner_id}." if owner_id else "."))
        return _grant(records[0]["grant"])
