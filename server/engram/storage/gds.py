"""Graph Data Science: similarity graphs of embeddings (kNN) and their components (WCC).

Projections live in GDS's memory until dropped; every projection here is dropped in `finally`,
also when an algorithm fails."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from engram.storage.base import Repository

PROJECTIONS = {
    "failure_patterns": ("gds/project_failure_patterns", "embedding"),
    "decisions": ("gds/project_decisions", "context_embedding"),
}


class GraphAlgorithms(Repository):
    @contextmanager
    def projection(self, kind: str) -> Iterator[str]:
        query, _ = PROJECTIONS[kind]
        name = f"engram-{kind}-{uuid.uuid4().hex[:8]}"
        self._write(query, graph_name=name)
        try:
            yield name
        finally:
            self._write("gds/drop_graph", graph_name=name)

    def similarity_components(self, kind: str, *, top_k: int, cutoff: float) -> dict[str, int]:
        """Node id → component id of the kNN similarity graph (cutoff in GDS's (1 + cos) / 2 scale)."""
        _, prop = PROJECTIONS[kind]
        with self.projection(kind) as graph_name:
            self._write("gds/knn_mutate", graph_name=graph_name, property=prop, top_k=top_k, cutoff=cutoff)
            records = self._read("gds/wcc_components", graph_name=graph_name)
        return {r["id"]: r["componentId"] for r in records}
