"""The audit trail of the caller's own memories: who read, shared, imported or deleted them, and when."""

from __future__ import annotations

import enum
from datetime import datetime

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from engram.api.context import RequestContext
from engram.api.gql.pagination import Connection, connection, window
from engram.api.gql.permissions import AUTHENTICATED, AsAgent, acting_agent
from engram.entities.privacy import AuditEvent as EngineEvent

MAX_EVENTS = 10_000


@strawberry.enum(description="What happened.")
class AuditEventType(enum.Enum):
    CROSS_AGENT_READ = "cross_agent_read"
    SHARE_REQUEST = "share_request"
    GRANT = "grant"
    DENY = "deny"
    REVOKE = "revoke"
    IMPORT = "import"
    EXPORT = "export"
    MERGE = "merge"
    DELETE = "delete"
    CLEANUP = "cleanup"
    OPERATOR_ACCESS = "operator_access"


@strawberry.type(description="One link of the hash-chained audit log.")
class AuditEvent:
    seq: int
    id: strawberry.ID
    type: str
    actor_id: str = strawberry.field(description="The agent that acted (`operator` for operator access).")
    on_behalf_of: str | None = strawberry.field(description="The agent an operator acted for (`asAgent`); "
                                                            "null when the actor acted as itself.")
    owner_id: str | None = strawberry.field(description="The agent whose memories it concerned.")
    subject_ids: list[str] = strawberry.field(description="The memories, grants or requests concerned.")
    details: JSON
    at: datetime
    hash: str
    prev_hash: str


def audit_event_type(e: EngineEvent) -> AuditEvent:
    return AuditEvent(seq=e.seq, id=strawberry.ID(e.id), type=e.type, actor_id=e.actor_id, on_behalf_of=e.on_behalf_of,
                      owner_id=e.owner_id, subject_ids=list(e.subject_ids), details=e.details, at=e.at, hash=e.hash, prev_hash=e.prev_hash)


@strawberry.type
class AuditQuery:
    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="Events about your memories and by you, newest first.")
    async def audit_events(self, info: Info[RequestContext, None], since: datetime | None = None,
                           types: list[AuditEventType] | None = None, first: int | None = None,
                           after: str | None = None, as_agent: AsAgent = None) -> Connection[AuditEvent]:
        agent = await acting_agent(info, as_agent)
        audit = info.context.resources.audit
        win = window(first, after, limit=MAX_EVENTS)
        events = await info.context.run(audit.events, agent, since, [t.value for t in types] if types else None,
                                        min(win.end, MAX_EVENTS))
        return connection([audit_event_type(e) for e in events], win, already_offset=False)
