"""Memory shards on the real stack: the vector stage of an agent that holds 1 % of all memories searches only
the shards of what it may see, needs no exact scan, returns k results and finds the exact nearest visible
memories; a database made before shards is migrated in place."""

from __future__ import annotations

import neo4j
import numpy as np
import pytest

from bench.perf_data import make_inputs
from engram.config import Settings
from engram.embeddings import SentenceTransformerEmbedder
from engram.memory.builder import build_memory
from engram.memory.vector_stage import first_fetch
from engram.services import build_services
from engram.storage.schema import apply_schema
from engram.storage.shards import ShardLayout, is_shard_label

pytestmark = pytest.mark.integration

AGENTS = [f"agent-{i:03d}" for i in range(100)]
SMALL, GRANTOR = AGENTS[0], AGENTS[1]
PER_AGENT = 30  # 100 agents: each holds 1 % of the 3,000 memories
SHARDS = 16     # fewer shards than the default, so that each one holds several agents' memories
QUERIES = [
    "calls to the checkout API keep timing out for customers in production",
    "the billing schema migration broke the release, what now?",
    "our pipeline hangs on installing node packages for search",
    "a ledger unit test passes locally but sometimes fails in CI",
    "payments is overloaded and answers service unavailable",
    "auth-gateway cannot renew its access token and gets unauthorized",
    "the inventory database server is almost out of disk space",
    "after restarting reports the cache hit rate collapsed",
    "shipping database queries are very slow and connections run out",
    "certificate problems when connecting to notifications after the renewal",
    "DNS for user-profile points at an old address",
    "sessions of recommendations users vanish after a failover",
]


def _memories() -> list:
    built = []
    for i, (_, item) in enumerate(make_inputs(0, PER_AGENT * len(AGENTS))):
        action = item.get("action") or item.get("solution") or "rollback"
        built.append(build_memory(agent=AGENTS[i % len(AGENTS)], kind="decision", context=item["context"],
                                  action=action, outcome="success", domain=item["domain"], memory_id=item["id"]))
    return built


def _visible(db: neo4j.Driver) -> tuple[list[str], np.ndarray]:
    records = db.execute_query(
        "MATCH (m:Memory) WHERE m.agent_id = $small OR (m.agent_id = $grantor AND m.domain = 'db') "
        "RETURN m.id AS id, m.context_embedding AS e", small=SMALL, grantor=GRANTOR).records
    matrix = np.array([r["e"] for r in records], dtype=np.float64)
    return [r["id"] for r in records], matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def test_an_agent_with_one_percent_of_the_memories_gets_k_exact_neighbours_from_its_shards_alone(
        db: neo4j.Driver, embedder: SentenceTransformerEmbedder, settings: Settings) -> None:
    sharded = settings.model_copy(update={"memory_shards": SHARDS})
    services = build_services(sharded, db, embedder)
    try:
        services.memories.record_many(_memories())
        services.consent.grant(GRANTOR, grantee=SMALL, scope="domain", value="db")
        layout = ShardLayout(SHARDS)
        expected_shards = tuple(sorted({layout.of(SMALL), layout.of(GRANTOR)}))
        sizes = {r["label"]: r["n"] for r in db.execute_query(
            "MATCH (m:Memory) UNWIND labels(m) AS label WITH label WHERE label STARTS WITH 'MemoryShard' "
            "RETURN label, count(*) AS n").records}
        searched_size = sum(sizes[layout.labels[s]] for s in expected_shards)
        ids, matrix = _visible(db)
        assert len(ids) < 0.02 * PER_AGENT * len(AGENTS)  # own 1 % plus the granted domain of one other agent
        recalls, fetched, misses = [], [], []
        for query in QUERIES:
            found = services.memories.retriever.retrieve_explained(SMALL, query, 10)
            stage = found.vector
            assert len(found.results) == 10
            assert stage.shards == expected_shards  # only the shards that hold what SMALL may see
            assert stage.complete                   # no shard can hold a better visible memory
            vector = np.array(embedder.embed([query])[0], dtype=np.float64)
            cosines = matrix @ (vector / np.linalg.norm(vector))
            exact = {ids[i] for i in np.argsort(-cosines)[:10]}
            got = {c.ref.id for c in stage.candidates[:10]}
            recalls.append(len(got & exact) / 10)
            if got != exact:  # what was missed, and how close it came (cosines), for the failure message
                by_id = dict(zip(ids, cosines))
                misses.append((query, sorted(float(by_id[i]) for i in exact - got), sorted(float(by_id[i]) for i in got - exact),
                               stage.rounds, stage.fetched))
            fetched.append(stage.fetched)
        assert np.mean(recalls) >= 0.99, misses
        # The index results read, over all rounds, stay below what the two shards hold: no scan of them.
        assert max(fetched) < searched_size, (fetched, searched_size)
        assert min(fetched) >= first_fetch(10, 10, 100)
    finally:
        services.close()


def test_a_database_made_before_shards_is_labelled_and_searched_after_migrate(
        db: neo4j.Driver, embedder: SentenceTransformerEmbedder, settings: Settings) -> None:
    services = build_services(settings, db, embedder)
    try:
        for agent in ("alice", "bob"):
            services.memories.record(build_memory(agent=agent, kind="decision", action="rollback", outcome="success",
                                                  context=f"{agent}: the checkout deploy failed during a migration"))
        # What the code before shards left: no shard labels, no layout, one global vector index.
        db.execute_query("MATCH (m:Memory) REMOVE m:$($labels)", labels=ShardLayout(settings.memory_shards).labels)
        db.execute_query("MATCH (l:MemoryShardLayout) DELETE l")
        db.execute_query("CREATE VECTOR INDEX memory_context_embedding IF NOT EXISTS FOR (m:Memory) ON m.context_embedding "
                         "OPTIONS {indexConfig: {`vector.dimensions`: 384, `vector.similarity_function`: 'cosine'}}")
        assert services.memories.retriever.retrieve_explained("alice", "checkout deploy failed", 5).vector.shards == ()

        apply_schema(db, settings)

        labels = {r["agent"]: r["labels"] for r in db.execute_query(
            "MATCH (m:Memory) RETURN m.agent_id AS agent, [l IN labels(m) WHERE l STARTS WITH 'MemoryShard'] AS labels").records}
        layout = ShardLayout(settings.memory_shards)
        assert labels == {"alice": [layout.label_of("alice")], "bob": [layout.label_of("bob")]}
        assert all(is_shard_label(label) for found in labels.values() for label in found)
        names = {r["name"] for r in db.execute_query("SHOW VECTOR INDEXES YIELD name RETURN name").records}
        assert "memory_context_embedding" not in names
        found = services.memories.retrieve_relevant_memories("alice", "checkout deploy failed", 5)
        assert [(r.memory.agent_id, r.memory.content.chosen_action) for r in found] == [("alice", "rollback")]
        assert db.execute_query("MATCH (l:MemoryShardLayout) RETURN l.count AS n").records[0]["n"] == layout.count

        # Another shard count relabels every memory and drops the indexes it no longer uses.
        fewer = settings.model_copy(update={"memory_shards": 2})
        apply_schema(db, fewer)
        relabelled = db.execute_query("MATCH (m:Memory) RETURN m.agent_id AS agent, "
                                      "[l IN labels(m) WHERE l STARTS WITH 'MemoryShard'] AS labels").records
        assert {r["agent"]: r["labels"] for r in relabelled} == {a: [ShardLayout(2).label_of(a)] for a in ("alice", "bob")}
        names = {r["name"] for r in db.execute_query("SHOW VECTOR INDEXES YIELD name RETURN name").records}
        assert not any(name.startswith("memory_shard_") and name not in ShardLayout(2).indexes for name in names)
    finally:
        services.close()
        apply_schema(db, settings)  # the session's shard count again, for the tests that follow
