"""Several service processes on one Neo4j: periodic analysis runs once per interval between them (a lease
in Neo4j), and either process answers reads."""

from __future__ import annotations

import re
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
