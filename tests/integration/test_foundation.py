"""The foundation against the real server: schema, GDS, the vector index with real embeddings."""

from __future__ import annotations

import uuid

import neo4j
import pytest
from graphdatascience import GraphDataScience

from engram.config import Settings
from engram.embeddings import SentenceTransformerEmbedder
from engram.storage.health import check_database
from engram.storage.schema import apply_schema
from engram.storage.shards import ShardLayout, shard_index

pytestmark = pytest.mark.integration


def test_schema_is_applied_and_every_index_is_online(db: neo4j.Driver, settings: Settings) -> None:
    health = check_database(db, settings)
    states = {index.name: (index.type, index.state) for index in health.indexes}
    layout = ShardLayout(settings.memory_shards)
    assert all(states[name] == ("VECTOR", "ONLINE") for name in layout.indexes)
    assert "memory_context_embedding" not in states  # the one global index gave way to the shards' indexes
    assert states["memory_text"] == ("FULLTEXT", "ONLINE")
    assert all(state == "ONLINE" for _, state in states.values())
    records, _, _ = db.execute_query(
        "SHOW VECTOR INDEXES YIELD name, labelsOrTypes, options WHERE name STARTS WITH 'memory_shard_' "
        "RETURN name, labelsOrTypes AS labels, options"
    )
    assert {r["name"]: r["labels"] for r in records} == {name: [label] for name, label in zip(layout.indexes, layout.labels)}
    for record in records:
        config = record["options"]["indexConfig"]
        assert config["vector.dimensions"] == 384
        assert config["vector.similarity_function"] == "COSINE"


def test_applying_the_schema_twice_changes_nothing(db: neo4j.Driver, settings: Settings) -> None:
    before = {i.name for i in check_database(db, settings).indexes}
    apply_schema(db, settings)
    after = {i.name for i in check_database(db, settings).indexes}
    assert before == after
    records, _, _ = db.execute_query("SHOW CONSTRAINTS YIELD name RETURN count(*) AS n")
    assert records[0]["n"] >= 13


def test_gds_answers_its_version(db: neo4j.Driver) -> None:
    records, _, _ = db.execute_query("RETURN gds.version() AS version")
    assert records[0]["version"].startswith("2.13.")


def test_gds_algorithms_run_through_the_python_client(db: neo4j.Driver, settings: Settings) -> None:
    gds = GraphDataScience(getattr(db, "raw", db), database=settings.neo4j_database)  # the fail-fast wrapper's driver
    assert str(gds.server_version()).startswith("2.13")
    # two clusters of points in 2-D, far apart
    db.execute_query(
        "UNWIND range(0, 9) AS i CREATE (:Point {i: i, v: CASE WHEN i < 5 THEN [1.0, 0.0 + i * 0.01] ELSE [0.0, 1.0 + i * 0.01] END})"
    )
    name = f"test-{uuid.uuid4().hex[:8]}"
    graph = gds.graph.project.native(name, "Point", "*", node_properties=["v"])
    try:
        knn = gds.knn.mutate(graph.graph, node_properties="v", top_k=2, mutate_relationship_type="SIMILAR",
                             mutate_property="score", random_seed=7, concurrency=1)
        assert knn.relationships_written == 20
        components = gds.wcc.stream(graph.graph, relationship_types=["SIMILAR"])
        assert components["componentId"].nunique() == 2
    finally:
        gds.graph.drop(name)
    assert name not in {info.graph_name for info in gds.graph.list()}


def test_a_real_embedding_is_stored_and_found_by_the_vector_index(
    db: neo4j.Driver, embedder: SentenceTransformerEmbedder
) -> None:
    texts = [
        "API authentication request timed out after 30 seconds",
        "database migration failed and had to be rolled back",
        "npm install timed out in the CI pipeline",
    ]
    vectors = embedder.embed(texts)
    assert all(len(vector) == 384 for vector in vectors)
    db.execute_query(
        "UNWIND $rows AS row CREATE (m:Memory:MemoryShard00 {id: row.id, context: row.text}) "
        "WITH m, row CALL db.create.setNodeVectorProperty(m, 'context_embedding', row.vector)",
        rows=[{"id": f"m{i}", "text": t, "vector": v} for i, (t, v) in enumerate(zip(texts, vectors))],
    )
    query = embedder.embed(["the login API keeps timing out"])[0]
    records, _, _ = db.execute_query(
        "CALL db.index.vector.queryNodes($index, 3, $q) YIELD node, score "
        "RETURN node.id AS id, score",
        q=query, index=shard_index(0),
    )
    assert [r["id"] for r in records][0] == "m0"
    assert records[0]["score"] > records[1]["score"]
    stored, _, _ = db.execute_query("MATCH (m:Memory {id: 'm1'}) RETURN m.context_embedding AS v")
    assert stored[0]["v"] == pytest.approx(vectors[1], abs=1e-6)
