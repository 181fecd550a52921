"""The audit trail: one append-only, hash-chained log of reads across agents, sharing and deletion.

Each event stores `seq`, `prev_hash` and `hash = sha256(canonical JSON of every other field)`.
Writers append under the lock of one (:AuditHead) node taken in the same transaction, so the
chain is a single line (standalone events of concurrent callers share one transaction: audit_batch.py); `verify()` recomputes it and names the sequence number of any edited,
inserted or removed event. Text in `details` is redacted before it is hashed and stored.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from engram.config import Settings
from engram.entities.audit_chain import (  # noqa: F401  (re-exported: the chain's pure logic)
    GENESIS, AuditEntry, canonical_details, canonical_event, chain, check_chain, event_hash,
)
from engram.entities.memory import AgentMemory
from engram.entities.privacy import OPERATOR, AuditEvent, AuditEventType, VerificationReport
from engram.errors import BadInputError
from engram.privacy.acting import attributed
from engram.privacy.audit_batch import GroupCommit
from engram.privacy.redaction import Redactor
from engram.storage.audit import AuditRepository
from engram.storage.base import AuditedWork, T
from engram.storage.connection import Driver

MAX_SUBJECTS = 1000  # ids kept per event; the full count stays in details
VERIFY_PAGE = 5000
EVENT_TYPES = frozenset(t.value for t in AuditEventType)


class AuditLog:
    """What the services call to audit: entries are redacted and capped here, then appended by the
    audit repository (alone, or in the transaction of the change they describe)."""

    def __init__(self, driver: Driver, settings: Settings, redactor: Redactor, *, group_commit: bool = True) -> None:
        self.redactor = redactor
        # Attributed (acting.py) in the caller's thread: on run_audited's path by the repository, on the
        # standalone path in record_many, before a batch leader, whose request it is not, takes the entries.
        self.repository = AuditRepository(driver, settings, prepare=self._cleaned, attribute=attributed)
        # Concurrent record_many calls share one transaction (and one wait for the head lock).
        self._group = GroupCommit(self.repository.record_many) if group_commit else None

    # ---- writing
    def record(self, event_type: str | AuditEventType, actor_id: str, owner_id: str | None,
               subject_ids: Sequence[str] = (), details: dict[str, Any] | None = None) -> AuditEvent:
        return self.record_many([AuditEntry(_type(event_type), actor_id, owner_id, subject_ids, details)])[0]

    def record_many(self, entries: Sequence[AuditEntry]) -> list[AuditEvent]:
        """Append entries in one transaction, in order. A retried transaction that had in fact
        committed is detected by the first entry's id, so nothing is appended twice."""
        if not entries:
            return []
        entries = [attributed(e) for e in entries]  # here, in the caller's thread: a batch leader is not its scope
        return self._group.submit(entries) if self._group is not None else self.repository.record_many(entries)

    def run_audited(self, work: AuditedWork[T]) -> T:
        """Run a write and append the events it reports in the same transaction: the change and its
        audit record commit together or not at all. `work` may run more than once (driver retries)."""
        return self.repository.run_audited(work)

    def _cleaned(self, entry: AuditEntry) -> AuditEntry:
        """Secrets never reach the log: every string in details is redacted; long id lists are capped."""
        details = _redact_tree(dict(entry.details or {}), self.redactor)
        subjects = list(dict.fromkeys(entry.subject_ids))
        if len(subjects) > MAX_SUBJECTS:
            details |= {"subjects_total": len(subjects), "subjects_truncated": True}
            subjects = subjects[:MAX_SUBJECTS]
        return AuditEntry(entry.event_type, entry.actor_id, entry.owner_id, subjects, details, entry.id)

    # ---- what MemoryService and the transfer paths call
    def read_entries(self, reader: str | None, memories: Iterable[AgentMemory], *, via: str,
                     query: str | None = None, operator: str = OPERATOR) -> list[AuditEntry]:
        """A read by an agent is one cross_agent_read per other owner whose memories it saw; a read
        without an agent is operator access (by `operator`), one event per owner whose memories it returned."""
        by_owner: dict[str, list[str]] = {}
        for memory in memories:
            if reader is None or memory.agent_id != reader:
                by_owner.setdefault(memory.agent_id, []).append(memory.id)
        details: dict[str, Any] = {"via": via}
        if query:
            # A digest, not the text: the chain cannot be edited, so no memory text may ever enter it
            # (searching for a memory must not keep its words after the memory is deleted).
            details["query_sha256"] = hashlib.sha256(query.encode("utf-8")).hexdigest()
        if reader is None:
            owners = by_owner or {None: []}
            return [AuditEntry(AuditEventType.operator_access.value, operator, owner, ids,
                               details | {"results": len(ids)}) for owner, ids in owners.items()]
        return [AuditEntry(AuditEventType.cross_agent_read.value, reader, owner, ids, details)
                for owner, ids in by_owner.items()]

    def record_derived_reads(self, reader: str | None, by_owner: dict[str, list[str]], *, via: str,
                             operator: str = OPERATOR) -> list[AuditEvent]:
        """Knowledge derived from other agents' memories (a pattern's name, counts, checks) was shown to
        `reader`: one cross_agent_read per owner (operator access without a reader), `derived` in details."""
        memories = [_Ref(memory_id, owner) for owner, ids in by_owner.items() for memory_id in ids]
        entries = self.read_entries(reader, memories, via=via, operator=operator)  # type: ignore[arg-type]
        return self.record_many([AuditEntry(e.event_type, e.actor_id, e.owner_id, e.subject_ids,
                                            (e.details or {}) | {"derived": True}, e.id) for e in entries])

    def record_reads(self, reader: str | None, memories: Iterable[AgentMemory], *, via: str,
                     query: str | None = None, operator: str = OPERATOR) -> list[AuditEvent]:
        return self.record_many(self.read_entries(reader, memories, via=via, query=query, operator=operator))

    # ---- reading
    def events(self, owner_id: str | None, since: datetime | None = None,
               types: Sequence[str | AuditEventType] | None = None, limit: int = 100) -> list[AuditEvent]:
        """Events about an agent's memories or made by it, newest first; owner_id=None: every event."""
        if not 1 <= limit <= 10_000:
            raise BadInputError("limit must lie between 1 and 10000.")
        return self.repository.events(owner_id, since, [_type(t) for t in types] if types else None, limit)

    def head(self) -> tuple[int, str]:
        return self.repository.head()

    def verify(self, anchors: dict[int, str] | None = None) -> VerificationReport:
        """Recompute the whole chain (and compare it with hashes recorded outside the database, if given)."""
        head_seq, head_hash = self.head()
        return check_chain(self._walk(), head_seq, head_hash, anchors)

    def _walk(self) -> Iterator[AuditEvent]:
        after = -1
        while True:
            page = self.repository.chain_page(after, VERIFY_PAGE)
            yield from page
            if len(page) < VERIFY_PAGE:
                return
            after = page[-1].seq


@dataclass(frozen=True)
class _Ref:
    """Just what an audit entry needs of a memory: its id and owner."""

    id: str
    agent_id: str


def _type(event_type: str | AuditEventType) -> str:
    value = event_type.value if isinstance(event_type, AuditEventType) else str(event_type)
    if value not in EVENT_TYPES:
        raise BadInputError(f"Unknown audit event type {value!r}; use one of {', '.join(sorted(EVENT_TYPES))}.")
    return value


def _redact_tree(value: Any, redactor: Redactor) -> Any:
    if isinstance(value, str):
        return redactor.redact(value).text
    if isinstance(value, dict):
        return {str(k): _redact_tree(v, redactor) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_redact_tree(v, redactor) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value
