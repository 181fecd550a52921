"""The audit trail on the real Neo4j: what is recorded, one unforked chain under concurrent writers,
and `verify` (library and CLI) naming an edited, an inserted and a removed event."""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import neo4j
import pytest

from engram.config import Settings
from engram.memory.builder import build_memory
from engram.memory.service import MemoryService
from engram.privacy.audit import AuditEntry, AuditLog, canonical_details, chain
from engram.privacy.consent import ConsentService
from tests.conftest import run_cli, server_env

pytestmark = pytest.mark.integration


def _fill(audit: AuditLog, n: int = 6) -> None:
    for i in range(n):
        audit.record("cross_agent_read", "bob", "alice", [f"m-{i}"], {"via": "retrieve", "i": i})


def test_reads_across_agents_operator_searches_and_deletes_are_recorded(
    memories: MemoryService, audit: AuditLog, consent: ConsentService, db: neo4j.Driver,
) -> None:
    memories.record_many([
        build_memory(agent="alice", kind="decision", context="ledger rollout stalls", action="pause", outcome="success",
                     domain="payments", memory_id="a-1"),
        build_memory(agent="bob", kind="decision", context="ledger rollout notes", action="wait", memory_id="b-1"),
    ])
    consent.grant("alice", grantee="bob", scope="domain", value="payments")
    memories.retrieve_relevant_memories("bob", "ledger rollout", k=5)
    memories.retrieve_relevant_memories("alice", "ledger rollout", k=5)  # own memories only: nothing to record
    memories.search("ledger rollout with password=Sup3rS3cretPw!", agent_id=None, k=5)  # operator access
    memories.forget("a-1", agent_id="alice")

    events = list(reversed(audit.events("alice")))
    assert [(e.type, e.actor_id, e.owner_id, e.subject_ids) for e in events] == [
        ("grant", "alice", "alice", events[0].subject_ids),
        ("cross_agent_read", "bob", "alice", ["a-1"]),
        ("operator_access", "operator", "alice", ["a-1"]),
        ("delete", "alice", "alice", ["a-1"]),
    ]
    operator = events[2]
    assert "Sup3rS3cretPw!" not in json.dumps(operator.details)
    assert operator.details["query_sha256"] == hashlib.sha256(b"ledger rollout with password=Sup3rS3cretPw!").hexdigest()
    assert {e.type for e in audit.events("bob")} >= {"cross_agent_read", "operator_access"}
    assert [e.type for e in audit.events("alice", types=["delete"])] == ["delete"]
    assert audit.events("alice", since=datetime.now(UTC) + timedelta(minutes=1)) == []
    stored = db.execute_query("MATCH (e:AuditEvent) RETURN e.details AS d").records
    assert not any("Sup3rS3cretPw!" in r["d"] for r in stored)
    assert audit.verify().ok


def test_concurrent_writers_extend_one_chain(audit: AuditLog) -> None:
    def write(worker: int) -> None:
        for i in range(15):
            if i % 5 == 0:
                audit.record_many([AuditEntry("cross_agent_read", f"w{worker}", "alice", [f"{worker}-{i}-{j}"])
                                   for j in range(3)])
            else:
                audit.record("cross_agent_read", f"w{worker}", "alice", [f"{worker}-{i}"])

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(8)))
    report = audit.verify()
    assert report.ok, report.problems
    assert report.checked == report.head_seq == 8 * (12 + 3 * 3)


def test_verify_names_an_edited_an_inserted_and_a_removed_event(audit: AuditLog, db: neo4j.Driver,
                                                                settings: Settings) -> None:
    _fill(audit)
    assert audit.verify().ok
    env = server_env(settings)
    ok = run_cli("audit", "verify", env=env)
    assert ok.returncode == 0 and "intact: 6 events" in ok.stdout
    head = json.loads(run_cli("audit", "verify", "--format", "json", env=env).stdout)
    anchored = run_cli("audit", "verify", "--anchor", f"{head['head_seq']}:{head['head_hash']}", env=env)
    assert anchored.returncode == 0, anchored.stderr
    wrong = run_cli("audit", "verify", "--anchor", f"5:{'0' * 64}", env=env)
    assert wrong.returncode == 1 and "event 5: differs from its anchored hash" in wrong.stderr

    # edited by hand
    db.execute_query("MATCH (e:AuditEvent {seq: 3}) SET e.actor_id = 'nobody'")
    report = audit.verify()
    assert report.problems == ["event 3: content does not match its hash (edited)"]
    cli = run_cli("audit", "verify", env=env)
    assert cli.returncode == 1 and "event 3" in cli.stderr and "edited" in cli.stderr
    as_json = json.loads(run_cli("audit", "verify", "--format", "json", env=env).stdout)
    assert as_json["ok"] is False and as_json["problems"] == report.problems
    db.execute_query("MATCH (e:AuditEvent {seq: 3}) SET e.actor_id = 'bob'")
    assert audit.verify().ok

    # the indexed copy of on_behalf_of (outside the hash) edited to show the event to another owner
    db.execute_query("MATCH (e:AuditEvent {seq: 3}) SET e.on_behalf_of = 'carol'")
    assert audit.verify().problems == ["event 3: its indexed on_behalf_of differs from its hashed details (edited)"]
    db.execute_query("MATCH (e:AuditEvent {seq: 3}) REMOVE e.on_behalf_of")
    assert audit.verify().ok

    # removed
    saved = db.execute_query("MATCH (e:AuditEvent {seq: 4}) RETURN e {.*} AS e").records[0]["e"]
    db.execute_query("MATCH (e:AuditEvent {seq: 4}) DELETE e")
    report = audit.verify()
    assert "event 4: missing (removed); the chain jumps from 3 to 5" in report.problems
    cli = run_cli("audit", "verify", env=env)
    assert cli.returncode == 1 and "event 4: missing (removed)" in cli.stderr
    db.execute_query("CREATE (e:AuditEvent) SET e = $e", e=saved)
    assert audit.verify().ok

    # inserted: a well-formed event chained after 2, the rest renumbered, as a forger would
    prev = db.execute_query("MATCH (e:AuditEvent {seq: 2}) RETURN e.hash AS h").records[0]["h"]
    forged = chain([AuditEntry("grant", "eve", "alice", ["grant-x"], {"grantee": "eve"}, id="forged")], 2, prev,
                   datetime.now(UTC))[0]
    db.execute_query("MATCH (e:AuditEvent) WHERE e.seq > 2 WITH e ORDER BY e.seq DESC SET e.seq = e.seq + 1")
    db.execute_query("CREATE (e:AuditEvent {id: $id, seq: 3, type: $type, actor_id: 'eve', owner_id: 'alice', "
                     "subject_ids: ['grant-x'], details: $details, at: datetime($at), prev_hash: $prev, hash: $hash})",
                     id=forged.id, type=forged.type, details=canonical_details(forged.details),
                     at=forged.at.isoformat(), prev=forged.prev_hash, hash=forged.hash)
    db.execute_query("MATCH (h:AuditHead) SET h.seq = h.seq + 1")
    report = audit.verify()
    assert not report.ok
    assert any(p.startswith("event 4: does not chain to event 3") for p in report.problems)
    cli = run_cli("audit", "verify", env=env)
    assert cli.returncode == 1 and "event 4" in cli.stderr


def test_audit_cli_lists_an_owners_events(audit: AuditLog, settings: Settings) -> None:
    _fill(audit, 3)
    audit.record("grant", "carol", "carol", ["g-1"], {"grantee": "dave"})
    env = server_env(settings)
    mine = json.loads(run_cli("audit", "--agent", "alice", "--since", "1d", "--format", "json", env=env).stdout)
    assert [e["seq"] for e in mine] == [3, 2, 1] and all(e["owner_id"] == "alice" for e in mine)
    only = json.loads(run_cli("audit", "--agent", "carol", "--type", "grant", "--format", "json", env=env).stdout)
    assert [e["subject_ids"] for e in only] == [["g-1"]]
    table = run_cli("audit", "--agent", "alice", env=env)
    assert table.returncode == 0 and "cross_agent" in table.stdout
    bad = run_cli("audit", "--since", "yesterday", env=env)
    assert bad.returncode == 2 and "[BAD_USER_INPUT]" in bad.stderr
    wrong_type = run_cli("audit", "--type", "gossip", env=env)
    assert wrong_type.returncode != 0
    assert run_cli("audit", "verify", "--help", env=env).returncode == 0
