"""Graph Data Science through its Python client: similarity graphs of embeddings (kNN) and their
components (WCC).

Projections live in GDS's memory until dropped; every projection here is dropped in `finally`,
also when an algorithm fails."""

from __future__ import annotations

import uuid
from collections.abc import Hashable
from functools import cached_property
from typing import Any

from graphdatascience import GraphDataScience

from engram.entities.memory import MemoryRef
from engram.storage.base import Repository
from engram.storage.connection import map_driver_errors

# kind → (Cypher projection in cypher/gds/, the embedding property kNN compares)
PROJECTIONS = {
    "failure_patterns": ("gds/project_failure_patterns", "embedding"),
    "decisions": ("gds/project_decisions", "context_embedding"),
}


class GraphAlgorithms(Repository):
    @cached_property
    def gds(self) -> GraphDataScience:
        """The client, made on first use: making it asks the server for its GDS version."""
        with map_driver_errors(self.uri):
            # The GDS client takes only a real neo4j.Driver, not the fail-fast wrapper around it.
            driver = getattr(self.driver, "raw", self.driver)
            return GraphDataScience(driver, database=self.database, arrow=False, show_progress=False)

    def similarity_components(self, kind: str, *, top_k: int, cutoff: float) -> dict[Hashable, int]:
        """Node key → component id of the kNN similarity graph (cutoff in GDS's (1 + cos) / 2 scale). A
        pattern's key is its id; a memory's is its MemoryRef (memory ids are per agent)."""
        query, embedding = PROJECTIONS[kind]
        name = f"engram-{kind}-{uuid.uuid4().hex[:8]}"
        gds = self.gds
        with map_driver_errors(self.uri):
            # A Cypher projection: only nodes that have the embedding (a native projection fails when
            # one of its labels has no node yet).
            try:
                graph, _ = gds.graph.project.cypher(self.queries.get(query), graph_name=name)
            except ValueError:
                # With no node to project, gds.graph.project returns null and makes no graph, which
                # the client refuses with a ValueError; one raised after a graph was made is a real
                # failure (the graph is dropped, the error raised).
                if not gds.graph.exists(name):
                    return {}
                gds.graph.drop(name, fail_if_missing=False)
                raise
            try:
                # concurrency 1 with a seed and a full sample: the same graph every run
                gds.knn.mutate(graph, mutate_relationship_type="SIMILAR", mutate_property="score",
                               node_properties=[embedding], top_k=top_k, similarity_cutoff=cutoff,
                               sample_rate=1.0, delta_threshold=0.0, random_seed=42, concurrency=1)
                components = gds.wcc.stream(graph, relationship_types=["SIMILAR"])
                nodes = gds.util.as_nodes(components["nodeId"].tolist())
            finally:
                graph.drop(fail_if_missing=False)
        return {_key(node): int(component) for node, component in zip(nodes, components["componentId"])}


def _key(node: Any) -> Hashable:
    return MemoryRef(node["agent_id"], node["id"]) if "Memory" in node.labels else node["id"]
