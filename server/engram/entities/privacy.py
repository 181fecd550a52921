"""Consent, audit and retention as plain dataclasses: what the privacy services store and return."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class AuditEventType(str, enum.Enum):
    """Every kind of access or change an owner can see in the audit trail."""

    cross_agent_read = "cross_agent_read"
    share_request = "share_request"
    grant = "grant"
    deny = "deny"
    revoke = "revoke"
    import_ = "import"
    export = "export"
    merge = "merge"
    delete = "delete"
    cleanup = "cleanup"
    operator_access = "operator_access"


OPERATOR = "operator"  # the actor of CLI/API calls made without an agent identity
ON_BEHALF_OF = "on_behalf_of"  # details key: the agent an operator acted for (asAgent); the actor is the operator


@dataclass(frozen=True)
class AuditEvent:
    """One link of the hash chain: `hash` covers every other field, including `prev_hash`."""

    seq: int
    id: str
    type: str
    actor_id: str
    owner_id: str | None
    subject_ids: list[str]
    details: dict[str, Any]
    at: datetime
    prev_hash: str
    hash: str
    # The node's indexed copy of on_behalf_of (owners find events done for them by it), outside the hash:
    # verification checks it against the hashed details, so it cannot be edited to hide an event from its owner.
    indexed_on_behalf_of: str | None = field(default=None, compare=False)

    @property
    def on_behalf_of(self) -> str | None:
        """The agent the actor (an operator) acted for, from the hashed details; None when acting as itself."""
        value = self.details.get(ON_BEHALF_OF)
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class VerificationReport:
    ok: bool
    checked: int
    problems: list[str] = field(default_factory=list)
    head_seq: int = 0
    head_hash: str = ""


class RequestStatus(str, enum.Enum):
    pending = "pending"
    granted = "granted"
    denied = "denied"


@dataclass(frozen=True)
class ShareRequest:
    """An agent asking an owner for access; only the owner turns it into a grant."""

    id: str
    requester_id: str
    owner_id: str
    scope: str
    value: str | None
    memory_ids: list[str]
    reason: str
    status: str
    created_at: datetime
    decided_at: datetime | None
    grant_id: str | None
    duration_s: int | None = None


ANY = "*"  # a retention policy for every agent, or for every memory type


@dataclass(frozen=True)
class RetentionPolicy:
    """Limits for one agent (or ANY) and memory type (or ANY); the most specific policy governs a memory."""

    agent_id: str
    memory_type: str
    max_age_days: float | None = None
    max_count: int | None = None
    min_confidence: float | None = None
    updated_at: datetime | None = None

    @property
    def id(self) -> str:
        return f"{self.agent_id}/{self.memory_type}"

    @property
    def specificity(self) -> int:
        return 2 * (self.agent_id != ANY) + (self.memory_type != ANY)


@dataclass(frozen=True)
class ExpiredMemory:
    id: str
    agent_id: str
    memory_type: str
    reason: str  # max_age | max_count | min_confidence
    policy_id: str


@dataclass
class CleanupReport:
    dry_run: bool
    candidates: int
    deleted: int
    by_agent: dict[str, int] = field(default_factory=dict)
    by_reason: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
