"""Audit repository: appends events to the one hash chain under the lock of its (:AuditHead) node, and
reads events and chain pages back."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from engram.entities.audit_chain import GENESIS, AuditEntry, canonical_details, chain, timestamp
from engram.entities.privacy import AuditEvent
from engram.storage.base import AuditedWork, Repository, T, Transaction
from engram.storage.records import native


def to_event(props: dict) -> AuditEvent:
    details = props.get("details") or "{}"
    if isinstance(details, str):
        try:
            details = json.loads(details)
        except json.JSONDecodeError:  # hand-edited into non-JSON: still verifiable, as a mismatch
            details = {"unreadable": details}
    return AuditEvent(
        seq=props["seq"], id=props["id"], type=props["type"], actor_id=props["actor_id"],
        owner_id=props.get("owner_id"), subject_ids=list(props.get("subject_ids") or []),
        details=details, at=native(props["at"]), prev_hash=props.get("prev_hash", ""), hash=props.get("hash", ""),
        indexed_on_behalf_of=props.get("on_behalf_of"),
    )


class AuditRepository(Repository):
    """`prepare` turns an entry into what may be stored (the privacy layer redacts details with it);
    `attribute` names who acted (an operator acting for an agent), applied to the events of `run_audited`
    in the caller's thread."""

    def __init__(self, driver, settings, prepare: Callable[[AuditEntry], AuditEntry],
                 attribute: Callable[[AuditEntry], AuditEntry]) -> None:
        super().__init__(driver, settings)
        self.prepare = prepare
        self.attribute = attribute

    def append(self, tx: Transaction, entries: Sequence[AuditEntry]) -> list[AuditEvent]:
        """Inside the caller's transaction. A retried transaction that had in fact committed is detected
        by the first entry's id, so nothing is appended twice."""
        entries = [self.prepare(e) for e in entries]
        head = self._run(tx, "audit/lock_head", genesis=GENESIS, first_id=entries[0].id).single()
        if head["already_written"]:
            return [to_event(r["event"]) for r in self._run(tx, "audit/events_by_ids", ids=[e.id for e in entries])]
        events = chain(entries, head["seq"], head["hash"], datetime.now(UTC))
        rows = [{"id": e.id, "seq": e.seq, "type": e.type, "actor_id": e.actor_id, "owner_id": e.owner_id,
                 "subject_ids": e.subject_ids, "details": canonical_details(e.details), "at": timestamp(e.at),
                 "prev_hash": e.prev_hash, "hash": e.hash,
                 "on_behalf_of": e.on_behalf_of} for e in events]  # indexed copy of the hashed details' value
        self._run(tx, "audit/append_events", rows=rows, head_seq=events[-1].seq, head_hash=events[-1].hash).consume()
        return events

    def record_many(self, entries: Sequence[AuditEntry]) -> list[AuditEvent]:
        if not entries:
            return []
        return self._in_write_transaction(lambda tx: self.append(tx, entries))

    def run_audited(self, work: AuditedWork[T]) -> T:
        def unit(tx: Transaction) -> T:
            result, entries = work(tx)
            if entries:
                self.append(tx, [self.attribute(e) for e in entries])
            return result

        return self._in_write_transaction(unit)

    def events(self, owner_id: str | None, since: datetime | None, types: list[str] | None,
               limit: int) -> list[AuditEvent]:
        params: dict[str, Any] = {"since": since.isoformat() if since else None, "types": types, "limit": limit}
        if owner_id is None:
            return [to_event(r["event"]) for r in self._read("audit/events_all", **params)]
        return [to_event(r["event"]) for r in self._read("audit/events_for_agent", agent_id=owner_id, **params)]

    def head(self) -> tuple[int, str]:
        record = self._read("audit/head", genesis=GENESIS)[0]
        return record["seq"], record["hash"]

    def chain_page(self, after: int, limit: int) -> list[AuditEvent]:
        return [to_event(r["event"]) for r in self._read("audit/chain_page", after=after, limit=limit)]
