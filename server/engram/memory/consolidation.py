"""Consolidation: near-duplicate memories of one agent fold into one that keeps counts and time range.

Two memories are duplicates when they share kind, action and outcome and their context embeddings
have cosine similarity >= threshold; duplicates form clusters (union-find), and the oldest member
of each cluster survives. Nothing is silently dropped: the survivor's `occurrences` and
`access_count` add up, `first_seen`/`last_seen` span all of them, and `merged_ids` /
`merged_contexts` keep what was folded in; every relationship moves to the survivor.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engram.errors import BadInputError
from engram.storage.memories import MemoryRepository

DEFAULT_THRESHOLD = 0.95


@dataclass
class ConsolidationReport:
    agent_id: str
    threshold: float
    dry_run: bool
    merges: list[dict] = field(default_factory=list)  # {"keep": id, "duplicates": [ids]}

    @property
    def folded(self) -> int:
        return sum(len(m["duplicates"]) for m in self.merges)


def duplicate_clusters(ids: list[str], embeddings: np.ndarray, threshold: float) -> list[list[str]]:
    """Clusters (in input order, oldest first) of ids whose vectors are pairwise linked by cos >= threshold."""
    norms = np.linalg.norm(embeddings, axis=1, keepdims=True)
    unit = embeddings / np.where(norms == 0, 1.0, norms)
    similar = unit @ unit.T >= threshold
    parent = list(range(len(ids)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in zip(*np.nonzero(np.triu(similar, k=1)), strict=True):
        ri, rj = find(int(i)), find(int(j))
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    clusters: dict[int, list[str]] = {}
    for index, memory_id in enumerate(ids):
        clusters.setdefault(find(index), []).append(memory_id)
    return [members for members in clusters.values() if len(members) > 1]


def consolidate(repository: MemoryRepository, agent_id: str, *, threshold: float = DEFAULT_THRESHOLD,
                dry_run: bool = False) -> ConsolidationReport:
    if not 0.5 <= threshold <= 1.0:
        raise BadInputError("The similarity threshold must lie between 0.5 and 1.0.")
    report = ConsolidationReport(agent_id, threshold, dry_run)
    for group in repository.consolidation_groups(agent_id):
        members = [m for m in group["members"] if m["embedding"] is not None]
        if len(members) < 2:
            continue
        vectors = np.asarray([m["embedding"] for m in members], dtype=np.float32)
        for cluster in duplicate_clusters([m["id"] for m in members], vectors, threshold):
            report.merges.append({"keep": cluster[0], "duplicates": cluster[1:]})
    if report.merges and not dry_run:
        repository.merge_duplicates(agent_id, report.merges)
    return report
