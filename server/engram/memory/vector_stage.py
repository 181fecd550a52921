"""The vector stage of retrieval over memory shards: the best k memories the agent may see by cosine, without
an exact scan over what it may see.

Neo4j's vector index picks its nearest nodes before any filter, so each shard is asked for `fetch` nodes and
the ones the agent may not see are dropped. A shard whose index returned fewer than asked holds no more. For
a shard that returned all it was asked for, every node it did not return scores at most its lowest returned
score; once that lowest score is at or below the k-th best visible score found over all shards (or below the
similarity floor), nothing left in the shard can enter the top k. Shards for which that does not hold yet are
asked again, for more — until it holds for all of them or they are exhausted. (Scores within one shard are
the index's approximate order; the bound is as exact as the index.)
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from engram.storage.memories import Candidate, KeywordQuery, MemoryRepository, ShardHits

GROWTH_MIN = 2      # a shard asked again is asked for at least twice as many …
GROWTH_MAX = 8      # … and at most eight times as many as before
TARGET_VISIBLE = 2  # … aiming at this many times k visible nodes, at the visible rate it has shown
MAX_ROUNDS = 8      # 100 · 8^7 nodes: far past any shard, so every shard is resolved or exhausted before this


@dataclass(frozen=True)
class VectorStage:
    """The candidates of one query (best first), and what it took: the shards searched, the rounds of index queries, the
    index results read over all rounds, and whether the bound above holds for every shard (`complete`); with them,
    the keyword matches its first round brought when asked for them, and their best keyword score."""

    candidates: list[Candidate]
    shards: tuple[int, ...]
    rounds: int
    fetched: int
    complete: bool
    keyword: list[Candidate]
    best_keyword: float | None


def first_fetch(k: int, overfetch_factor: int, min_fetch: int) -> int:
    """Nodes each shard is asked for first: over-fetched, because the index's own recall at its top 10 is lower
    than at its top 100, and because other owners share the shard."""
    return max(k * overfetch_factor, min_fetch, k)


def operator_fetch(k: int, fetch: int) -> int:
    """Per shard when everything is visible (operator access, every shard searched): nothing is filtered out,
    so twice k (at least 20, for the index's own recall) suffices — and the bound still asks again any shard
    that holds more of the top k."""
    return min(fetch, max(2 * k, 20))


def next_fetch(probe: ShardHits, k: int) -> int:
    """The next request to a shard that may still hide a better visible memory: enough nodes that, at the
    visible rate this shard has shown so far, about TARGET_VISIBLE·k of them are visible — but at least
    GROWTH_MIN and at most GROWTH_MAX times the last request."""
    low, high = probe.fetch * GROWTH_MIN, probe.fetch * GROWTH_MAX
    if probe.visible == 0 or probe.fetched == 0:
        return high
    wanted = math.ceil(TARGET_VISIBLE * k * probe.fetched / probe.visible)
    return min(max(wanted, low), high)


def kth_score(probes: Iterable[ShardHits], k: int) -> float | None:
    """The k-th best visible score over all shards, None while fewer than k are visible."""
    scores = sorted((c.score for p in probes for c in p.hits), reverse=True)
    return scores[k - 1] if len(scores) >= k else None


def open_shards(probes: Iterable[ShardHits], k: int, floor: float = 0.0) -> list[ShardHits]:
    """The shards whose unreturned nodes could still enter the top k: not exhausted, and their lowest returned
    score lies above both the k-th best visible score (or fewer than k are visible) and the floor."""
    probes = list(probes)
    kth = kth_score(probes, k)
    return [p for p in probes if not p.exhausted and p.lowest is not None and p.lowest >= floor
            and (kth is None or p.lowest > kth)]


def merged(probes: Iterable[ShardHits]) -> list[Candidate]:
    return sorted((c for p in probes for c in p.hits), key=lambda c: (-c.score, c.ref.agent_id, c.ref.id))


def search(repository: MemoryRepository, embedding: list[float], agent_id: str | None, k: int, *,
           fetch: int, keep: int | None = None, floor: float = 0.0,
           keywords: KeywordQuery | None = None) -> VectorStage:
    """The k best visible memories by cosine at or above `floor` (scores on the index's (1 + cos) / 2 scale, the
    floor too), and after them the next best up to `keep` (default: `fetch`) for the ranking to choose from —
    those as the index found them. Round one asks every shard that holds visible memories for `fetch` (every shard
    for operator access, agent_id None, for operator_fetch), and brings the `keywords` matches in the same
    round trip; later rounds only the open shards."""
    if agent_id is None:
        fetch = operator_fetch(k, fetch)
    keep = max(k, keep if keep is not None else fetch)
    first = repository.shard_candidates(embedding, agent_id, keep, fetch=fetch, keywords=keywords, floor=floor)
    latest = {p.shard: p for p in first.shards}
    shards = tuple(sorted(latest))
    rounds, fetched = 1, sum(p.fetched for p in latest.values())
    pending = open_shards(latest.values(), k, floor)
    while pending and rounds < MAX_ROUNDS:
        again = repository.shard_candidates(embedding, agent_id, keep, floor=floor,
                                            probes=[(p.shard, next_fetch(p, k)) for p in pending]).shards
        latest |= {p.shard: p for p in again}
        rounds += 1
        fetched += sum(p.fetched for p in again)
        pending = open_shards(latest.values(), k, floor)
    return VectorStage(merged(latest.values())[:keep], shards, rounds, fetched, complete=not pending,
                       keyword=first.keyword, best_keyword=first.best_keyword)
