"""Over real HTTP against a server with tight limits: a request's deadline reaches Neo4j (a request answered
DEADLINE_EXCEEDED leaves no transaction behind; engram.deadline, engram.storage.timeouts), and a response over
the size limit is answered RESPONSE_TOO_LARGE instead of being sent."""

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
MAX_RESPONSE_BYTES = 20_000
OLD_MEMORY_CAP = 1_000_000  # as if these memories were stored before the per-memory cap existed
LOCK_MARK = {"engram_test": "holds the lock"}


@pytest.fixture(scope="module")
def short_deadline_url(settings: Settings, driver: neo4j.Driver) -> Iterator[str]:
    """`engram serve` with a request deadline of DEADLINE_S, responses of at most MAX_RESPONSE_BYTES, memories
    of up to OLD_MEMORY_CAP characters, and no periodic jobs."""
    port = free_port()
    env = {**server_env(settings), "ENGRAM_API_REQUEST_TIMEOUT_S": str(DEADLINE_S),
           "ENGRAM_API_MAX_RESPONSE_BYTES": str(MAX_RESPONSE_BYTES), "ENGRAM_MEMORY_MAX_CHARS": str(OLD_MEMORY_CAP),
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
        "WHERE elapsedTime.milliseconds > 1000 RETURN transactionId, currentQuery, metaData, status",
        database_=settings.neo4j_database)
    return [f"{r['transactionId']} {r['status']}: {r['currentQuery'][:80]!r}" for r in records
            if r["metaData"] != LOCK_MARK and not r["currentQuery"].startswith("SHOW TRANSACTIONS")]


def record(client: GraphQLClient, memory: dict) -> str:
    """Record (idempotent by id), trying again while a busy machine makes the first tries run out of time."""
    query = "mutation($m: RecordMemoryInput!) { recordMemory(input: $m) { id } }"
    for _ in range(5):
        body = client.post(query, {"m": memory}).json()
        if not body.get("errors"):
            return body["data"]["recordMemory"]["id"]
    raise AssertionError(body)


def test_a_response_over_the_size_limit_is_an_error_instead(short_deadline_url: str, db: neo4j.Driver,
                                                            settings: Settings) -> None:
    client = GraphQLClient(short_deadline_url, ApiKeyService(db, settings).create_agent("verbose").token)
    for i in range(3):
        record(client, {"id": f"long-{i}", "kind": "KNOWLEDGE", "context": f"{i} " + "w" * 9_000,
                        "statement": "long", "domain": "ops"})
    response = client.post("{ memories(first: 10) { nodes { context } } }")
    assert response.status_code == 200 and len(response.content) < MAX_RESPONSE_BYTES
    errors = response.json()["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["RESPONSE_TOO_LARGE"], errors
    assert str(MAX_RESPONSE_BYTES) in errors[0]["message"]
    assert len(client.execute("{ memories(first: 1) { nodes { context } } }")["memories"]["nodes"]) == 1


def test_memories_stored_before_the_size_cap_are_kept_and_export(short_deadline_url: str, api_url: str,
                                                                 api_keys: dict[str, str]) -> None:
    """A memory larger than today's cap (65,536 characters), stored by a server with a larger one, is still
    read and exported whole by a server with the default cap; recording it again there is refused."""
    lessons = ["l" * 9_000] * 11  # 99,000 characters
    big = {"id": "big-one", "kind": "COLLABORATION", "context": "a long retrospective", "partners": ["bob"],
           "lessons": lessons}
    record(GraphQLClient(short_deadline_url, api_keys["alice"]), big)
    alice = GraphQLClient(api_url, api_keys["alice"])
    shown = alice.execute('{ memory(id: "big-one") { ... on CollaborationMemory { lessonsLearned } } }')["memory"]
    assert shown["lessonsLearned"] == lessons
    exported = alice.execute("{ exportKnowledge { memories document } }")["exportKnowledge"]
    assert exported["memories"] == 1
    assert exported["document"]["memories"][0]["content"]["lessons_learned"] == lessons
    errors = alice.errors("mutation($m: RecordMemoryInput!) { recordMemory(input: $m) { id } }",
                          {"m": {**big, "id": "big-two"}})
    assert [e["extensions"]["code"] for e in errors] == ["BAD_USER_INPUT"] and "65536" in errors[0]["message"]


def test_a_request_past_its_deadline_leaves_no_transaction_running(short_deadline_url: str, db: neo4j.Driver,
                                                                   settings: Settings) -> None:
    client = GraphQLClient(short_deadline_url, ApiKeyService(db, settings).create_agent("slowpoke").token)
    memory_id = record(client, {"id": "locked-1", "kind": "KNOWLEDGE", "context": "deadline test",
                                "statement": "kept while locked", "domain": "ops"})
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
            # Neo4j checks transaction timeouts every 2 s (db.transaction.monitor.check.interval); no attempt
            # starts after the deadline, so by then anything of the request's has run for over a second.
            time.sleep(2.5)
            left = lingering(db, settings)
            until = time.monotonic() + 4
            while left and time.monotonic() < until:
                time.sleep(0.25)
                left = lingering(db, settings)
            assert left == [], f"still running {time.monotonic() - started:.1f} s after the request began: {left}"
        finally:
            holder.rollback()
    # Nothing was lost: the memory the timed-out request tried to delete is still there, and readable.
    data = client.execute("query($id: ID!) { memory(id: $id) { id } }", {"id": memory_id})
    assert data["memory"]["id"] == memory_id
