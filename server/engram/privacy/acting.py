"""Who the audit trail names when an operator acts for an agent (`asAgent`): the operator, on the agent's behalf.

The engine is told only which agent a call acts as, so every event it audits (a read of another agent's
memories as evidence, a derived read, an export, an import, a grant, a deletion…) would name that agent
as its actor, and the owner could not tell their own reads from an operator's. A request holds one
`ActingScope`: the operator whose key it carries and every agent it acted for. Engine calls of the
request run inside it (`run_in`), and the audit log passes every entry through `attributed` before
hashing it, so on every path an entry whose actor is such an agent is recorded with the operator as
actor and `on_behalf_of` naming the agent. One place, rather than an `actor` argument on every engine
call, so that no audited path can be missed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from engram.entities.audit_chain import AuditEntry
from engram.entities.privacy import ON_BEHALF_OF

T = TypeVar("T")


@dataclass
class ActingScope:
    """One request's operator and the agents it acted for (empty for an agent acting as itself)."""

    operator: str | None = None
    agents: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def act_for(self, operator: str, agent: str) -> None:
        with self._lock:  # concurrent fields of one request may name different agents
            self.operator = operator  # one request carries one key, so always the same operator
            self.agents.add(agent)

    def attributed(self, entry: AuditEntry) -> AuditEntry:
        with self._lock:
            acted_for = self.operator is not None and entry.actor_id in self.agents
        if not acted_for:
            return entry
        assert self.operator is not None
        details = (entry.details or {}) | {ON_BEHALF_OF: entry.actor_id}
        return AuditEntry(entry.event_type, self.operator, entry.owner_id, entry.subject_ids, details, entry.id)


_current: ContextVar[ActingScope | None] = ContextVar("engram_acting_scope", default=None)


def run_in(scope: ActingScope, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Call `fn` with `scope` as the acting scope of whatever it audits (in this thread and context)."""
    token = _current.set(scope)
    try:
        return fn(*args, **kwargs)
    finally:
        _current.reset(token)


def attributed(entry: AuditEntry) -> AuditEntry:
    """The entry as the trail must record it: under the operator's name if made while acting for its actor."""
    scope = _current.get()
    return entry if scope is None else scope.attributed(entry)
