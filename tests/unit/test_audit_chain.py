"""The audit hash chain as pure logic: canonical form, linking, and what verification reports."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from engram.config import Settings
from engram.entities.privacy import AuditEvent
from engram.privacy.redaction import Redactor
from engram.privacy.audit import GENESIS, AuditEntry, AuditLog, canonical_event, chain, check_chain, event_hash

T0 = datetime(2026, 1, 17, 12, 0, 0, 123456, tzinfo=UTC)


def _events(n: int = 5) -> list[AuditEvent]:
    events: list[AuditEvent] = []
    for i in range(n):
        prev_seq, prev_hash = (events[-1].seq, events[-1].hash) if events else (0, GENESIS)
        entry = AuditEntry("cross_agent_read", "bob", "alice", [f"m-{i}"], {"via": "retrieve", "n": i}, id=f"e-{i}")
        events += chain([entry], prev_seq, prev_hash, T0 + timedelta(seconds=i))
    return events


def _check(events: list[AuditEvent], head: AuditEvent | None = None):
    head = head or events[-1]
    return check_chain(sorted(events, key=lambda e: e.seq), head.seq, head.hash)


def test_an_untouched_chain_verifies() -> None:
    events = _events()
    report = _check(events)
    assert report.ok and report.checked == 5 and report.problems == []
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == GENESIS and all(b.prev_hash == a.hash for a, b in zip(events, events[1:]))


def test_the_canonical_form_is_stable_and_covers_every_field() -> None:
    event = _events(1)[0]
    fields = dict(seq=1, id="e-0", type="cross_agent_read", actor_id="bob", owner_id="alice", subject_ids=["m-0"],
                  details={"n": 0, "via": "retrieve"}, at=T0, prev_hash=GENESIS)
    text = canonical_event(**fields)
    assert text == canonical_event(**{**fields, "details": {"via": "retrieve", "n": 0}})  # key order does not matter
    assert '"at":"2026-01-17T12:00:00.123456Z"' in text and " " not in text
    # the same instant in another time zone hashes the same
    assert canonical_event(**{**fields, "at": T0.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin"))}) == text
    for name, value in [("seq", 2), ("actor_id", "eve"), ("owner_id", None), ("subject_ids", []), ("type", "export"),
                        ("details", {"n": 1, "via": "retrieve"}), ("at", T0 + timedelta(microseconds=1)),
                        ("prev_hash", "f" * 64), ("id", "e-x")]:
        assert event_hash(dataclasses.replace(event, **{name: value})) != event.hash, name


def test_an_edited_event_is_reported_by_its_sequence_number() -> None:
    events = _events()
    events[2] = dataclasses.replace(events[2], details={"via": "retrieve", "n": 99})
    report = _check(events)
    assert not report.ok
    assert report.problems == ["event 3: content does not match its hash (edited)"]


def test_an_edited_indexed_copy_of_on_behalf_of_is_reported() -> None:
    """Owners find events done for them by the node's indexed copy; hiding one by editing the copy is caught."""
    entry = AuditEntry("cross_agent_read", "ops", "alice", ["m-0"], {"via": "retrieve", "on_behalf_of": "bob"}, id="e-0")
    events = chain([entry], 0, GENESIS, T0)
    assert events[0].indexed_on_behalf_of == "bob" and _check(events).ok
    for edited in (None, "carol"):
        report = _check([dataclasses.replace(events[0], indexed_on_behalf_of=edited)])
        assert report.problems == ["event 1: its indexed on_behalf_of differs from its hashed details (edited)"]


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link() -> None:
    events = _events()
    forged = dataclasses.replace(events[2], actor_id="eve")
    events[2] = dataclasses.replace(forged, hash=event_hash(forged))
    report = _check(events)
    assert any(p.startswith("event 4: does not chain to event 3") for p in report.problems)


def test_a_removed_event_is_reported() -> None:
    events = _events()
    del events[1]
    report = _check(events)
    assert "event 2: missing (removed); the chain jumps from 1 to 3" in report.problems
    assert any(p.startswith("event 3: does not chain to event 1") for p in report.problems)


def test_removing_the_last_event_is_caught_by_the_head() -> None:
    events = _events()
    report = check_chain(events[:-1], events[-1].seq, events[-1].hash)
    assert report.problems == ["event 5..5: missing (removed from the end of the chain)"]


def test_an_inserted_event_is_reported() -> None:
    events = _events()
    # a forger inserts a well-formed event after 2 and renumbers the rest
    forged = chain([AuditEntry("grant", "eve", "alice", ["g-1"], {}, id="forged")], 2, events[1].hash, T0)[0]
    shifted = [dataclasses.replace(e, seq=e.seq + 1) for e in events[2:]]
    report = _check(events[:2] + [forged] + shifted, head=shifted[-1])
    assert any(p.startswith("event 4: does not chain to event 3") for p in report.problems)
    assert "event 4: content does not match its hash (edited)" in report.problems
    # appended after the head without moving it
    extra = chain([AuditEntry("grant", "eve", "alice", [], {}, id="late")], 5, events[-1].hash, T0)[0]
    report = check_chain(events + [extra], events[-1].seq, events[-1].hash)
    assert report.problems == ["event 6..6: appended outside the audit log (inserted)"]
    # a duplicate or fractional sequence number
    report = _check(events[:3] + [dataclasses.replace(forged, seq=3)] + events[3:])
    assert any("event 3: sequence number used twice" in p for p in report.problems)


def test_a_chain_rewritten_from_some_event_on_is_caught_only_by_an_anchor() -> None:
    events = _events()
    anchor = {events[3].seq: events[3].hash}
    rewritten = events[:2]
    for old in events[2:]:
        entry = AuditEntry(old.type, "eve" if old.seq == 3 else old.actor_id, old.owner_id, old.subject_ids,
                           old.details, id=old.id)
        rewritten += chain([entry], rewritten[-1].seq, rewritten[-1].hash, old.at)
    head = rewritten[-1]
    assert _check(rewritten).ok  # consistent in itself: a hash chain alone cannot tell
    report = check_chain(rewritten, head.seq, head.hash, anchor)
    assert report.problems == ["event 4: differs from its anchored hash (the chain was rewritten)"]
    assert check_chain(events[:3], 3, events[2].hash, anchor).problems == ["event 4: anchored but missing (removed)"]


def test_details_are_redacted_and_long_subject_lists_capped_before_hashing() -> None:
    log = AuditLog(None, Settings(), Redactor())  # type: ignore[arg-type]  # constructors do no IO
    cleaned = log._cleaned(AuditEntry("operator_access", "operator", None, [f"m-{i}" for i in range(1500)],
                                      {"query": "login with password=Sup3rS3cretPw! failed", "nested": ["token=ghp_" + "a1" * 18]}))
    assert "Sup3rS3cretPw!" not in str(cleaned.details) and "[REDACTED" in cleaned.details["query"]
    assert "ghp_" + "a1" * 18 not in str(cleaned.details)
    assert len(cleaned.subject_ids) == 1000 and cleaned.details["subjects_total"] == 1500
