"""Shard assignment (a stable hash of the owner), the per-shard over-fetch, and the bound that decides whether
a shard must be asked again — the vector stage run against an in-memory stand-in for the shard indexes."""

from __future__ import annotations

import random
import subprocess
import sys
from collections import Counter

import pytest

from engram.entities.memory import MemoryRef
from engram.memory import vector_stage
from engram.memory.vector_stage import (
    GROWTH_MAX, GROWTH_MIN, first_fetch, kth_score, next_fetch, open_shards, operator_fetch,
)
from engram.storage.memories import Candidate, RankInputs, ShardHits, ShardRound
from engram.storage.shard_schema import index_statement
from engram.storage.shards import ShardLayout, is_shard_label, shard_index, shard_label, shard_of

TEMPLATE = "CREATE VECTOR INDEX $name IF NOT EXISTS\nFOR (m:MemoryShard00) ON m.context_embedding"


# ---- assignment
def test_an_owner_always_lands_in_the_same_shard_across_processes() -> None:
    agents = [f"agent-{i}" for i in range(50)] + ["ünïcode-agent", ""]
    here = [shard_of(a, 64) for a in agents]
    code = ("import sys; from engram.storage.shards import shard_of; "
            f"print([shard_of(a, 64) for a in {agents!r}])")
    # another interpreter, with another hash seed: Python's own hash() would differ, CRC-32 does not
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": "12345"}).stdout
    assert other.strip() == str(here)
    assert shard_of("agent-1", 64) == shard_of("agent-1", 64)


def test_owners_spread_evenly_over_the_shards() -> None:
    counts = Counter(shard_of(f"agent-{i}", 64) for i in range(64_000))
    assert set(counts) == set(range(64))
    assert max(counts.values()) < 1.15 * 1000 and min(counts.values()) > 0.85 * 1000


def test_shard_labels_and_index_names_are_fixed_and_checked() -> None:
    layout = ShardLayout(64)
    assert layout.labels[7] == shard_label(7) == "MemoryShard07" and layout.indexes[7] == shard_index(7)
    assert len(set(layout.labels)) == len(set(layout.indexes)) == 64
    assert layout.label_of("alice") == layout.labels[layout.of("alice")]
    assert all(is_shard_label(label) for label in layout.labels)
    assert not is_shard_label("MemoryShard07`) DETACH DELETE (x") and not is_shard_label("Memory")
    assert index_statement(TEMPLATE, "MemoryShard12").endswith("FOR (m:MemoryShard12) ON m.context_embedding")
    with pytest.raises(ValueError):
        index_statement(TEMPLATE, "Memory) DETACH DELETE (n")
    with pytest.raises(ValueError):
        ShardLayout(0)


# ---- over-fetch
def _hit(owner: str, memory_id: str, score: float) -> Candidate:
    ref = MemoryRef(owner, memory_id)
    return Candidate(ref, score, RankInputs(ref, score, seen_ms=None, confidence_score=0.5, success_rate=None))


def _probe(shard: int, fetch: int, fetched: int, scores: list[float], visible: int | None = None) -> ShardHits:
    hits = [_hit(f"owner-{shard}", f"m-{shard}-{i}", s) for i, s in enumerate(scores)]
    lowest = min(scores) if fetched and scores else (0.5 if fetched else None)
    return ShardHits(shard, fetch, fetched, lowest, len(hits) if visible is None else visible, hits)


def test_the_first_request_over_fetches_and_never_asks_for_fewer_than_k() -> None:
    assert first_fetch(10, 10, 100) == 100
    assert first_fetch(60, 10, 100) == 600
    assert first_fetch(5, 0, 0) == 5


def test_operator_access_asks_every_shard_for_twice_k_only() -> None:
    assert operator_fetch(10, 100) == 20 and operator_fetch(60, 600) == 120 and operator_fetch(5, 8) == 8


def test_a_shard_asked_again_gets_enough_for_twice_k_visible_at_the_rate_it_showed() -> None:
    few_visible = ShardHits(0, 100, 100, 0.7, 4, [])
    assert next_fetch(few_visible, 10) == 500                 # 2·10 / (4/100)
    none_visible = ShardHits(0, 100, 100, 0.7, 0, [])
    assert next_fetch(none_visible, 10) == 100 * GROWTH_MAX   # nothing to go by: the largest step
    mostly_visible = ShardHits(0, 100, 100, 0.7, 90, [])
    assert next_fetch(mostly_visible, 10) == 100 * GROWTH_MIN  # at least doubles, so the rounds end
    rare = ShardHits(0, 100, 100, 0.7, 1, [])
    assert next_fetch(rare, 10) == 100 * GROWTH_MAX           # 2000 wanted, capped at eight times


# ---- the bound
def test_a_shard_is_open_only_while_unseen_nodes_could_enter_the_top_k() -> None:
    own = _probe(0, 100, 100, [0.95 - i * 0.01 for i in range(12)])   # 12 visible, lowest 0.84
    deep = _probe(1, 100, 100, [0.80], visible=1)                      # lowest 0.80 < the 10th best (0.86)
    assert kth_score([own, deep], 10) == pytest.approx(0.86)
    assert open_shards([own, deep], 10) == []
    high = _probe(2, 100, 100, [0.99], visible=1)
    high = ShardHits(2, 100, 100, 0.90, 1, high.hits)                  # its unseen nodes may beat 0.86+
    assert [p.shard for p in open_shards([own, deep, high], 10)] == [2]
    exhausted = ShardHits(3, 100, 40, 0.95, 0, [])                     # returned fewer than asked: holds no more
    assert open_shards([exhausted], 10) == []
    too_few = _probe(4, 100, 100, [0.9, 0.8], visible=2)               # fewer than k visible anywhere
    assert [p.shard for p in open_shards([too_few], 10)] == [4]
    assert open_shards([too_few], 10, floor=0.85) == []                # unseen ones lie below the floor anyway


class FakeShards:
    """Shards as sorted lists of (score, owner, id): queryNodes returns the top `fetch`, the filter keeps the
    visible ones — the contract of cypher/memory/shard_candidates, in memory."""

    def __init__(self, shards: dict[int, list[tuple[float, str, str]]], visible_owners: set[str]) -> None:
        self.shards = {s: sorted(nodes, reverse=True) for s, nodes in shards.items()}
        self.visible_owners = visible_owners
        self.calls: list[list[tuple[int, int]]] = []

    def shard_candidates(self, embedding, agent_id, keep, *, fetch=0, probes=None, keywords=None,
                         floor=0.0) -> ShardRound:
        asked = probes if probes is not None else [(s, fetch) for s in sorted(self.shards)]
        self.calls.append(list(asked))
        out = []
        for shard, n in asked:
            top = self.shards[shard][:n]
            visible = [(s, o, i) for s, o, i in top if o in self.visible_owners]
            hits = [_hit(o, i, s) for s, o, i in visible if s >= floor]
            out.append(ShardHits(shard, n, len(top), top[-1][0] if top else None, len(visible), hits[:keep]))
        return ShardRound(out, [])


@pytest.mark.parametrize("seed", range(5))
def test_the_stage_finds_the_exact_top_k_with_a_small_agent_beside_a_large_one(seed: int) -> None:
    rnd = random.Random(seed)
    # shard 0: the agent's 30 memories among 3,000 of a neighbour; shard 1: a grantor's, half of them visible
    shard0 = [(rnd.random(), "small", f"s{i}") for i in range(30)] + [(rnd.random(), "big", f"b{i}") for i in range(3000)]
    shard1 = [(rnd.random(), "grantor" if i % 2 else "other", f"g{i}") for i in range(2000)]
    fake = FakeShards({0: shard0, 1: shard1}, {"small", "grantor"})
    stage = vector_stage.search(fake, [], "small", 10, fetch=100)  # type: ignore[arg-type]
    visible = sorted((n for n in shard0 + shard1 if n[1] in {"small", "grantor"}), reverse=True)
    assert [c.ref.id for c in stage.candidates[:10]] == [i for _, _, i in visible[:10]]
    assert stage.complete and stage.shards == (0, 1)
    assert len(fake.calls[0]) == 2 and all(len(call) <= 2 for call in fake.calls)
    assert stage.fetched < len(shard0) + len(shard1)  # it never read both shards whole


def test_the_stage_stops_at_once_when_the_first_round_settles_every_shard() -> None:
    own = [(0.99 - i * 0.001, "me", f"m{i}") for i in range(500)]
    fake = FakeShards({5: own}, {"me"})
    stage = vector_stage.search(fake, [], "me", 10, fetch=100)  # type: ignore[arg-type]
    assert stage.rounds == 1 and stage.fetched == 100 and stage.complete
    assert len(stage.candidates) == 100  # the ranking chooses among the best `keep` (default: fetch)


@pytest.mark.parametrize("floor", [0.5, 0.97, 0.999])
def test_with_a_floor_the_stage_returns_only_what_lies_above_it_and_still_the_exact_top_k(floor: float) -> None:
    rnd = random.Random(7)
    shard0 = [(rnd.random(), "small", f"s{i}") for i in range(30)] + [(rnd.random(), "big", f"b{i}") for i in range(3000)]
    shard1 = [(rnd.random(), "grantor" if i % 2 else "other", f"g{i}") for i in range(2000)]
    fake = FakeShards({0: shard0, 1: shard1}, {"small", "grantor"})
    stage = vector_stage.search(fake, [], "small", 10, fetch=100, floor=floor)  # type: ignore[arg-type]
    above = sorted((n for n in shard0 + shard1 if n[1] in {"small", "grantor"} and n[0] >= floor), reverse=True)
    assert all(c.score >= floor for c in stage.candidates)
    assert [c.ref.id for c in stage.candidates[:10]] == [i for _, _, i in above[:10]]
    assert stage.complete
