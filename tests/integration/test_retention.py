"""Retention on the real Neo4j: policies, real deletion (no search of any kind finds a deleted memory),
dry runs, max count, min confidence, the most specific policy winning, the scheduler, and the CLI."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import neo4j
import pytest

from engram.config import Settings
from engram.embeddings import SentenceTransformerEmbedder
from engram.errors import BadInputError, NotFoundError
from engram.memory import vector_stage
from engram.memory.builder import build_memory
from engram.memory.service import MemoryService
from engram.privacy.audit import AuditLog
from engram.privacy.consent import ConsentService
from engram.privacy.retention import RetentionScheduler, RetentionService
from tests.conftest import run_cli, server_env

pytestmark = pytest.mark.integration

DOOMED = "zephyr obsidian cache stampede during the nightly reindex"
NOW = datetime.now(UTC)


def _ids(db: neo4j.Driver) -> set[str]:
    return {r["id"] for r in db.execute_query("MATCH (m:Memory) RETURN m.id AS id").records}


def _record(memories: MemoryService, memory_id: str, *, agent: str = "alice", days: float = 0, kind: str = "decision",
            context: str | None = None, confidence: float = 0.5) -> None:
    extra = {"action": "retry", "outcome": "success"} if kind == "decision" else {"error": "Timeout after 30s"}
    memories.record(build_memory(agent=agent, kind=kind, context=context or f"{memory_id} context", confidence=confidence,
                                 memory_id=memory_id, created_at=NOW - timedelta(days=days), tags=["ops"], **extra))


def test_cleanup_deletes_for_real_and_no_search_finds_the_text(
    memories: MemoryService, retention: RetentionService, audit: AuditLog, db: neo4j.Driver,
    embedder: SentenceTransformerEmbedder, settings: Settings, consent: ConsentService,
) -> None:
    for i in range(3):
        _record(memories, f"old-{i}", days=90, context=f"{DOOMED} #{i}")
    _record(memories, "fresh", days=1, context="fresh notes on the nightly reindex")
    _record(memories, "bob-old", agent="bob", days=90, context=f"{DOOMED} (bob)")
    consent.grant("alice", grantee="bob", scope="memory", memory_ids=["old-0", "fresh"])
    retention.set_policy("alice", max_age=timedelta(days=30))

    dry = retention.cleanup(dry_run=True)
    assert (dry.candidates, dry.deleted, dry.by_agent, dry.by_reason) == (3, 0, {"alice": 3}, {"max_age": 3})
    assert len(_ids(db)) == 5

    report = retention.cleanup()
    assert (report.deleted, report.by_agent, report.by_reason) == (3, {"alice": 3}, {"max_age": 3})
    assert _ids(db) == {"fresh", "bob-old"}  # bob has no policy; his memory stays

    # no path finds the deleted text any more: hybrid search, the vector stage, every index, any property
    assert {r.memory.id for r in memories.search(DOOMED, agent_id=None, k=50)} == {"fresh", "bob-old"}
    assert {r.memory.id for r in memories.retrieve_relevant_memories("alice", DOOMED, k=50)} == {"fresh"}
    stage = vector_stage.search(memories.repository, embedder.embed([DOOMED])[0], "alice", 50, fetch=100)
    assert [c.ref.id for c in stage.candidates] == ["fresh"]
    vector = db.execute_query("UNWIND $indexes AS index CALL db.index.vector.queryNodes(index, 100, $e) YIELD node "
                              "RETURN collect(node.id) AS ids", e=embedder.embed([DOOMED])[0],
                              indexes=memories.repository.shards.indexes).records[0]["ids"]
    assert sorted(vector) == ["bob-old", "fresh"]
    fulltext = db.execute_query("CALL db.index.fulltext.queryNodes('memory_text', 'zephyr OR obsidian') YIELD node "
                                "RETURN collect(node.id) AS ids").records[0]["ids"]
    assert fulltext == ["bob-old"]
    leftovers = db.execute_query(
        "MATCH (n) WHERE NOT n:Memory OR n.agent_id <> 'bob' UNWIND keys(n) AS k WITH n, k, n[k] AS v "
        "WHERE (v IS :: STRING AND v CONTAINS 'zephyr') OR (v IS :: LIST<STRING> AND any(x IN v WHERE x CONTAINS 'zephyr')) "
        "RETURN count(*) AS n").records[0]["n"]
    assert leftovers == 0  # not in audit details, grants or other nodes either
    assert db.execute_query("MATCH ()-[r]->() WHERE startNode(r).id STARTS WITH 'old-' RETURN count(r) AS n").records[0]["n"] == 0
    grant_ids = db.execute_query("MATCH (g:ShareGrant) RETURN g.memory_ids AS ids").records[0]["ids"]
    assert grant_ids == ["fresh"]  # deleted ids leave memory-scoped grants

    again = retention.cleanup()
    assert again.deleted == 0 and again.candidates == 0  # idempotent
    cleanup_events = audit.events("alice", types=["cleanup"])
    assert len(cleanup_events) == 1 and sorted(cleanup_events[0].subject_ids) == ["old-0", "old-1", "old-2"]
    assert audit.verify().ok


def test_count_confidence_and_the_most_specific_policy(memories: MemoryService, retention: RetentionService,
                                                       db: neo4j.Driver) -> None:
    for i in range(5):
        _record(memories, f"dec-{i}", days=10 + i)  # dec-0 newest
    _record(memories, "dec-doubtful", days=1, confidence=0.1)
    _record(memories, "fail-old", days=200, kind="failure")
    _record(memories, "carol-old", agent="carol", days=400)
    retention.set_policy("*", max_age=timedelta(days=365))
    retention.set_policy("alice", max_age=timedelta(days=30))
    retention.set_policy("alice", "decision", max_count=3, min_confidence=0.2)  # decisions: no age limit

    expired = {e.id: e.reason for e in retention.expired()}
    assert expired == {"dec-doubtful": "min_confidence", "dec-3": "max_count", "dec-4": "max_count",
                       "fail-old": "max_age", "carol-old": "max_age"}
    assert {e.id for e in retention.expired("carol")} == {"carol-old"}
    report = retention.cleanup(agent_id="alice")
    assert report.deleted == 4 and "carol-old" in _ids(db)
    assert {p.id for p in retention.policies("alice")} == {"*/*", "alice/*", "alice/decision"}
    assert {p.id for p in retention.policies("carol")} == {"*/*"}
    retention.set_policy("alice", "decision", max_count=3, min_confidence=0.2)  # the same again: a no-op
    assert len(retention.policies()) == 3
    retention.remove_policy("alice", "decision")
    with pytest.raises(NotFoundError):
        retention.remove_policy("alice", "decision")
    for bad in (dict(), dict(max_count=-1), dict(min_confidence=2.0), dict(max_age=timedelta(0))):
        with pytest.raises(BadInputError):
            retention.set_policy("alice", **bad)
    with pytest.raises(BadInputError):
        retention.set_policy("alice", "dream", max_count=1)


def test_forget_is_real_and_audited(memories: MemoryService, audit: AuditLog, db: neo4j.Driver) -> None:
    _record(memories, "gone", context=DOOMED)
    with pytest.raises(NotFoundError):
        memories.forget("gone", agent_id="bob")  # not bob's
    memories.forget("gone", agent_id="alice")
    assert _ids(db) == set() and memories.search(DOOMED, agent_id=None) == []
    with pytest.raises(NotFoundError):
        memories.forget("gone")
    assert [(e.type, e.subject_ids, e.details.get("via")) for e in audit.events("alice", types=["delete"])] == [
        ("delete", ["gone"], "forget")]


def test_the_service_runs_cleanup_on_a_schedule(memories: MemoryService, retention: RetentionService,
                                                db: neo4j.Driver) -> None:
    _record(memories, "stale", days=10)
    retention.set_policy("alice", max_age=timedelta(days=5))

    async def run() -> int:
        scheduler = RetentionScheduler(retention, interval_s=0.2)
        scheduler.start()
        for _ in range(100):
            await asyncio.sleep(0.1)
            if scheduler.runs:
                break
        await scheduler.stop()
        return scheduler.runs

    assert asyncio.run(run()) >= 1
    assert _ids(db) == set()
    assert RetentionScheduler(retention, interval_s=0)._task is None  # 0 turns it off


def test_retention_cli(memories: MemoryService, settings: Settings, db: neo4j.Driver) -> None:
    env = server_env(settings)
    _record(memories, "cli-old", days=100)
    _record(memories, "cli-new", days=1)
    made = run_cli("retention", "set", "--agent", "alice", "--max-age", "30d", "--format", "json", env=env)
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["max_age_days"] == 30
    shown = json.loads(run_cli("retention", "show", "--format", "json", env=env).stdout)
    assert [(p["agent_id"], p["memory_type"]) for p in shown] == [("alice", "*")]
    dry = run_cli("memory", "cleanup", "--dry-run", "--format", "json", env=env)
    assert dry.returncode == 0 and json.loads(dry.stdout)["candidates"] == 1 and len(_ids(db)) == 2
    done = run_cli("memory", "cleanup", "--agent", "alice", "--quiet", env=env)
    assert done.returncode == 0 and "deleted 1 memories" in done.stdout
    assert _ids(db) == {"cli-new"}
    assert json.loads(run_cli("retention", "cleanup", "--format", "json", env=env).stdout)["deleted"] == 0
    no_limit = run_cli("retention", "set", "--agent", "alice", env=env)
    assert no_limit.returncode == 2 and "[BAD_USER_INPUT]" in no_limit.stderr
    missing = run_cli("retention", "remove", "--agent", "nobody", env=env)
    assert missing.returncode == 1 and "[NOT_FOUND]" in missing.stderr
    for command in (["retention", "--help"], ["memory", "cleanup", "--help"], ["retention", "set", "--help"]):
        assert run_cli(*command, env=env).returncode == 0
