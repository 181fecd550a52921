"""A request's deadline reaches Neo4j: a request answered DEADLINE_EXCEEDED leaves no transaction behind
(engram.deadline, engram.storage.timeouts), over real HTTP against a server with a short deadline."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import neo4j
import pytest

from engram.auth.service import ApiKeyService
from engram.config import Settings
from tests.conftest import REPO, GraphQLClient, free_port, server_env

pytestmark = pytest.mark.integration

DEADLINE_S = 4.0
LOCK_MARK = {"engram_test": "holds the lock"}


@pytest.fixture(scope="module")
def short_deadline_url(settings: Settings, driver: neo4j.Driver) -> Iterator[str]:
    """`engram serve` with a request deadline of DEADLINE_S and no periodic jobs."""
    port = free_port()
    env = {**server_env(settings), "ENGRAM_API_REQUEST_TIMEOUT_S": str(DEADLINE_S),
           "ENGRAM_ANALYZE_INTERVAL_S": "0", "ENGRAM_RETENTION_INTERVAL_S": "0"}
    log_path = REPO / ".engram" / f"test-deadline-{port}.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "engram.cli.main", "serve", "--port", str(port)],
                                   env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            until = time.monotonic() + 120
            while True:
                assert process.poll() is None, log_path.read_text()[-3000:]
                try:
                    if httpx.get(url + "/health", timeout=5).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < until, "the short-deadline server did not start"
                time.sleep(0.3)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)


def lingering(driver: neo4j.Driver, settings: Settings) -> list[str]:
    """Transactions running for over a second that are neither this listing nor the test's own lock."""
    records, _, _ = driver.execute_query(
        "SHOW TRANSACTIONS YIELD transactionId, currentQuery, metaData, elapsedTime, status "
        "WHERE elapsedTime > duration({seconds: 1}) RETURN transactionId, currentQuery, metaData, status",
        database_=settings.neo4j_database)
    return [f"{r['transactionId']} {r['status']}: {r['currentQuery'][:80]!r}" for r in records
            if r["metaData"] != LOCK_MARK and not r["currentQuery"].startswith("SHOW TRANSACTIONS")]


def test_a_request_past_its_deadline_leaves_no_transaction_running(short_deadline_url: str, db: neo4j.Driver,
                                                                   settings: Settings) -> None:
    client = GraphQLClient(short_deadline_url, ApiKeyService(db, settings).create_agent("slowpoke").token)
    record = ('mutation { recordMemory(input: {id: "locked-1", kind: KNOWLEDGE, context: "deadline test", '
              'statement: "kept while locked", domain: "ops"}) { id } }')
    for _ in range(5):  # recording is idempotent by id; on a busy machine the first tries may run out of time
        body = client.post(record).json()
        if not body.get("errors"):
            break
    assert not body.get("errors"), body
    memory_id = body["data"]["recordMemory"]["id"]
    # Another client holds a write lock on the memory, so deleting it waits: a slow transaction.
    with db.session(database=settings.neo4j_database) as session:
        holder = session.begin_transaction(metadata=LOCK_MARK)
        try:
            holder.run("MATCH (m:Memory) SET m.held_by_test = true").consume()
            started = time.monotonic()
            response = client.post("mutation($id: ID!) { forgetMemory(id: $id) { __typename } }", {"id": memory_id}, timeout=60)
            elapsed = time.monotonic() - started
            errors = response.json().get("errors") or []
            assert [e["extensions"]["code"] for e in errors] == ["DEADLINE_EXCEEDED"], response.text
            assert elapsed < DEADLINE_S + 2, elapsed
            # Neo4j checks transaction timeouts every 2 s (db.transaction.monitor.check.interval).
            left = lingering(db, settings)
            until = time.monotonic() + 5
            while left and time.monotonic() < until:
                time.sleep(0.25)
                left = lingering(db, settings)
            assert left == [], f"still running {time.monotonic() - started:.1f} s after the request began: {left}"
        finally:
            holder.rollback()
    # Nothing was lost: the memory the timed-out request tried to delete is still there, and readable.
    data = client.execute("query($id: ID!) { memory(id: $id) { id } }", {"id": memory_id})
    assert data["memory"]["id"] == memory_id
