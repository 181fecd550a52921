"""The audit hash chain as pure logic: the canonical form an event's hash covers, linking new entries
to the chain head, and verification that names the sequence number of every break."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from engram.entities.privacy import AuditEvent, VerificationReport

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditEntry:
    """An event to append; seq, hashes and time are assigned when it is written."""

    event_type: str
    actor_id: str
    owner_id: str | None
    subject_ids: Sequence[str] = ()
    details: dict[str, Any] | None = None
    id: str = field(default_factory=lambda: f"audit-{uuid.uuid4().hex}")


def timestamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_details(details: dict[str, Any] | None) -> str:
    return json.dumps(details or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def canonical_event(*, seq: int, id: str, type: str, actor_id: str, owner_id: str | None,
                    subject_ids: Sequence[str], details: dict[str, Any], at: datetime, prev_hash: str) -> str:
    """The exact bytes the hash covers: sorted keys, no whitespace, UTC time with microseconds."""
    return json.dumps(
        {"seq": seq, "id": id, "type": type, "actor_id": actor_id, "owner_id": owner_id,
         "subject_ids": list(subject_ids), "details": json.loads(canonical_details(details)),
         "at": timestamp(at), "prev_hash": prev_hash},
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
        event = AuditEvent(**{**draft.__dict__, "hash": event_hash(draft), "indexed_on_behalf_of": draft.on_behalf_of})
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
        if event.indexed_on_behalf_of != event.on_behalf_of:
            problems.append(f"event {seq}: its indexed on_behalf_of differs from its hashed details (edited)")
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
