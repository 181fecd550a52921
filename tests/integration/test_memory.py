"""Memories on the real Neo4j with the real model: isolation, ranking, idempotency, consolidation, k."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import neo4j
import pytest

from engram.config import Settings
from engram.embeddings import SentenceTransformerEmbedder
from engram.entities.memory import MemoryKind
from engram.errors import NotFoundError
from engram.memory.builder import build_memory
from engram.memory.service import MemoryService
from engram.memory.text import lucene_query
from engram.seeding import load_seeds
from engram.privacy.audit import AuditLog
from engram.privacy.consent import ConsentService

pytestmark = pytest.mark.integration


def _count(db: neo4j.Driver, query: str = "MATCH (m:Memory) RETURN count(m) AS n", **params) -> int:
    return db.execute_query(query, params).records[0]["n"]


SECRET_CONTEXT = "quasar lattice rollout for the ledger service stalls at step seven"


def _alice_private(memories: MemoryService) -> str:
    memories.record(build_memory(agent="alice", kind="decision", context=SECRET_CONTEXT, action="pause-rollout",
                                 outcome="success", tags=["ledger"], domain="payments", memory_id="alice-private"))
    return "alice-private"


def test_bob_never_sees_alices_private_memory_through_any_path(memories: MemoryService, db: neo4j.Driver) -> None:
    _alice_private(memories)
    memories.record(build_memory(agent="bob", kind="decision", context="ledger service rollout", action="wait",
                                 outcome="partial", memory_id="bob-own"))
    # vector path (the shards of what bob may see), fulltext path, listing
    seen = {r.memory.id for r in memories.retrieve_relevant_memories("bob", SECRET_CONTEXT, k=10)}
    seen |= {r.memory.id for r in memories.search("quasar lattice ledger", agent_id="bob", k=10)}
    seen |= {r.memory.id for r in memories.retriever.retrieve("bob", SECRET_CONTEXT, 1)}
    seen |= {m.id for m in memories.list("bob")}
    assert "alice-private" not in seen
    assert "bob-own" in seen
    # the owner and the operator do see it
    assert memories.retrieve_relevant_memories("alice", SECRET_CONTEXT, k=1)[0].memory.id == "alice-private"
    assert memories.search("quasar lattice", agent_id=None, k=1)[0].memory.id == "alice-private"


def test_a_live_grant_shares_and_revoking_hides_at_once(memories: MemoryService, services) -> None:
    _alice_private(memories)
    consent = services.consent
    services.keys.create_agent("bob")
    grant = consent.grant("alice", grantee="bob", scope="tag", value="ledger",
                          expires_at=datetime.now(UTC) + timedelta(days=1))
    shared = memories.retrieve_relevant_memories("bob", SECRET_CONTEXT, k=5)
    assert [r.memory.id for r in shared] == ["alice-private"] and not shared[0].owned
    assert "alice-private" in {r.memory.id for r in memories.search("quasar lattice", agent_id="bob")}
    consent.revoke("alice", grant.id)
    assert memories.retrieve_relevant_memories("bob", SECRET_CONTEXT, k=5) == []
    assert memories.search("quasar lattice", agent_id="bob") == []
    expiring = consent.grant("alice", grantee="bob", scope="domain", value="payments",
                             expires_at=datetime.now(UTC) + timedelta(seconds=1))
    assert expiring.expires_at is not None
    time.sleep(1.5)  # the grant has expired now
    assert memories.retrieve_relevant_memories("bob", SECRET_CONTEXT, k=5) == []


def test_ranking_puts_the_relevant_seeded_memory_first_for_a_paraphrase(services, memories: MemoryService) -> None:
    load_seeds(services, log=lambda *_: None)
    top = memories.retrieve_relevant_memories("alice", "our sign-in calls to the identity service hang and time out", k=3)
    assert top[0].memory.domain == "auth"
    assert "retry-with-exponential-backoff" in {r.memory.action for r in top}
    undo = memories.retrieve_relevant_memories("bob", "how do I undo a schema change that broke production", k=3)
    assert undo[0].memory.domain == "db"
    ci = memories.retrieve_relevant_memories("dave", "package installation hangs on the build server", k=1)
    assert ci[0].memory.domain == "ci"


def test_recording_the_same_id_again_changes_nothing(memories: MemoryService, db: neo4j.Driver) -> None:
    first = memories.record(build_memory(agent="alice", kind="decision", context="api-auth-timeout",
                                         action="increase-timeout", outcome="failure", tags=["auth"], memory_id="m-1"))
    snapshot = db.execute_query("MATCH (m:Memory {id: 'm-1'})-[r]-() RETURN m {.*} AS m, count(r) AS rels").records[0]
    again = memories.record(build_memory(agent="alice", kind="decision", context="something else entirely",
                                         action="other-action", outcome="success", tags=["x"], memory_id="m-1"))
    after = db.execute_query("MATCH (m:Memory {id: 'm-1'})-[r]-() RETURN m {.*} AS m, count(r) AS rels").records[0]
    assert first.created and not again.created
    assert after["m"] == snapshot["m"] and after["rels"] == snapshot["rels"]
    assert _count(db) == 1


def test_secrets_are_filtered_before_storing(memories: MemoryService, db: neo4j.Driver) -> None:
    memories.record(build_memory(agent="alice", kind="failure", context="deploy with password=Sup3rS3cretPw! failed",
                                 error="auth failed for postgres://app:hunter2pass@db.internal:5432/orders",
                                 memory_id="m-secret"))
    stored = db.execute_query("MATCH (m:Memory {id: 'm-secret'}) RETURN m.context AS c, m.error_message AS e, m.text AS t").records[0]
    for text in (stored["c"], stored["e"], stored["t"]):
        assert "Sup3rS3cretPw!" not in text and "hunter2pass" not in text
    assert "[REDACTED" in stored["c"]


def test_consolidation_merges_near_duplicates_and_keeps_counts(memories: MemoryService, db: neo4j.Driver) -> None:
    now = datetime.now(UTC)
    for i, (context, days) in enumerate([("API auth timeout on token refresh", 9), ("API auth timeout on token refresh.", 5),
                                         ("api auth timeout on token refresh", 1)]):
        memories.record(build_memory(agent="alice", kind="decision", context=context, action="retry-with-backoff",
                                     outcome="success", tags=[f"t{i}"], memory_id=f"dup-{i}", created_at=now - timedelta(days=days)))
    memories.record(build_memory(agent="alice", kind="decision", context="API auth timeout on token refresh",
                                 action="increase-timeout", outcome="failure", memory_id="other-action"))
    memories.record(build_memory(agent="alice", kind="decision", context="database migration rolled back",
                                 action="retry-with-backoff", outcome="success", memory_id="other-context"))
    dry = memories.consolidate("alice", dry_run=True)
    assert dry.folded == 2 and _count(db) == 5
    report = memories.consolidate("alice")
    assert report.merges == [{"keep": "dup-0", "duplicates": ["dup-1", "dup-2"]}]
    kept = memories.show("dup-0")[0]
    assert kept.occurrences == 3
    assert sorted(kept.merged_ids) == ["dup-1", "dup-2"]
    assert (kept.last_seen - kept.first_seen).days == 8
    assert set(kept.tags) == {"t0", "t1", "t2"}
    assert _count(db, "MATCH (m:Memory {id: 'dup-0'})-[:TAGGED]->(t:Tag) RETURN count(t) AS n") == 3
    assert _count(db) == 3
    assert memories.consolidate("alice").folded == 0


def test_k_results_come_back_when_filtering_removes_the_nearest(memories: MemoryService, db: neo4j.Driver) -> None:
    crowd = [build_memory(agent="alice", kind="decision", context=f"api auth timeout number {i}", action="retry",
                          outcome="success", memory_id=f"alice-{i}") for i in range(300)]
    memories.record_many(crowd)
    memories.record_many([build_memory(agent="bob", kind="decision", context=f"bob's notes on cooking pasta {i}",
                                       action="boil", outcome="success", memory_id=f"bob-{i}") for i in range(5)])
    results = memories.retrieve_relevant_memories("bob", "api auth timeout", k=5)
    assert len(results) == 5
    assert {r.memory.agent_id for r in results} == {"bob"}
    assert len(memories.retrieve_relevant_memories("alice", "api auth timeout", k=50)) == 50


def test_batches_are_written_in_few_transactions_and_contexts_embedded_once(
    memories: MemoryService, db: neo4j.Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    batches, embedded = [], []
    real_write, real_embed = memories.repository.write_rows, memories.store.embedder.embed

    def counting_write(rows):
        batches.append(len(rows))
        return real_write(rows)

    def counting_embed(texts):
        embedded.append(len(set(texts)))
        return real_embed(texts)

    monkeypatch.setattr(memories.repository, "write_rows", counting_write)
    monkeypatch.setattr(memories.store.embedder, "embed", counting_embed)
    contexts = ["npm install timed out in CI", "flaky checkout test", "db migration failed"]
    batch = [build_memory(agent="carol", kind="decision", context=contexts[i % 3], action="retry", outcome="success",
                          memory_id=f"bulk-{i}") for i in range(2500)]
    summary = memories.record_many(batch)
    assert summary.created == 2500 and _count(db) == 2500
    assert sum(embedded) == 6  # 3 distinct contexts in each of the two embedding chunks
    from engram.storage.memories import WRITE_BATCH

    assert _count(db, "MATCH (:Agent {id: 'carol'})-[:REMEMBERS]->(m) RETURN count(m) AS n") == 2500
    assert all(size <= 2048 for size in batches) and len(batches) == 2
    assert WRITE_BATCH == 1000  # each write_rows call splits into ≤1000-row transactions


def test_reads_track_access_off_the_read_path(memories: MemoryService, db: neo4j.Driver) -> None:
    _alice_private(memories)
    memories.retrieve_relevant_memories("alice", SECRET_CONTEXT, k=1)
    memories.retrieve_relevant_memories("alice", SECRET_CONTEXT, k=1)
    memories.access.flush()
    record = db.execute_query("MATCH (m:Memory {id: 'alice-private'}) RETURN m.access_count AS n, m.last_accessed AS at").records[0]
    assert record["n"] == 2 and record["at"] is not None


def test_retrieval_reads_datetimes_exactly_as_the_driver_does(memories: MemoryService, db: neo4j.Driver) -> None:
    """hydrate.cypher returns datetimes as parts (faster to build than the driver's values): the same instants,
    offsets and microseconds as the driver's own values, a named zone and a time before 1970 included."""
    _alice_private(memories)
    db.execute_query("MATCH (m:Memory {id: 'alice-private'}) SET m.created_at = datetime('1969-12-31T23:59:59.5Z'), "
                     "m.first_seen = datetime('2026-03-01T10:00:00.123456+02:00'), "
                     "m.last_seen = datetime('2026-07-01T10:00:00.000001[Europe/Berlin]'), m.last_accessed = null")
    retrieved = memories.retrieve_relevant_memories("alice", SECRET_CONTEXT, k=1)[0].memory
    shown, _ = memories.show("alice-private", "alice")
    for name in ("created_at", "first_seen", "last_seen", "last_accessed"):
        got, expected = getattr(retrieved, name), getattr(shown, name)
        assert got == expected and (got is None or got.isoformat() == expected.isoformat()), name
    assert retrieved.last_seen.isoformat() == "2026-07-01T10:00:00.000001+02:00"


def test_forget_deletes_the_memory_and_its_index_entries(memories: MemoryService, db: neo4j.Driver) -> None:
    _alice_private(memories)
    memories.forget("alice-private", agent_id="alice")
    assert _count(db) == 0
    assert memories.search("quasar lattice", agent_id=None) == []
    hits = db.execute_query("CALL db.index.fulltext.queryNodes('memory_text', 'quasar') YIELD node RETURN count(node) AS n")
    assert hits.records[0]["n"] == 0
    with pytest.raises(NotFoundError):
        memories.forget("alice-private")


def test_every_memory_kind_is_stored_as_a_readable_graph(memories: MemoryService, db: neo4j.Driver) -> None:
    memories.record_many([
        build_memory(agent="alice", kind="decision", context="c1", action="a1", alternatives=["a2"], outcome="success", memory_id="k1"),
        build_memory(agent="alice", kind="failure", context="c2", error="Timeout after 30s", root_cause="slow", solution="fix", memory_id="k2"),
        build_memory(agent="alice", kind="success", context="c3", action="approach", key_factors=["f"], steps=["s"], memory_id="k3"),
        build_memory(agent="alice", kind="collaboration", context="c4", partners=["bob"], lessons=["l"], memory_id="k4"),
        build_memory(agent="alice", kind="knowledge", context="c5", domain="auth", entities=["idp"], content="x", memory_id="k5"),
    ])
    labels = {r["id"]: set(r["labels"]) for r in db.execute_query("MATCH (m:Memory) RETURN m.id AS id, labels(m) AS labels").records}
    shard = memories.repository.shards.label_of("alice")  # the owner's memory shard, whose vector index holds them
    assert labels == {"k1": {"Memory", "Decision", shard}, "k2": {"Memory", "Failure", shard},
                      "k3": {"Memory", "Success", shard}, "k4": {"Memory", "Collaboration", shard},
                      "k5": {"Memory", "Knowledge", shard}}
    rels = {(r["id"], r["type"], r["name"]) for r in db.execute_query(
        "MATCH (m:Memory)-[r]->(n) RETURN m.id AS id, type(r) AS type, coalesce(n.name, n.id) AS name").records}
    assert {("k1", "CHOSE", "a1"), ("k1", "CONSIDERED", "a2"), ("k4", "WITH_PARTNER", "bob"),
            ("k5", "IN_DOMAIN", "auth"), ("k5", "ABOUT", "idp"), ("k2", "CHOSE", "fix")} <= rels
    assert _count(db, "MATCH (:Agent {id: 'alice'})-[:REMEMBERS]->(m:Memory) RETURN count(m) AS n") == 5
    failure = memories.show("k2")[0]
    assert failure.kind is MemoryKind.failure and failure.content.error_signature != "Timeout after 30s"


def test_the_exploration_queries_run_on_the_demo_data(db: neo4j.Driver, settings: Settings, services) -> None:
    from engram.storage.catalog import QueryCatalog

    load_seeds(services, log=lambda *_: None)
    explore = QueryCatalog(settings.cypher_dir).group("explore")
    assert len(explore) >= 5
    for name, query in explore:
        records = db.execute_query(query, agent="alice", memory="seed-002").records
        assert records, f"{name} returned nothing on the demo data"


def _cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b)) / (sum(x * x for x in a) * sum(y * y for y in b)) ** 0.5


def test_keyword_matches_come_with_the_vector_stage_under_the_floor_and_keep_the_query_s_text_scale(
        memories: MemoryService, embedder: SentenceTransformerEmbedder, db: neo4j.Driver) -> None:
    """The keyword matches arrive in the vector stage's first statement; those under the similarity floor are
    dropped there, yet the best keyword score among all visible matches still sets text_match's scale."""
    query = "zephyr gearbox calibration drift"
    near = "zephyr wind turbine gear train misaligned over time"   # near in meaning, one keyword
    far = "pipette calibration drift in the chemistry lab"        # two keywords, far in meaning
    for memory_id, context in (("near", near), ("far", far)):
        memories.record(build_memory(agent="kw", kind="decision", context=context, action="act",
                                     outcome="success", memory_id=memory_id))
    q, n, f = embedder.embed([query, near, far])
    assert _cosine(q, n) > _cosine(q, f)
    min_similarity = (_cosine(q, n) + _cosine(q, f)) / 2
    lucene = lucene_query(query)
    scores = {r["id"]: r["score"] for r in db.execute_query(
        "CALL db.index.fulltext.queryNodes('memory_text', $q) YIELD node, score RETURN node.id AS id, score",
        {"q": lucene}).records}
    assert set(scores) == {"near", "far"} and scores["far"] > scores["near"]

    retrieval = memories.retriever.retrieve_explained("kw", query, 5, min_similarity=min_similarity)
    assert [c.ref.id for c in retrieval.vector.keyword] == ["near"]        # "far" lies under the floor
    assert retrieval.vector.best_keyword == pytest.approx(max(scores.values()))
    [found] = retrieval.results
    assert found.memory.id == "near" and found.text_match == pytest.approx(scores["near"] / max(scores.values()))
    # an agent with nothing to see: the statement still answers (one row, nothing in it)
    assert memories.retriever.retrieve_explained("nobody", query, 5).results == []
