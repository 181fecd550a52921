"""Consent: agents ask, owners grant (scoped, time-bounded), deny or revoke; every decision is audited.

Visibility itself is enforced in Cypher on every read path (cypher/memory/*_candidates.cypher):
a memory is shared with an agent exactly when a live grant to it — not revoked, not expired —
covers the memory. This service is the only writer of that consent.

A pattern-scoped grant covers the owner's memories linked to the pattern *when it is given*: their ids
are stored on the grant (`memory_ids`, `snapshot_at`) and every read path checks those ids, never the
pattern's links as they are now. Links change without the owner: the periodic analysis re-homes failures
into the pattern most of their group already holds, GDS merges fold patterns together, success patterns
are rebuilt (and renumbered) on every run, and any agent may add failures to a group. Were the grant to
follow the links, another agent could flood similar failures until analysis moved more of the owner's
memories into the granted pattern, widening what the owner consented to. A snapshot cannot widen:
re-homing, merging or renaming patterns never changes which memories a grant covers. The price is that
failures the owner records into the pattern later are not shared until the owner grants again (an
identical grant is only returned as it is while nothing new joined). Partitioning analysis by owner
instead would have kept pattern grants live, but it guards only the paths that remember to check it
(relinking, merges, success patterns, imports) and splits patterns that several agents share.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, NoReturn

from engram.config import Settings
from engram.entities.privacy import AuditEventType, RequestStatus, ShareRequest
from engram.entities.instants import LONGEST_GRANT, grant_end
from engram.errors import BadInputError, ForbiddenError, NotFoundError
from engram.privacy.audit import AuditEntry, AuditLog
from engram.privacy.redaction import Redactor
from engram.storage.connection import Driver
from engram.storage.consent import ConsentRepository
from engram.storage.sharing import SCOPES, ShareGrant

__all__ = ["ConsentService", "GrantResult", "ShareGrant", "ShareRequest", "covers", "DEFAULT_GRANT_DURATION"]

DEFAULT_GRANT_DURATION = timedelta(days=30)  # consent is always time-bounded
MAX_LISTED_REQUESTS = 1000  # share requests listed at once (the CLI shows the newest this many)


@dataclass(frozen=True)
class GrantResult:
    grant: ShareGrant
    created: bool  # False: an identical live grant (or the request's grant) existed already


def covers(grant: ShareGrant, memory_id: str, domain: str | None, tags: Iterable[str]) -> bool:
    """The Cypher visibility rule, for memories that are not (yet) in the graph, e.g. in an import file."""
    if grant.scope == "memory":
        return memory_id in grant.memory_ids
    if grant.scope == "domain":
        return domain is not None and domain == grant.value
    if grant.scope == "tag":
        return grant.value in set(tags)
    return memory_id in grant.memory_ids  # a pattern grant: the pattern's memories when it was given


def is_live(grant: ShareGrant, now: datetime | None = None) -> bool:
    now = now or datetime.now(UTC)
    return grant.revoked_at is None and (grant.expires_at is None or grant.expires_at > now)


def _check_scope(scope: str | None, value: str | None, memory_ids: Sequence[str] | None) -> list[str]:
    if scope not in SCOPES:
        raise BadInputError(f"Unknown scope {scope!r}; use one of {', '.join(SCOPES)}.")
    ids = sorted(set(memory_ids or []))
    if scope == "memory" and not ids:
        raise BadInputError("A memory-scoped grant needs at least one memory id.")
    if scope != "memory" and not value:
        raise BadInputError(f"A {scope}-scoped grant needs a value (which {scope}).")
    if scope != "memory" and ids:
        raise BadInputError(f"Memory ids belong to a memory-scoped grant, not a {scope}-scoped one.")
    return ids


def _need_agent(agent: str | None, role: str) -> str:
    if not agent or not agent.strip():
        raise BadInputError(f"The {role} agent is missing.")
    return agent.strip()


def _refuse_non_party(caller: str, other_party: str, not_found: str, forbidden: str) -> NoReturn:
    """Refuse a caller who does not own a request or grant: FORBIDDEN for its other party, who knows of it;
    for anyone else the very answer an unknown id gets, so an id tells a third agent nothing (not its owner)."""
    if caller == other_party:
        raise ForbiddenError(forbidden)
    raise NotFoundError(not_found)


class ConsentService:
    def __init__(self, driver: Driver, settings: Settings, audit: AuditLog, redactor: Redactor,
                 resolve_pattern: Callable[[str, str], str]) -> None:
        """`resolve_pattern(owner, ref)`: the id of the pattern the owner names by id or by the name it sees."""
        self.repository = ConsentRepository(driver, settings, audit.repository)
        self.audit = audit
        self.redactor = redactor
        self.resolve_pattern = resolve_pattern

    # ---- requests
    def request_access(self, requester: str, owner: str, scope: str, value: str | None = None,
                       memory_ids: Sequence[str] | None = None, reason: str = "",
                       duration: timedelta | None = None) -> ShareRequest:
        """Ask `owner` for access. Asking again while an identical request is pending returns that one."""
        requester, owner = _need_agent(requester, "requesting"), _need_agent(owner, "owning")
        if requester == owner:
            raise BadInputError("An agent always sees its own memories; ask another agent.")
        self._require_known(owner)
        ids = _check_scope(scope, value, memory_ids)
        if duration is not None and not timedelta(0) < duration <= LONGEST_GRANT:
            raise BadInputError(f"The requested duration must be positive and at most {LONGEST_GRANT.days} days.")
        def event(r: ShareRequest) -> list[AuditEntry]:
            return [AuditEntry(AuditEventType.share_request.value, requester, owner, [r.id],
                               {"scope": scope, "value": r.value, "memory_ids": ids, "reason": r.reason})]

        return self.repository.create_request(
            event, id=f"req-{uuid.uuid4().hex[:12]}", requester_id=requester, owner_id=owner, scope=scope,
            value=value if scope != "memory" else None, memory_ids=ids,
            reason=self.redactor.redact(reason or "").text,
            duration_s=int(duration.total_seconds()) if duration else None)

    def list_requests(self, agent: str, direction: Literal["incoming", "outgoing"], status: str | None = None,
                      *, offset: int = 0, limit: int = MAX_LISTED_REQUESTS) -> list[ShareRequest]:
        """Newest first, `limit` of them from `offset`: any agent may ask, so the list is never read whole."""
        if direction not in ("incoming", "outgoing"):
            raise BadInputError("direction must be 'incoming' or 'outgoing'.")
        if status is not None and status not in {s.value for s in RequestStatus}:
            raise BadInputError("status must be pending, granted or denied.")
        if offset < 0 or not 0 < limit <= MAX_LISTED_REQUESTS:
            raise BadInputError(f"List at most {MAX_LISTED_REQUESTS} requests at a time, from a position >= 0.")
        return self.repository.requests(agent, direction, status, offset=offset, limit=limit)

    def get_request(self, request_id: str) -> ShareRequest:
        request = self.repository.request(request_id)
        if request is None:
            raise NotFoundError(f"No share request {request_id!r}.")
        return request

    def deny(self, owner: str, request_id: str) -> ShareRequest:
        """Only the owner decides; denying twice changes nothing, denying a granted request is refused."""
        request = self.get_request(request_id)
        if request.owner_id != owner:
            _refuse_non_party(owner, request.requester_id, f"No share request {request_id!r}.",
                              f"Only {request.owner_id} can decide request {request_id}.")
        if request.status == RequestStatus.granted.value:
            raise BadInputError(f"Request {request_id} is granted already (grant {request.grant_id}); revoke that grant instead.")
        def event(_: ShareRequest) -> list[AuditEntry]:
            return [AuditEntry(AuditEventType.deny.value, owner, owner, [request_id],
                               {"requester": request.requester_id})]

        return self.repository.deny_request(event, request_id, owner)

    # ---- grants
    def grant(self, owner: str, *, request_id: str | None = None, grantee: str | None = None,
              scope: str | None = None, value: str | None = None, memory_ids: Sequence[str] | None = None,
              expires_at: datetime | None = None) -> ShareGrant:
        return self.grant_detailed(owner, request_id=request_id, grantee=grantee, scope=scope, value=value,
                                   memory_ids=memory_ids, expires_at=expires_at).grant

    def grant_detailed(self, owner: str, *, request_id: str | None = None, grantee: str | None = None,
                       scope: str | None = None, value: str | None = None, memory_ids: Sequence[str] | None = None,
                       expires_at: datetime | None = None) -> GrantResult:
        """Grant a request (its scope, or a narrower one) or give a grant directly. Idempotent: the
        request's grant, or an identical live grant, is returned unchanged (created=False)."""
        owner = _need_agent(owner, "owning")
        named, now = value, datetime.now(UTC)  # the pattern as the owner named it, for a NOT_FOUND
        if expires_at is not None:
            grant_end(expires_at, now)
        if request_id:
            request = self.get_request(request_id)
            if request.owner_id != owner:
                _refuse_non_party(owner, request.requester_id, f"No share request {request_id!r}.",
                                  f"Only {request.owner_id} can grant request {request_id}.")
            if request.status == RequestStatus.denied.value:
                raise BadInputError(f"Request {request_id} was denied; the agent has to ask again.")
            if grantee and grantee != request.requester_id:
                raise BadInputError(f"Request {request_id} was made by {request.requester_id}, not {grantee}.")
            grantee = request.requester_id
            scope, value, ids = self._narrowed(request, scope, value, memory_ids)
            duration = timedelta(seconds=request.duration_s) if request.duration_s else DEFAULT_GRANT_DURATION
            grant_id, match_live = f"grant-{request.id}", False
        else:
            grantee = _need_agent(grantee, "receiving")
            self._require_known(grantee)  # (a request's grantee is its requester, who exists)
            ids = _check_scope(scope, value, memory_ids)
            if scope == "pattern":
                value = self.resolve_pattern(owner, value)
            value = value if scope != "memory" else None
            duration, grant_id, match_live = DEFAULT_GRANT_DURATION, f"grant-{uuid.uuid4().hex[:12]}", True
        if grantee == owner:
            raise BadInputError("An agent always sees its own memories; a grant needs another agent.")
        if scope == "memory":
            self._require_owned(owner, ids)
        if scope == "pattern":
            ids = self.repository.pattern_members(owner, value or "")  # what the grant covers, fixed now
            if not ids and not request_id:
                # A pattern holding nothing of the owner's gets the answer an unknown one gets: a grant would
                # cover nothing, and its success would tell the owner the pattern exists (someone else's).
                raise NotFoundError(f"No pattern {named!r} visible to {owner}.")
        expires = expires_at or now + duration
        def event(g: ShareGrant) -> list[AuditEntry]:
            return [AuditEntry(AuditEventType.grant.value, owner, owner, [g.id],
                               {"grantee": g.grantee_id, "scope": g.scope, "value": g.value,
                                "memory_ids": g.memory_ids, "expires_at": g.expires_at, "request_id": request_id})]

        grant, created = self.repository.grant_once(
            event, id=grant_id, owner_id=owner, grantee_id=grantee, scope=scope, value=value, memory_ids=ids,
            expires_at=expires.isoformat(), request_id=request_id, match_live=match_live)
        return GrantResult(grant, created)

    def revoke(self, owner: str, grant_id: str) -> ShareGrant:
        """Takes effect at once on every read path. Revoking again returns the grant unchanged."""
        found = self.repository.grant(grant_id)
        if found is None:
            raise NotFoundError(f"No grant {grant_id!r}.")
        if found.owner_id != owner:
            _refuse_non_party(owner, found.grantee_id, f"No grant {grant_id!r}.",
                              f"Only {found.owner_id} can revoke grant {grant_id}.")

        def event(g: ShareGrant) -> list[AuditEntry]:
            return [AuditEntry(AuditEventType.revoke.value, owner, owner, [grant_id],
                               {"grantee": g.grantee_id, "scope": g.scope, "value": g.value})]

        return self.repository.revoke(event, grant_id, owner)

    def list_grants(self, agent: str, direction: Literal["given", "received"],
                    live_only: bool = True) -> list[ShareGrant]:
        if direction not in ("given", "received"):
            raise BadInputError("direction must be 'given' or 'received'.")
        return self.repository.grants(agent, direction, live_only)

    def live_grants(self, owner: str, grantee: str) -> list[ShareGrant]:
        """The grants through which `grantee` may see `owner`'s memories right now."""
        return [g for g in self.list_grants(grantee, "received", live_only=True) if g.owner_id == owner]

    # ---- helpers
    def _narrowed(self, request: ShareRequest, scope: str | None, value: str | None,
                  memory_ids: Sequence[str] | None) -> tuple[str, str | None, list[str]]:
        """The owner may grant less than was asked, never more or something else."""
        if scope is None and value is None and not memory_ids:
            return request.scope, request.value, sorted(request.memory_ids)
        scope = scope or ("memory" if memory_ids else request.scope)
        ids = _check_scope(scope, value if scope != "memory" else None, memory_ids)
        if scope == request.scope and scope != "memory":
            if value != request.value:
                raise BadInputError(f"Request {request.id} asked for {request.scope} {request.value!r}; "
                                    f"a grant may narrow it, not change it to {value!r}.")
            return scope, value, []
        if scope != "memory":
            raise BadInputError(f"Request {request.id} asked for {request.scope} {request.value or ''!r}; "
                                f"it can be narrowed to memory ids, not to another {scope}.")
        covered = self.repository.memories_in_scope(ids, request.owner_id, request.scope, request.value,
                                                    request.memory_ids)
        outside = [i for i in ids if i not in covered]
        if outside:
            raise BadInputError(f"Not within request {request.id}: {', '.join(outside[:10])}.")
        return "memory", None, ids

    def _require_known(self, agent: str) -> None:
        """Naming an agent in a request or grant does not create it: otherwise an agent created later under
        that name would find grants and requests waiting that someone prepared for it."""
        if not self.repository.agent_known(agent):
            raise NotFoundError(f"No agent {agent!r}.", hint="Agents are created with `engram agent create NAME`.")

    def _require_owned(self, owner: str, ids: list[str]) -> None:
        owned = self.repository.memories_in_scope(ids, owner, "memory", None, ids)
        missing = [i for i in ids if i not in owned]
        if missing:
            raise ForbiddenError(f"{owner} can only share its own memories; not its own (or missing): "
                                 f"{', '.join(missing[:10])}.")
