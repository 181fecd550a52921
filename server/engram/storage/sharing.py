"""Share grants: the owner's scoped, time-bounded consent that lets another agent see memories."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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
