"""Consent repository: share requests and grants, each change committed with its audit events."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from engram.entities.audit_chain import AuditEntry
from engram.entities.privacy import ShareRequest
from engram.storage.base import AuditedRepository
from engram.storage.records import native_props
from engram.storage.sharing import ShareGrant


def to_grant(props: dict) -> ShareGrant:
    p = native_props(props)
    return ShareGrant(id=p["id"], owner_id=p["owner_id"], grantee_id=p["grantee_id"], scope=p["scope"],
                      value=p.get("value"), memory_ids=list(p.get("memory_ids") or []), created_at=p["created_at"],
                      expires_at=p.get("expires_at"), revoked_at=p.get("revoked_at"))


def to_request(props: dict) -> ShareRequest:
    p = native_props(props)
    return ShareRequest(id=p["id"], requester_id=p["requester_id"], owner_id=p["owner_id"], scope=p["scope"],
                        value=p.get("value"), memory_ids=list(p.get("memory_ids") or []), reason=p.get("reason") or "",
                        status=p["status"], created_at=p["created_at"], decided_at=p.get("decided_at"),
                        grant_id=p.get("grant_id"), duration_s=p.get("duration_s"))


class ConsentRepository(AuditedRepository):
    # ---- requests
    def create_request(self, events: Callable[[ShareRequest], Sequence[AuditEntry]], **params: Any) -> ShareRequest:
        record = self._statement_audited(lambda r: events(to_request(r["request"])), "sharing/create_request",
                                         **params)
        return to_request(record["request"])

    def deny_request(self, events: Callable[[ShareRequest], Sequence[AuditEntry]], request_id: str,
                     owner_id: str) -> ShareRequest:
        record = self._statement_audited(lambda r: events(to_request(r["request"])), "sharing/deny_request",
                                         id=request_id, owner_id=owner_id)
        return to_request(record["request"])

    def requests(self, agent_id: str, direction: str, status: str | None, *, offset: int,
                 limit: int) -> list[ShareRequest]:
        return [to_request(r["request"]) for r in self._read(f"sharing/requests_{direction}", agent_id=agent_id,
                                                             status=status, offset=offset, limit=limit)]

    def agent_known(self, agent_id: str) -> bool:
        """Made by `engram agent create`, or known from its memories."""
        return bool(self._read("auth/agents_by_ids", ids=[agent_id]))

    def request(self, request_id: str) -> ShareRequest | None:
        records = self._read("sharing/request_by_id", id=request_id)
        return to_request(records[0]["request"]) if records else None

    # ---- grants
    def grant_once(self, events: Callable[[ShareGrant], Sequence[AuditEntry]], **params: Any
                   ) -> tuple[ShareGrant, bool]:
        record = self._statement_audited(lambda r: events(to_grant(r["grant"])), "sharing/grant_once", **params)
        return to_grant(record["grant"]), bool(record["created"])

    def revoke(self, events: Callable[[ShareGrant], Sequence[AuditEntry]], grant_id: str, owner_id: str) -> ShareGrant:
        record = self._statement_audited(lambda r: events(to_grant(r["grant"])), "sharing/revoke_grant",
                                         id=grant_id, owner_id=owner_id)
        return to_grant(record["grant"])

    def grant(self, grant_id: str) -> ShareGrant | None:
        records = self._read("sharing/grant_by_id", id=grant_id)
        return to_grant(records[0]["grant"]) if records else None

    def grants(self, agent_id: str, direction: str, live_only: bool) -> list[ShareGrant]:
        return [to_grant(r["grant"]) for r in
                self._read(f"sharing/grants_{direction}", agent_id=agent_id, live_only=live_only)]

    def pattern_members(self, owner_id: str, pattern_id: str) -> list[str]:
        """The ids of the owner's memories linked to the pattern now."""
        return [r["id"] for r in self._read("sharing/pattern_members", owner_id=owner_id, pattern_id=pattern_id)]

    def memories_in_scope(self, ids: Sequence[str], owner_id: str, scope: str, value: str | None,
                          memory_ids: Sequence[str]) -> set[str]:
        """Which of `ids` are `owner_id`'s and fall within the scope."""
        return {r["id"] for r in self._read("sharing/memories_in_scope", ids=list(ids), owner_id=owner_id,
                                             scope=scope, value=value, memory_ids=list(memory_ids))}
