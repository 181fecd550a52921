"""Grouping accuracy of a log/error parser (Zhu et al., ICSE-SEIP 2019).

A message is parsed correctly only when the set of messages sharing its
predicted group is exactly the set sharing its ground-truth group, so both
over-merging and over-splitting a template make all of its messages wrong.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence


def grouping_accuracy(predicted: Sequence[Hashable], truth: Sequence[Hashable]) -> float:
    """Fraction of messages whose predicted group equals their true group as a set."""
    if len(predicted) != len(truth):
        raise ValueError(f"length mismatch: {len(predicted)} predicted vs {len(truth)} truth")
    if not truth:
        return 0.0
    predicted_members: dict[Hashable, set[int]] = defaultdict(set)
    truth_members: dict[Hashable, set[int]] = defaultdict(set)
    for index, (p, t) in enumerate(zip(predicted, truth)):
        predicted_members[p].add(index)
        truth_members[t].add(index)
    correct = 0
    for members in truth_members.values():
        first = next(iter(members))
        if predicted_members[predicted[first]] == members:
            correct += len(members)
    return correct / len(truth)
