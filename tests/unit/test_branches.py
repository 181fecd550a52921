"""The decision tree over visible evidence (learning/branches.py): features, the kernel, the split guard."""

from __future__ import annotations

import random

import pytest

from engram.entities.learning import Evidence
from engram.learning.branches import bucket_thresholds, branch_for, context_features, neighbourhood_weights
from engram.learning.estimates import estimate_rate


def evidence(i: int, context: str, action: str, ok: bool, similarity: float = 0.9) -> tuple[Evidence, float]:
    return (Evidence(memory_id=f"m{i}", agent_id="alice", kind="decision", context=context, action=action,
                     outcome="success" if ok else "failure", similarity=similarity), 1.0 if ok else 0.0)


def test_numbers_are_read_with_their_units_and_multipliers() -> None:
    f = context_features("Migrate the orders table (80 million rows) in production, 14 failing tests")
    assert f.numbers["rows"] == pytest.approx(8e7)
    assert f.numbers["failing"] == 14
    assert "production" in f.words and "orders" in f.words


def test_bucket_thresholds_are_half_decades_inside_the_range() -> None:
    assert bucket_thresholds([12_000, 350_000_000]) == [30_000, 100_000, 300_000, 1e6, 3e6, 1e7, 3e7, 1e8, 3e8]
    assert bucket_thresholds([5, 5]) == []


def test_the_kernel_counts_the_nearest_fully_and_widens_where_evidence_is_sparse() -> None:
    dense = neighbourhood_weights([1.0] + [0.98] * 9 + [0.9])
    assert dense[0] == pytest.approx(1.0)
    assert dense[1] == pytest.approx(0.6065, abs=1e-3)  # the 10th nearest sits one bandwidth away
    assert dense[-1] < 1e-4
    sparse = neighbourhood_weights([0.9, 0.8])  # fewer than 10: the farthest sets the bandwidth
    assert sparse[0] > 0.85 and sparse[1] == pytest.approx(0.6065, abs=1e-3)


def test_a_prior_centres_a_thin_estimate_on_its_parent() -> None:
    assert estimate_rate(0, 0, 0.8, 2.0).mean == pytest.approx(0.8)
    assert estimate_rate(1, 1).mean == pytest.approx(2 / 3)


def test_a_detail_that_changes_the_outcome_splits_and_each_side_answers_for_itself() -> None:
    items = []
    for i in range(12):
        items.append(evidence(i, f"Index table t{i} ({80 + i} million rows)", "apply-directly", False))
        items.append(evidence(100 + i, f"Index table t{i} ({12 + i} thousand rows)", "apply-directly", True))
    large = branch_for(items, "Index table x (200 million rows)")
    small = branch_for(items, "Index table x (20 thousand rows)")
    assert large.view.conditions and small.view.conditions and large.view.conditions != small.view.conditions
    assert large.estimates[0].estimate.mean < 0.3 < 0.7 < small.estimates[0].estimate.mean
    assert "z =" in large.view.why


def test_no_split_on_noise() -> None:
    rnd = random.Random(4)
    regions = ("us-east-1", "eu-west-1", "ap-south-1")
    items = [evidence(i, f"Deploy shop to {regions[i % 3]}", rnd.choice(["rolling", "blue-green"]), rnd.random() < 0.6)
             for i in range(60)]
    assert branch_for(items, "Deploy shop to us-east-1").view.conditions == ()


def test_a_number_too_large_for_a_float_is_no_number() -> None:
    huge = "9" * 400
    assert "rows" not in context_features(f"migrate table with {huge} rows").numbers
    items = [evidence(i, f"migrate table with {huge if i == 0 else 10 ** (i % 8)} rows", "batched", i % 2 == 0)
             for i in range(12)]
    assert branch_for(items, "migrate table with 5000 rows").estimates  # answers (was an OverflowError)


def test_hostile_contexts_split_on_a_bounded_number_of_candidates() -> None:
    from engram.learning import branches

    rnd = random.Random(7)
    vocabulary = [f"w{n}" for n in range(2000)]
    long_context = lambda: " ".join(rnd.choice(vocabulary) for _ in range(1500))  # noqa: E731
    items = [evidence(i, long_context(), rnd.choice(["a", "b"]), rnd.random() < 0.5) for i in range(150)]
    query = long_context()
    assert len(context_features(query).words) <= branches.MAX_WORDS
    features = [(e, q, context_features(e.context)) for e, q in items]
    assert len(branches._candidates(features, context_features(query))) <= 2 * branches.MAX_CANDIDATES
    assert branch_for(items, query).estimates
