"""What a GraphQL request will cost, computed from the document and its variables before execution.

A field's cost is its weight times how many times it runs: the product of the list sizes above it
(`first` of a connection, `k` of a retrieval, or a guess for lists with no size argument). Weights:
a retrieval (embedding + vector + keyword search) is far dearer than a root lookup, which is dearer
than a nested object; scalar leaves are free. `related` inside a page of `related` multiplies. A cursor
(`after`) adds the rows it makes Neo4j skip, SKIPPED_PER_UNIT to a unit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engram.api.gql.pagination import decode_cursor

RETRIEVAL = 20  # plus the number of results asked for
ROOT = 10
HEAVY = 200  # whole-agent work: exports, imports, merges, pattern analysis
NESTED_OBJECT = 1
UNSIZED_LIST = 10  # items assumed for a list whose size no argument bounds
DEFAULT_PAGE = 20  # api.gql.pagination.DEFAULT_PAGE: `first` when not given
ITEM = 2  # per memory of a recordMemories batch (embedded together)
MAX_FACTOR = 1_000_000  # an absurd `first` / `k` counts as this much (keeps the arithmetic small)
SKIPPED_PER_UNIT = 1000  # rows a cursor (`after`) makes Neo4j skip, per work unit

RETRIEVAL_FIELDS = frozenset({
    "retrieveMemories", "searchMemories", "suggest", "predictOutcome", "checkAction", "solutionsForError",
    "related", "recordDecision", "learnFromFailure", "recordMemory", "recordMemories", "createTask",
    "applyPattern",
})
HEAVY_FIELDS = frozenset({"analyzePatterns", "exportKnowledge", "importKnowledge", "mergeKnowledge"})
# Advice builds a decision tree over up to learning.advice.EVIDENCE_K memories of evidence: CPU on top of the
# retrieval, so each costs as many units as the evidence it may weigh.
ADVICE_FIELDS = frozenset({"suggest", "predictOutcome", "checkAction"})
ADVICE = 150
# A connection's items are counted by `first`; a suggestion's actions by its `k`.
PASS_THROUGH_LISTS = frozenset({"edges", "nodes", "actions"})


def _size(value: Any, default: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        return default
    return max(0, min(value, MAX_FACTOR))


def _count(value: Any) -> int:
    return len(value) if isinstance(value, list) else (0 if value is None else 1)


def skipped(after: Any) -> int:
    """Work units for the rows a cursor skips (a cursor that is not one of ours: BAD_USER_INPUT)."""
    return decode_cursor(after) // SKIPPED_PER_UNIT if isinstance(after, str) else 0


def field_weight(name: str, *, root: bool, leaf: bool, args: Mapping[str, Any]) -> int:
    return _weight(name, root=root, leaf=leaf, args=args) + skipped(args.get("after"))


def _weight(name: str, *, root: bool, leaf: bool, args: Mapping[str, Any]) -> int:
    if name in HEAVY_FIELDS:
        return HEAVY
    if name in RETRIEVAL_FIELDS:
        asked = _size(args.get("k"), 0) + _size(args.get("first"), DEFAULT_PAGE if "first" in args else 0)
        return (RETRIEVAL + asked + _count(args.get("candidates")) + ITEM * _count(args.get("inputs"))
                + (ADVICE if name in ADVICE_FIELDS else 0))
    if root:
        return ROOT
    return 0 if leaf else NESTED_OBJECT


def child_factor(name: str, *, is_list: bool, args: Mapping[str, Any]) -> int:
    """How many times the selections under this field run, per run of the field."""
    if "first" in args:
        return _size(args["first"], DEFAULT_PAGE) if args["first"] is not None else DEFAULT_PAGE
    if "k" in args:
        return _size(args["k"], UNSIZED_LIST)
    if is_list and name not in PASS_THROUGH_LISTS:
        return UNSIZED_LIST
    return 1
