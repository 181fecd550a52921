"""The audit trail: one append-only, hash-chained log of reads across agents, sharing and deletion.

Each event stores `seq`, `prev_hash` and `hash = sha256(canonical JSON of every other field)`.
Writers append under the lock of one (:AuditHead) node taken in the same transaction, so the
chain is a single line (standalone events of concurrent callers share one transaction: audit_batch.py); `verify()` recomputes it and names the sequence number of any edited,
inserted or removed event. Text in `details` is redacted before it is hashed and stored.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import neo4j

from engram.config import Settings
from engram.entities.memory import AgentMemory
from engram.entities.privacy import OPERATOR, AuditEvent, AuditEventType, VerificationReport
from engram.errors import BadInputError
from engram.privacy.audit_batch import GroupCommit
from engram.privacy.redaction import Redactor
from engram.storage.catalog import catalog_for
from engram.storage.connection import map_driver_errors

GENESIS = "0" * 64
MAX_SUBJECTS = 1000  # ids kept per event; the full count stays in details
VERIFY_PAGE = 5000
T = TypeVar("T")
EVENT_TYPES = frozenset(t.value for t in AuditEventType)


@dataclass(frozen=True)
class AuditEntry:
    """An event to append; seq, hashes and time are assigned when it is written."""

    event_type: str
    actor_id: str
    owner_id: str | None
    subject_ids: Sequence[str] = ()
    details: dict[str, Any] | None = None
    id: str = field(default_factory=lambda: f"audit-{uuid.uuid4().hex}")


# ---------------------------------------------------------------- the chain (pure, unit-tested)

def _timestamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_details(details: dict[str, Any] | None) -> str:
    return json.dumps(details or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def canonical_event(*, seq: int, id: str, type: str, actor_id: str, owner_id: str | None,
                    subject_ids: Sequence[str], details: dict[str, Any], at: datetime, prev_hash: str) -> str:
    """The exact bytes the hash covers: sorted keys, no whitespace, UTC time with microseconds."""
    return json.dumps(
        {"seq": seq, "id": id, "type": type, "actor_id": actor_id, "owner_id": owner_id,
         "subject_ids": list(subject_ids), "details": json.loads(canonical_details(details)),
         "at": _timestamp(at), "prev_hash": prev_hash},
        sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    )


def event_hash(event: AuditEvent) -> str:
    text = canonical_event(seq=event.seq, id=event.id, type=event.type, actor_id=event.actor_id,
                           owner_id=event.owner_id, subject_ids=event.subject_ids, details=event.details,
                           at=event.at, prev_hash=event.prev_hash)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chain(entries: Sequence[AuditEntry], after_seq: int, after_hash: str, at: datetime) -> list[AuditEvent]:
    """Number and hash new entries so that each links to the one before it."""
    events, seq, prev = [], after_seq, after_hash
    for entry in entries:
        seq += 1
        draft = AuditEvent(seq=seq, id=entry.id, type=entry.event_type, actor_id=entry.actor_id,
                           owner_id=entry.owner_id, subject_ids=list(entry.subject_ids),
                           details=json.loads(canonical_details(entry.details)), at=at, prev_hash=prev, hash="")
        event = AuditEvent(**{**draft.__dict__, "hash": event_hash(draft)})
        events.append(event)
        prev = event.hash
    return events


def check_chain(events: Iterable[AuditEvent], head_seq: int, head_hash: str,
                anchors: dict[int, str] | None = None) -> VerificationReport:
    """Walk events in sequence order; every break is reported with the sequence number it shows at.
    `anchors` are hashes recorded elsewhere (e.g. a printed head): they catch a chain rewritten in full
    from some event on, which no hash chain can reveal on its own."""
    problems: list[str] = []
    prev_seq, prev_hash, checked = 0, GENESIS, 0
    pending = dict(anchors or {})
    for event in events:
        checked += 1
        seq = event.seq
        if seq in pending and pending.pop(seq) != event.hash:
            problems.append(f"event {seq}: differs from its anchored hash (the chain was rewritten)")
        if not isinstance(seq, int) or isinstance(seq, bool):
            problems.append(f"event {seq!r}: not a whole sequence number (inserted by hand)")
        elif seq == prev_seq:
            problems.append(f"event {seq}: sequence number used twice (an event was inserted)")
        elif seq > prev_seq + 1:
            gap = f"{prev_seq + 1}" if seq == prev_seq + 2 else f"{prev_seq + 1}..{seq - 1}"
            problems.append(f"event {gap}: missing (removed); the chain jumps from {prev_seq} to {seq}")
        if event.prev_hash != prev_hash:
            problems.append(f"event {seq}: does not chain to event {prev_seq} (an event before it was inserted, "
                            f"removed or rewritten)")
        if event_hash(event) != event.hash:
            problems.append(f"event {seq}: content does not match its hash (edited)")
        prev_seq, prev_hash = seq, event.hash
    for seq in sorted(pending):
        problems.append(f"event {seq}: anchored but missing (removed)")
    if head_seq != prev_seq:
        if head_seq > prev_seq:
            problems.append(f"event {prev_seq + 1}..{head_seq}: missing (removed from the end of the chain)")
        else:
            problems.append(f"event {head_seq + 1}..{prev_seq}: appended outside the audit log (inserted)")
    elif head_hash != prev_hash:
        problems.append(f"event {prev_seq}: differs from the chain head (edited or replaced)")
    return VerificationReport(not problems, checked, problems, head_seq, head_hash)


def _to_event(props: dict) -> AuditEvent:
    at = props["at"]
    at = at.to_native() if hasattr(at, "to_native") else at
    details = props.get("details") or "{}"
    if isinstance(details, str):
        try:
            details = json.loads(details)
        except json.JSONDecodeError:  # hand-edited into non-JSON: still verifiable, as a mismatch
            details = {"unreadable": details}
    return AuditEvent(
        seq=props["seq"], id=props["id"], type=props["type"], actor_id=props["actor_id"],
        owner_id=props.get("owner_id"), subject_ids=list(props.get("subject_ids") or []),
        details=details, at=at,
        prev_hash=props.get("prev_hash", ""), hash=props.get("hash", ""),
    )


# ---------------------------------------------------------------- the log on Neo4j

class AuditLog:
    def __init__(self, driver: neo4j.Driver, settings: Settings, redactor: Redactor | None = None, *,
                 group_commit: bool = True) -> None:
        self.driver = driver
        self.database = settings.neo4j_database
        self.uri = settings.bolt_uri
        self.queries = catalog_for(settings.cypher_dir)
        self.redactor = redactor or Redactor()
        # Concurrent record_many calls share one transaction (and one wait for the head lock).
        self._group = GroupCommit(self._append_in_transaction) if group_commit else None

    # ---- writing
    def record(self, event_type: str | AuditEventType, actor_id: str, owner_id: str | None,
               subject_ids: Sequence[str] = (), details: dict[str, Any] | None = None) -> AuditEvent:
        return self.record_many([AuditEntry(_type(event_type), actor_id, owner_id, subject_ids, details)])[0]

    def record_many(self, entries: Sequence[AuditEntry]) -> list[AuditEvent]:
        """Append entries in one transaction, in order. A retried transaction that had in fact
        committed is detected by the first entry's id, so nothing is appended twice."""
        if not entries:
            return []
        clean = [self._cleaned(e) for e in entries]
        return self._group.submit(clean) if self._group is not None else self._append_in_transaction(clean)

    def _append_in_transaction(self, entries: list[AuditEntry]) -> list[AuditEvent]:
        with map_driver_errors(self.uri), self.driver.session(database=self.database) as session:
            return session.execute_write(self._append, entries)

    def run_audited(self, work: Callable[[neo4j.ManagedTransaction], tuple[T, Sequence[AuditEntry]]]) -> T:
        """Run a write and append the events it reports in the same transaction: the change and its
        audit record commit together or not at all. `work` may run more than once (driver retries)."""

        def unit(tx: neo4j.ManagedTransaction) -> T:
            result, entries = work(tx)
            if entries:
                self._append(tx, [self._cleaned(e) for e in entries])
            return result

        with map_driver_errors(self.uri), self.driver.session(database=self.database) as session:
            return session.execute_write(unit)

    def _append(self, tx: neo4j.ManagedTransaction, entries: list[AuditEntry]) -> list[AuditEvent]:
        head = tx.run(self.queries.get("audit/lock_head"), genesis=GENESIS, first_id=entries[0].id).single()
        if head["already_written"]:
            records = tx.run(self.queries.get("audit/events_by_ids"), ids=[e.id for e in entries])
            return [_to_event(r["event"]) for r in records]
        events = chain(entries, head["seq"], head["hash"], datetime.now(UTC))
        rows = [{"id": e.id, "seq": e.seq, "type": e.type, "actor_id": e.actor_id, "owner_id": e.owner_id,
                 "subject_ids": e.subject_ids, "details": canonical_details(e.details), "at": _timestamp(e.at),
                 "prev_hash": e.prev_hash, "hash": e.hash} for e in events]
        tx.run(self.queries.get("audit/append_events"), rows=rows, head_seq=events[-1].seq,
               head_hash=events[-1].hash).consume()
        return events

    def _cleaned(self, entry: AuditEntry) -> AuditEntry:
        """Secrets never reach the log: every string in details is redacted; long id lists are capped."""
        details = _redact_tree(dict(entry.details or {}), self.redactor)
        subjects = list(dict.fromkeys(entry.subject_ids))
        if len(subjects) > MAX_SUBJECTS:
            details |= {"subjects_total": len(subjects), "subjects_truncated": True}
            subjects = subjects[:MAX_SUBJECTS]
        return AuditEntry(entry.event_type, entry.actor_id, entry.owner_id, subjects, details, entry.id)

    # ---- what MemoryService and the transfer paths call
    def record_reads(self, reader: str | None, memories: Iterable[AgentMemory], *, via: str,
                     query: str | None = None) -> list[AuditEvent]:
        """A read by an agent logs one cross_agent_read per other owner whose memories it saw;
        a read without an agent is operator access, logged for every owner whose memories it returned."""
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
            return self.record_many([AuditEntry(AuditEventType.operator_access.value, OPERATOR, owner, ids,
                                                details | {"results": len(ids)}) for owner, ids in owners.items()])
        return self.record_many([AuditEntry(AuditEventType.cross_agent_read.value, reader, owner, ids, details)
                                 for owner, ids in by_owner.items()])

    def record_deletion(self, actor_id: str | None, owner_id: str, memory_ids: Sequence[str], *,
                        event_type: AuditEventType = AuditEventType.delete, details: dict | None = None) -> AuditEvent:
        return self.record(event_type, actor_id or OPERATOR, owner_id, memory_ids,
                           {"count": len(memory_ids)} | (details or {}))

    # ---- reading
    def events(self, owner_id: str | None, since: datetime | None = None,
               types: Sequence[str | AuditEventType] | None = None, limit: int = 100) -> list[AuditEvent]:
        """Events about an agent's memories or made by it, newest first; owner_id=None: every event."""
        if not 1 <= limit <= 10_000:
            raise BadInputError("limit must lie between 1 and 10000.")
        params = {"since": since.isoformat() if since else None,
                  "types": [_type(t) for t in types] if types else None, "limit": limit}
        name = "audit/events_all" if owner_id is None else "audit/events_for_agent"
        if owner_id is not None:
            params["agent_id"] = owner_id
        return [_to_event(r["event"]) for r in self._read(name, **params)]

    def head(self) -> tuple[int, str]:
        record = self._read("audit/head", genesis=GENESIS)[0]
        return record["seq"], record["hash"]

    def verify(self, anchors: dict[int, str] | None = None) -> VerificationReport:
        """Recompute the whole chain (and compare it with hashes recorded outside the database, if given)."""
        head_seq, head_hash = self.head()
        return check_chain(self._walk(), head_seq, head_hash, anchors)

    def _walk(self) -> Iterator[AuditEvent]:
        after = -1
        while True:
            page = [_to_event(r["event"]) for r in self._read("audit/chain_page", after=after, limit=VERIFY_PAGE)]
            yield from page
            if len(page) < VERIFY_PAGE:
                return
            after = page[-1].seq

    def _read(self, name: str, **params: Any) -> list[neo4j.Record]:
        with map_driver_errors(self.uri):
            records, _, _ = self.driver.execute_query(self.queries.get(name), params, database_=self.database,
                                                      routing_=neo4j.RoutingControl.READ)
        return records


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
