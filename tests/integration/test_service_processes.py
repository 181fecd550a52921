"""Several service processes on one Neo4j: periodic analysis runs once per interval between them (a lease
in Neo4j), the audit trail stays one verifiable hash chain when both write, and either process answers every
read the same."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import neo4j
import pytest

from engram.auth.service import ApiKeyService
from engram.config import Settings
from engram.storage.leases import LeaseRepository
from tests.conftest import REPO, GraphQLClient, free_port, server_env

pytestmark = pytest.mark.integration

INTERVAL_S = 2
RAN = re.compile(r"pattern analysis ran for interval (\d+)")


@contextmanager
def service(settings: Settings, name: str, env: dict[str, str]) -> Iterator[tuple[str, Path]]:
    port = free_port()
    log_path = REPO / ".engram" / f"test-{name}-{port}.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "engram.cli.main", "serve", "--port", str(port)],
                                   env={**server_env(settings), **env}, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield f"http://127.0.0.1:{port}", log_path
        finally:
            process.terminate()
            process.wait(timeout=30)


def wait_healthy(urls: list[str], timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    pending = set(urls)
    while pending:
        for url in list(pending):
            try:
                if httpx.get(url + "/health", timeout=5).status_code == 200:
                    pending.discard(url)
            except httpx.TransportError:
                pass
        assert time.monotonic() < deadline, f"not healthy: {pending}"
        time.sleep(0.2)


def intervals_run(log_path: Path) -> list[int]:
    return [int(m) for m in RAN.findall(log_path.read_text())]


def test_two_processes_run_analysis_once_per_interval(db: neo4j.Driver, settings: Settings) -> None:
    key = ApiKeyService(db, settings).create_agent("lease-agent").token
    env = {"ENGRAM_ANALYZE_INTERVAL_S": str(INTERVAL_S), "ENGRAM_RETENTION_INTERVAL_S": "0",
           "ENGRAM_API_WORKERS": "1"}
    with ExitStack() as stack:
        running = [stack.enter_context(service(settings, name, env)) for name in ("lease-a", "lease-b")]
        wait_healthy([url for url, _ in running])
        deadline = time.monotonic() + 120
        while sum(len(intervals_run(log)) for _, log in running) < 4:  # both have been asking for a while
            assert time.monotonic() < deadline, "analysis did not run"
            time.sleep(0.5)
        for url, _ in running:  # either process answers reads
            assert GraphQLClient(url, key).execute("{ viewer { agentId } }")["viewer"]["agentId"] == "lease-agent"
    runs = Counter(slot for _, log in running for slot in intervals_run(log))
    assert runs and max(runs.values()) == 1, f"an interval ran twice: {runs}"
    lease = LeaseRepository(db, settings).show("pattern analysis")
    assert lease is not None and lease.claims == sum(runs.values()) and lease.slot == max(runs)


def test_an_interval_is_claimed_once(db: neo4j.Driver, settings: Settings) -> None:
    leases = LeaseRepository(db, settings)
    assert leases.claim("job", "a", slot=5)
    assert not leases.claim("job", "b", slot=5)
    assert not leases.claim("job", "a", slot=5)  # not even by its holder
    assert not leases.claim("job", "b", slot=4)  # nor an earlier interval
    assert leases.claim("job", "b", slot=6)
    lease = leases.show("job")
    assert lease is not None and (lease.slot, lease.holder, lease.claims) == (6, "b", 2)


def _memory_input(i: int):
    from engram.client.generated import MemoryKind, Outcome, RecordMemoryInput

    return RecordMemoryInput(kind=MemoryKind.DECISION, context=f"database migration {i} locked a table",
                             action="run-migration-online" if i % 3 else "take-maintenance-window",
                             outcome=Outcome.SUCCESS if i % 2 else Outcome.FAILURE, domain="db", id=f"two-proc-{i}")


def _stable(value):
    """A result without the counters every read bumps (access_count, last_accessed)."""
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in ("accessCount", "lastAccessed")}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def _same(first, second) -> bool:
    """Equal, but for scores within 1e-4: their recency part moves with the clock between two calls."""
    if isinstance(first, float) and isinstance(second, float):
        return abs(first - second) <= 1e-4
    if isinstance(first, dict) and isinstance(second, dict):
        return first.keys() == second.keys() and all(_same(first[k], second[k]) for k in first)
    if isinstance(first, list) and isinstance(second, list):
        return len(first) == len(second) and all(_same(a, b) for a, b in zip(first, second))
    return first == second


def test_two_processes_keep_one_audit_chain_and_both_answer_every_read(db: neo4j.Driver, settings: Settings) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from engram.client import EngramClient
    from engram.client.generated import GrantDirection, ShareScope

    issuer = ApiKeyService(db, settings)
    keys = {name: issuer.create_agent(name).token for name in ("alice", "bob")}
    env = {"ENGRAM_ANALYZE_INTERVAL_S": "0", "ENGRAM_RETENTION_INTERVAL_S": "0", "ENGRAM_API_WORKERS": "1"}
    with ExitStack() as stack:
        urls = [stack.enter_context(service(settings, name, env))[0] for name in ("two-a", "two-b")]
        wait_healthy(urls)
        alice = [stack.enter_context(EngramClient(url, keys["alice"])) for url in urls]
        bob = [stack.enter_context(EngramClient(url, keys["bob"])) for url in urls]

        # Writes through both processes at once: alice's memories, her grant, and bob's cross-agent reads,
        # each of which appends an audit event.
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda i: alice[i % 2].record_memory(_memory_input(i)), range(16)))
            alice[0].grant_access(grantee="bob", scope=ShareScope.DOMAIN, value="db")
            reads = list(pool.map(lambda i: bob[i % 2].retrieve_memories(f"migration {i} locked", k=5), range(24)))
        assert all(r.retrieve_memories and not r.retrieve_memories[0].owned for r in reads)  # alice's, shared

        verified = subprocess.run([str(Path(sys.executable).with_name("engram")), "audit", "verify", "-f", "json"],
                                  env=server_env(settings), cwd=REPO, capture_output=True, text=True, timeout=120)
        report = json.loads(verified.stdout)
        stored, _, _ = db.execute_query("MATCH (e:AuditEvent) RETURN count(e) AS n, count(DISTINCT e.seq) AS seqs",
                                        database_=settings.neo4j_database)
        # One chain: every stored event is a link of the chain verify walks (no fork, no second chain).
        assert verified.returncode == 0 and report["ok"], report
        assert report["checked"] == stored[0]["n"] == stored[0]["seqs"]
        events = [e.node for e in alice[1].audit_events(first=100).audit_events.edges]
        assert sum(e.type == "cross_agent_read" and e.actor_id == "bob" for e in events) == 24  # one per read

        # Every read answers the same through either process.
        alice_reads = {
            "memories": lambda c: c.my_memories(first=50),
            "memory": lambda c: c.memory("two-proc-3"),
            "grants": lambda c: c.grants(GrantDirection.GIVEN),
        }
        bob_reads = {"grants": lambda c: c.grants(GrantDirection.RECEIVED)}
        shared_reads = {
            "retrieve": lambda c: c.retrieve_memories("database migration locked a table", k=5),
            "search": lambda c: c.search_memories("migration", first=5),
            "suggest": lambda c: c.suggest("database migration locked a table", k=3),
            "predict": lambda c: c.predict_outcome("database migration locked a table", "run-migration-online"),
            "stats": lambda c: c.learning_stats(),
            "viewer": lambda c: c.viewer(),
        }
        for clients, reads_of in ((alice, alice_reads | shared_reads), (bob, bob_reads | shared_reads)):
            for name, read in reads_of.items():
                first, second = (_stable(read(c).model_dump(by_alias=True, mode="json")) for c in clients)
                assert _same(first, second), f"{name} differs between the processes: {first} != {second}"


def _children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _gone(pid: int) -> bool:
    """Exited (a zombie waiting for init to reap it counts as exited)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except FileNotFoundError:
        return True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers die with their supervisor on Linux")
def test_workers_die_with_their_supervisor(db: neo4j.Driver, settings: Settings) -> None:
    """kill -9 of `engram serve --workers 2` (the OOM killer, a crash) leaves no orphan worker holding the port."""
    port = free_port()
    env = {**server_env(settings), "ENGRAM_API_WORKERS": "2", "ENGRAM_ANALYZE_INTERVAL_S": "0",
           "ENGRAM_RETENTION_INTERVAL_S": "0"}
    log_path = REPO / ".engram" / f"test-supervised-{port}.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "engram.cli.main", "serve", "--port", str(port)],
                                   env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    workers: list[int] = []
    try:
        wait_healthy([url])
        workers = [pid for pid in _children(process.pid) if not _gone(pid)]
        assert len(workers) >= 2, workers  # (the supervisor may also run a resource tracker)
        process.kill()
        process.wait(timeout=30)
        deadline = time.monotonic() + 30
        while not all(_gone(pid) for pid in workers):
            assert time.monotonic() < deadline, f"workers outlived their supervisor: {workers}"
            time.sleep(0.2)
        with pytest.raises(httpx.ConnectError):
            httpx.get(url + "/health", timeout=5)
    finally:
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if process.poll() is None:
            process.kill()
