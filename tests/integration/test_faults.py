"""Faults, for real: kill -9 of Neo4j and of the service under concurrent writers, fail-fast while Neo4j
is down, recovery without a restart, idempotent retries, 16 writers on one decision template, and a
backup/restore round trip. One stack of its own (Neo4j + `engram serve`) for the module, since the
tests kill it."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from bench.integrity import IntegrityReport, check
from bench.stack import Stack
from bench.writers import GRANT, RECORD_DECISION, RECORD_MEMORIES, Ledger, Writer, decision_input, post, retry_unacked
from engram.auth.service import ApiKeyService
from engram.privacy.audit import AuditLog
from engram.privacy.redaction import Redactor

# Restarting a JVM on a busy 2-core machine takes minutes: the tests that do get a wider timeout.
pytestmark = [pytest.mark.integration, pytest.mark.faults, pytest.mark.timeout(1800)]

AGENTS = ("w0", "w1", "w2", "w3")
FAIL_FAST_S = 5.0  # once Neo4j is known down, a request fails within this: no driver retries (ms on an idle machine)


@pytest.fixture(scope="module")
def stack():
    stack = Stack(f"faults-{threading.get_native_id()}",
                  service_env={"ENGRAM_ANALYZE_INTERVAL_S": "4", "ENGRAM_RETENTION_INTERVAL_S": "4"})
    try:
        stack.start()
        keys = ApiKeyService(stack.driver, stack.settings)
        stack.keys = {a: keys.create_agent(a).token for a in AGENTS}
        stack.start_service()
        yield stack
    finally:
        stack.close()


def _run_writers(stack: Stack, ledger: Ledger, during) -> None:
    """Four writers, one per agent (each grants to the next), until `during()` returns."""
    stop = threading.Event()
    writers = [Writer(lambda: stack.service.url, a, stack.keys[a], AGENTS[(i + 1) % len(AGENTS)], ledger, stop)
               for i, a in enumerate(AGENTS)]
    for w in writers:
        w.start()
    try:
        during()
    finally:
        stop.set()
        for w in writers:
            w.join(timeout=120)


def _wait_for_acks(ledger: Ledger, count: int, timeout_s: float = 600) -> None:
    deadline = time.monotonic() + timeout_s
    while len(ledger.memories_acked) < count:
        assert time.monotonic() < deadline, f"only {len(ledger.memories_acked)} memories acknowledged"
        time.sleep(0.2)


def _wait_healthy(stack: Stack, timeout_s: float = 300) -> None:
    """/health 200 from the running service (a cold Neo4j on a busy machine is slow to answer at first)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(stack.service.url + "/health", timeout=120).status_code == 200:
                return
        except httpx.TimeoutException:
            pass
        assert time.monotonic() < deadline, "the service did not become healthy again"
        time.sleep(0.5)


def _integrity(stack: Stack, ledger: Ledger) -> IntegrityReport:
    return check(stack.driver, stack.settings.neo4j_database, memories_sent=ledger.memories_sent,
                 memories_acked=ledger.memories_acked, decisions_sent=ledger.decisions_sent,
                 decisions_acked=ledger.decisions_acked)


def _audit_verifies(stack: Stack) -> None:
    done = stack.cli("audit", "verify")
    assert done.returncode == 0, done.stdout + done.stderr


def _retry_and_check_exact(stack: Stack, ledger: Ledger, label: str) -> None:
    retried, acked = retry_unacked(stack.service.url, stack.keys, ledger)
    assert not ledger.unacked, f"retries not acknowledged: {ledger.errors}"
    report = _integrity(stack, ledger)
    assert report.problems == [], report.problems
    # Every write ever sent is now acknowledged, exactly once in the graph.
    assert ledger.memories_acked == set(ledger.memories_sent)
    assert ledger.decisions_acked == set(ledger.decisions_sent)
    memories = stack.driver.execute_query("MATCH (m:Memory) WHERE m.id IN $ids RETURN count(m) AS n",
                                          ids=list(ledger.memories_sent))[0][0]["n"]
    assert memories == len(ledger.memories_sent)
    # Over the whole graph (earlier tests included): every counted attempt is one linked decision.
    attempts = stack.driver.execute_query(
        "MATCH (:DecisionTemplate)-[b:BRANCH]->() WITH sum(b.attempts) AS n "
        "RETURN n, COUNT { MATCH (:Memory)-[:INSTANCE_OF]->(:DecisionTemplate) } AS linked")
    assert attempts[0][0]["n"] == attempts[0][0]["linked"]
    assert report.duplicates == []
    _audit_verifies(stack)
    print(f"\n[{label}] retried {retried} writes, {acked} acknowledged; memories {memories} "
          f"(sent {len(ledger.memories_sent)}), decisions sent {len(ledger.decisions_sent)} all counted once; "
          f"graph-wide branch attempts {attempts[0][0]['n']} = linked decisions {attempts[0][0]['linked']}; duplicates 0")


def test_kill_neo4j_under_writers_fails_fast_recovers_and_loses_nothing(stack: Stack) -> None:
    ledger = Ledger()
    down: dict = {}

    def crash_while_writing() -> None:
        _wait_for_acks(ledger, 24)
        stack.kill9_neo4j()
        down["killed_at"] = time.monotonic()
        # Requests in flight at the kill wait out the driver's retries; once one has failed, the service
        # knows Neo4j is down and every further request fails at once with DATABASE_UNAVAILABLE.
        deadline = time.monotonic() + 60
        while not ledger.failures and time.monotonic() < deadline:
            time.sleep(0.1)
        down["first_failure_at"] = ledger.failures[0][0] if ledger.failures else time.monotonic()
        with httpx.Client() as http:
            down["probe"] = post(http, stack.service.url, stack.keys["w0"], RECORD_MEMORIES,
                                 {"inputs": [{"kind": "KNOWLEDGE", "id": "probe-down", "domain": "d",
                                              "context": "probe", "statement": "s"}]})
            started = time.monotonic()
            health = http.get(stack.service.url + "/health", timeout=60)
            down["health"] = (health.status_code, health.json(), time.monotonic() - started)
        time.sleep(2)  # the writers keep failing for a while

    _run_writers(stack, ledger, crash_while_writing)

    probe = down["probe"]
    assert probe.code == "DATABASE_UNAVAILABLE" and probe.seconds < FAIL_FAST_S, probe
    status, body, seconds = down["health"]
    assert status == 503 and seconds < FAIL_FAST_S, (status, seconds)
    assert body["status"] == "degraded" and any(e.startswith("neo4j:") for e in body["errors"]), body
    after_kill = [(code, s, when - s) for when, code, s in ledger.failures if when > down["killed_at"]]
    assert after_kill, "no write was refused while Neo4j was down"
    assert {code for code, _, _ in after_kill} == {"DATABASE_UNAVAILABLE"}, Counter(c for c, _, _ in after_kill)
    in_flight = [s for _, s, began in after_kill if began < down["first_failure_at"]]
    later = [s for _, s, began in after_kill if began >= down["first_failure_at"]]
    assert later and max(later) < FAIL_FAST_S, later
    # Requests in flight at the kill are not bounded here: their time includes the work done before it
    # (embedding on a busy machine can take many seconds); they are reported below.

    restarted = stack.restart_neo4j()
    assert restarted.returncode == 0, restarted.stdout + restarted.stderr
    # The same service process answers again, without a restart.
    _wait_healthy(stack)
    assert stack.service.process.poll() is None
    recovered = time.monotonic() - down["killed_at"]

    report = _integrity(stack, ledger)
    assert report.problems == [], report.problems
    _audit_verifies(stack)
    print(f"\n[kill -9 neo4j] acknowledged: {len(ledger.memories_acked)} memories, {len(ledger.decisions_acked)} "
          f"decisions, {len(ledger.grants_acked)} grants; present after the crash: {report.acked_memories_present} "
          f"memories ({report.acked_memories_complete} complete), {report.acked_decisions_counted} decisions counted; "
          f"unacknowledged but present: {report.unacked_memories_present} memories, "
          f"{len(report.decisions_present_uncounted)} decisions stored but not yet counted; "
          f"failures while down {Counter(c for c, _, _ in after_kill)}: {len(in_flight)} in flight at the kill "
          f"(slowest {max(in_flight, default=0):.1f} s), {len(later)} later (slowest {max(later):.2f} s); "
          f"probe {probe.seconds:.1f} s, /health 503 in {seconds:.1f} s; service healthy {recovered:.0f} s after kill")
    _retry_and_check_exact(stack, ledger, "kill -9 neo4j")


def test_periodic_jobs_log_one_line_per_failed_run(stack: Stack) -> None:
    """The analysis and retention jobs ran (every 4 s) while Neo4j was down in the previous test."""
    lines = stack.service.log_path.read_text().splitlines()
    failed = [n for n, line in enumerate(lines) if " failed (" in line and "will try again" in line]
    assert failed, "no periodic job failure was logged while Neo4j was down"
    assert all("DATABASE_UNAVAILABLE" in lines[n] for n in failed), [lines[n] for n in failed[:3]]
    # One line each: no traceback follows (GraphQL request errors are logged by strawberry, separately).
    assert not any(n + 1 < len(lines) and lines[n + 1].startswith("Traceback") for n in failed)


def test_model_that_cannot_load_is_a_clear_startup_error(stack: Stack) -> None:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "engram.cli.main", "serve", "--port", "1"],
                          env=stack.env | {"ENGRAM_EMBEDDING_MODEL": "no-such-model"},
                          capture_output=True, text=True, timeout=300)
    output = done.stdout + done.stderr
    assert done.returncode != 0 and "Unknown embedding model 'no-such-model'" in output, output[-2000:]
    assert "Application startup failed" in output
    print(f"\n[model] a model that cannot load stops `engram serve` in {time.monotonic() - started:.0f} s")


def test_kill_service_mid_batch_then_retry(stack: Stack) -> None:
    ledger = Ledger()
    counts: dict = {}

    def crash_service() -> None:
        _wait_for_acks(ledger, 24)
        stack.service.kill9()
        counts["killed"] = True
        time.sleep(1)  # writers see the connection refused

    _run_writers(stack, ledger, crash_service)
    assert ledger.errors["TRANSPORT"] > 0
    report = _integrity(stack, ledger)
    assert report.problems == [], report.problems
    _audit_verifies(stack)
    print(f"\n[kill -9 service] acknowledged: {len(ledger.memories_acked)} memories, {len(ledger.decisions_acked)} "
          f"decisions, {len(ledger.grants_acked)} grants; present after the crash: {report.acked_memories_present} "
          f"memories ({report.acked_memories_complete} complete), {report.acked_decisions_counted} decisions counted; "
          f"unacknowledged but present: {report.unacked_memories_present} memories, "
          f"{len(report.decisions_present_uncounted)} decisions stored but not yet counted")
    stack.start_service()
    _retry_and_check_exact(stack, ledger, "kill -9 service")


def test_sixteen_writers_on_one_template_lose_no_update(stack: Stack) -> None:
    """16 threads record decisions in one context (so one template) for one agent; half of them also
    send every decision a second time at once, as an impatient client would."""
    agent, key = "w0", stack.keys["w0"]
    ids = [f"c16-d{n}" for n in range(96)]

    def record(decision_id: str) -> bool:
        n = int(decision_id.rsplit("d", 1)[1])
        decision = decision_input(agent, 0) | {"id": decision_id, "action": f"act{n % 2}"}
        with httpx.Client() as http:
            return post(http, stack.service.url, key, RECORD_DECISION, {"input": decision}).ok

    # The agent's own templates of this context: agents that share nothing each have their own (the other
    # writers of the earlier tests recorded the same contexts).
    own_templates = ("MATCH (t:DecisionTemplate {context_signature: $s}) "
                     "WHERE EXISTS { (t)<-[:INSTANCE_OF]-(:Memory:Decision {agent_id: $agent}) } "
                     "MATCH (t)-[b:BRANCH]->() RETURN sum(b.attempts) AS n, count(DISTINCT t) AS templates")
    signature = _signature(stack, decision_input(agent, 0)["context"])
    before = stack.driver.execute_query(own_templates, s=signature, agent=agent)[0][0]
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(record, ids + ids[::2]))
    assert all(results), f"{results.count(False)} of {len(results)} writes failed"
    after = stack.driver.execute_query(own_templates, s=signature, agent=agent)[0][0]
    assert after["templates"] == 1
    assert after["n"] - (before["n"] or 0) == len(ids)
    report = check(stack.driver, stack.settings.neo4j_database, memories_sent={}, memories_acked=[],
                   decisions_sent={i: {} for i in ids}, decisions_acked=ids)
    assert report.problems == [] and report.duplicates == [], report.problems
    _audit_verifies(stack)


def _signature(stack: Stack, context: str) -> str:
    from engram.learning.decisions import context_signature

    return context_signature(context)


def test_backup_and_restore_round_trip(stack: Stack, tmp_path) -> None:
    def snapshot() -> dict:
        q = {
            "memories": "MATCH (m:Memory) RETURN collect(m.id) AS v",
            "grants": "MATCH (g:ShareGrant) RETURN collect(g.id + coalesce(toString(g.revoked_at), '')) AS v",
            "templates": "MATCH (t:DecisionTemplate)-[b:BRANCH]->(a) RETURN collect(t.id + a.name + b.attempts) AS v",
            "patterns": "MATCH (p:FailurePattern) RETURN collect(p.id) AS v",
            "key_hashes": "MATCH (k:ApiKey) RETURN collect(k.hash) AS v",
            "audit": "MATCH (e:AuditEvent) RETURN collect(e.hash) AS v",
        }
        return {name: sorted(stack.driver.execute_query(query)[0][0]["v"]) for name, query in q.items()}

    # A failure pattern, so the round trip carries one.
    with httpx.Client() as http:
        for n in range(2):
            out = post(http, stack.service.url, stack.keys["w1"],
                       "mutation($i: LearnFromFailureInput!) { learnFromFailure(input: $i) { patternId } }",
                       {"i": {"context": "nightly import", "errorMessage": f"Timeout after 30s connecting to db-{n}:5432",
                              "id": f"bk-f{n}"}})
            assert out.ok, out
        out = post(http, stack.service.url, stack.keys["w1"], GRANT, {"grantee": "w2", "value": "dom-w1"})
        assert out.ok, out
    # The service's periodic analysis (every 4 s here) may regroup the patterns while this runs: the backup
    # counts as taken of `before` only when the graph reads the same after it as before it.
    dump = tmp_path / "engram.dump"
    for _ in range(5):
        before = snapshot()
        dump.unlink(missing_ok=True)
        done = stack.cli("db", "backup", str(dump))
        assert done.returncode == 0 and dump.stat().st_size > 0, done.stdout + done.stderr
        _wait_healthy(stack)
        if snapshot() == before:
            break
    else:
        pytest.fail("the graph kept changing while it was backed up")
    assert before["patterns"] and before["grants"] and before["key_hashes"] and before["audit"]
    again = stack.cli("db", "backup", str(dump))
    assert again.returncode != 0 and "exists" in again.stdout + again.stderr

    # Change the database after the backup; the restore must bring back exactly the backed-up state.
    _wait_healthy(stack)
    with httpx.Client() as http:
        out = post(http, stack.service.url, stack.keys["w2"], RECORD_MEMORIES,
                   {"inputs": [{"kind": "KNOWLEDGE", "id": "after-backup", "domain": "d", "context": "later",
                                "statement": "s"}]}, timeout=300)
    assert out.ok, out
    assert snapshot()["memories"] != before["memories"]

    changed = snapshot()
    junk = tmp_path / "junk.dump"
    junk.write_bytes(b"not a neo4j dump" * 100)
    refused = stack.cli("db", "restore", str(junk), "--yes")
    assert refused.returncode == 2 and "not a Neo4j dump" in " ".join((refused.stdout + refused.stderr).split())
    assert snapshot() == changed  # a bad file is refused before anything is stopped or replaced

    done = stack.cli("db", "restore", str(dump), "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    # The restored database is back at an older transaction than the bookmarks the drivers hold (this
    # test's and the running service's): both start afresh instead of waiting for it forever.
    assert snapshot() == before
    _wait_healthy(stack)
    with httpx.Client() as http:
        listed = post(http, stack.service.url, stack.keys["w2"], "{ memories(first: 100) { nodes { id } } }",
                      {}, timeout=300)
    assert listed.ok, listed
    assert "after-backup" not in {m["id"] for m in listed.data["memories"]["nodes"]}
    report = AuditLog(stack.driver, stack.settings, Redactor()).verify()
    assert report.ok and report.checked == len(before["audit"]), report.problems
    states = stack.driver.execute_query("SHOW INDEXES YIELD name, state RETURN collect(state) AS s")[0][0]["s"]
    assert states and set(states) == {"ONLINE"}
    _audit_verifies(stack)
