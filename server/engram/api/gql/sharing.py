"""Knowledge sharing with consent: requests, grants (scoped, time-bounded), denials and revocations,
and knowledge export / import / merge. Resolvers call ConsentService and KnowledgeTransfer, which
enforce who may decide and what may cross agents; visibility itself lives in the read paths."""

from __future__ import annotations

import enum
import json
from datetime import datetime, timedelta

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from engram.api.context import RequestContext
from engram.api.gql.pagination import Connection, connection, window
from engram.api.gql.permissions import AUTHENTICATED, AsAgent, acting_agent
from engram.api.gql.types import Agent, load_agent
from engram.entities.privacy import ShareRequest as EngineRequest
from engram.errors import BadInputError
from engram.knowledge.document import parse_document
from engram.privacy.consent import is_live
from engram.storage.sharing import ShareGrant as EngineGrant

MAX_REQUEST_HOURS = 24 * 365


@strawberry.enum(description="What a request or grant covers: listed memory ids, a domain, a tag or a pattern.")
class ShareScope(enum.Enum):
    MEMORY = "memory"
    DOMAIN = "domain"
    TAG = "tag"
    PATTERN = "pattern"


@strawberry.enum
class RequestStatus(enum.Enum):
    PENDING = "pending"
    GRANTED = "granted"
    DENIED = "denied"


@strawberry.enum
class RequestDirection(enum.Enum):
    INCOMING = "incoming"
    OUTGOING = "outgoing"


@strawberry.enum
class GrantDirection(enum.Enum):
    GIVEN = "given"
    RECEIVED = "received"


@strawberry.type(description="An agent asking an owner for access; only the owner turns it into a grant.")
class ShareRequest:
    id: strawberry.ID
    scope: ShareScope
    value: str | None
    memory_ids: list[str]
    reason: str
    status: RequestStatus
    created_at: datetime
    decided_at: datetime | None
    grant_id: str | None
    duration_hours: float | None = strawberry.field(description="How long the requester asked access for.")
    requester_id: strawberry.Private[str]
    owner_id: strawberry.Private[str]

    @strawberry.field
    async def requester(self, info: Info[RequestContext, None]) -> Agent:
        return await load_agent(info, self.requester_id)

    @strawberry.field
    async def owner(self, info: Info[RequestContext, None]) -> Agent:
        return await load_agent(info, self.owner_id)


@strawberry.type(description="An owner's consent: the grantee sees the covered memories until it expires or "
                             "is revoked, on every read path at once.")
class ShareGrant:
    id: strawberry.ID
    scope: ShareScope
    value: str | None
    memory_ids: list[str]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    live: bool
    owner_id: strawberry.Private[str]
    grantee_id: strawberry.Private[str]

    @strawberry.field
    async def owner(self, info: Info[RequestContext, None]) -> Agent:
        return await load_agent(info, self.owner_id)

    @strawberry.field
    async def grantee(self, info: Info[RequestContext, None]) -> Agent:
        return await load_agent(info, self.grantee_id)


def request_type(r: EngineRequest) -> ShareRequest:
    return ShareRequest(id=strawberry.ID(r.id), scope=ShareScope(r.scope), value=r.value, memory_ids=list(r.memory_ids),
                        reason=r.reason, status=RequestStatus(r.status), created_at=r.created_at,
                        decided_at=r.decided_at, grant_id=r.grant_id,
                        duration_hours=r.duration_s / 3600 if r.duration_s else None,
                        requester_id=r.requester_id, owner_id=r.owner_id)


def grant_type(g: EngineGrant) -> ShareGrant:
    return ShareGrant(id=strawberry.ID(g.id), scope=ShareScope(g.scope), value=g.value, memory_ids=list(g.memory_ids),
                      created_at=g.created_at, expires_at=g.expires_at, revoked_at=g.revoked_at, live=is_live(g),
                      owner_id=g.owner_id, grantee_id=g.grantee_id)


@strawberry.type(description="A knowledge export: the document (the `engram knowledge export` JSON format) "
                             "and what it holds.")
class KnowledgeExport:
    document: JSON
    memories: int
    patterns: int
    redactions: int
    by_owner: JSON = strawberry.field(description="Memories per owner (shared ones included on request).")


@strawberry.type
class ImportConflict:
    id: str
    source_id: str
    fields: list[str]


@strawberry.type
class KnowledgeImport:
    total: int
    created: int
    unchanged: int
    redactions: int
    created_ids: list[str]
    conflicts: list[ImportConflict]


@strawberry.type
class KnowledgeMerge:
    from_agent: str
    into: str
    domain: str
    considered: int
    created: int
    combined: int
    unchanged: int
    target_ids: list[str]


@strawberry.type
class SharingQuery:
    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="Share requests to you (INCOMING) or from you (OUTGOING), newest first.")
    async def share_requests(self, info: Info[RequestContext, None], direction: RequestDirection,
                             status: RequestStatus | None = None, first: int | None = None, after: str | None = None,
                             as_agent: AsAgent = None) -> Connection[ShareRequest]:
        agent = await acting_agent(info, as_agent)
        win = window(first, after)
        found = await info.context.run(info.context.resources.consent.list_requests, agent, direction.value,
                                       status.value if status else None, offset=win.offset, limit=win.fetch)
        return connection([request_type(r) for r in found], win)

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="Grants you gave (GIVEN) or hold (RECEIVED); by default only live ones.")
    async def grants(self, info: Info[RequestContext, None], direction: GrantDirection, live_only: bool = True,
                     first: int | None = None, after: str | None = None,
                     as_agent: AsAgent = None) -> Connection[ShareGrant]:
        agent = await acting_agent(info, as_agent)
        win = window(first, after)
        found = await info.context.run(info.context.resources.consent.list_grants, agent, direction.value, live_only)
        return connection([grant_type(g) for g in found], win, already_offset=False)

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="Export your knowledge (optionally one domain, optionally with what is shared "
                                  "with you). Every export is audited for each owner it contains.")
    async def export_knowledge(self, info: Info[RequestContext, None], domain: str | None = None,
                               include_shared: bool = False, as_agent: AsAgent = None) -> KnowledgeExport:
        agent = await acting_agent(info, as_agent)
        document, report = await info.context.run(info.context.resources.knowledge.export, agent, domain=domain,
                                                  include_shared=include_shared)
        return KnowledgeExport(document=json.loads(document.model_dump_json(exclude_none=True)),
                               memories=report.memories, patterns=report.patterns, redactions=report.redactions,
                               by_owner=report.by_owner)


@strawberry.type
class SharingMutation:
    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="Ask an owner for access to a scope of their memories, for a while.")
    async def request_access(self, info: Info[RequestContext, None], owner: str, scope: ShareScope,
                             value: str | None = None, memory_ids: list[str] | None = None, reason: str = "",
                             duration_hours: float | None = None, as_agent: AsAgent = None) -> ShareRequest:
        agent = await acting_agent(info, as_agent)
        if duration_hours is not None and not 0 < duration_hours <= MAX_REQUEST_HOURS:
            raise BadInputError(f"durationHours must lie between 0 and {MAX_REQUEST_HOURS}.")
        duration = timedelta(hours=duration_hours) if duration_hours is not None else None
        found = await info.context.run(info.context.resources.consent.request_access, agent, owner, scope.value, value,
                                       memory_ids, reason, duration)
        return request_type(found)

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="Grant a request (as asked, or narrowed to a scope within it), or grant "
                                     "directly to an agent. Grants always end: at expiresAt, or after the "
                                     "requested (else the default) duration.")
    async def grant_access(self, info: Info[RequestContext, None], request_id: str | None = None,
                           grantee: str | None = None, scope: ShareScope | None = None, value: str | None = None,
                           memory_ids: list[str] | None = None, expires_at: datetime | None = None,
                           as_agent: AsAgent = None) -> ShareGrant:
        agent = await acting_agent(info, as_agent)
        if request_id is None and (grantee is None or scope is None):
            raise BadInputError("Give a requestId, or a grantee and a scope.")
        found = await info.context.run(info.context.resources.consent.grant, agent, request_id=request_id,
                                       grantee=grantee, scope=scope.value if scope else None, value=value,
                                       memory_ids=memory_ids, expires_at=expires_at)
        return grant_type(found)

    @strawberry.mutation(permission_classes=AUTHENTICATED, description="Deny a request made to you.")
    async def deny_request(self, info: Info[RequestContext, None], request_id: str,
                           as_agent: AsAgent = None) -> ShareRequest:
        agent = await acting_agent(info, as_agent)
        return request_type(await info.context.run(info.context.resources.consent.deny, agent, request_id))

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="Revoke a grant you gave: the grantee stops seeing its memories at once.")
    async def revoke_grant(self, info: Info[RequestContext, None], grant_id: str,
                           as_agent: AsAgent = None) -> ShareGrant:
        agent = await acting_agent(info, as_agent)
        return grant_type(await info.context.run(info.context.resources.consent.revoke, agent, grant_id))

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="Import an exported document as your own memories (with provenance). Other "
                                     "agents' memories in it need their live grant to you.")
    async def import_knowledge(self, info: Info[RequestContext, None], document: JSON,
                               as_agent: AsAgent = None) -> KnowledgeImport:
        agent = await acting_agent(info, as_agent)  # an operator acting for it is named in the audit (acting.py)
        parsed = parse_document(document, "document")
        report = await info.context.run(info.context.resources.knowledge.import_document, parsed, as_agent=agent,
                                        actor=agent)
        return KnowledgeImport(total=report.total, created=report.created, unchanged=report.unchanged,
                               redactions=report.redactions, created_ids=list(report.created_ids),
                               conflicts=[ImportConflict(id=c.id, source_id=c.source_id, fields=list(c.fields))
                                          for c in report.conflicts])

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="Merge another agent's knowledge in one domain into yours; needs their "
                                     "live domain grant to you. Idempotent.")
    async def merge_knowledge(self, info: Info[RequestContext, None], from_agent: str, domain: str,
                              as_agent: AsAgent = None) -> KnowledgeMerge:
        agent = await acting_agent(info, as_agent)  # an operator acting for it is named in the audit (acting.py)
        report = await info.context.run(info.context.resources.knowledge.merge, from_agent, domain, agent,
                                        actor=agent)
        return KnowledgeMerge(from_agent=report.from_agent, into=report.into, domain=report.domain,
                              considered=report.considered, created=report.created, combined=report.combined,
                              unchanged=report.unchanged, target_ids=list(report.target_ids))
