"""Grouping of error messages into failure templates, learning which words vary from the messages.

The only fixed rules are value formats (:func:`.signature.mask_values`: numbers,
hex, ids, IPs, hosts, URLs, paths, times, sizes) and "a token with a digit is a
value", as in Drain.  Everything else is learned from the batch, in the manner
of Brain (Yu et al., IEEE TSC 2023):

1. Each message becomes a *skeleton*: its word tokens, every value a single
   ``<*>``.  Skeletons of different lengths never share a group.
2. Within one length, every (position, word) pair is counted over all
   messages.  A message's template words are the largest set of its words
   that share one count (the "longest common pattern": the words of a template
   occur exactly as often as the template); messages whose common pattern is
   the same (same positions, same words) form a root group.
3. In a root group each other position is looked at: one word is a constant,
   ``min_variants`` distinct words or more is a variable, and fewer distinct
   words split the group by that word (the position with the fewest words
   first, then again within each part).  A position found variable stays
   variable in the parts below it.

``min_variants`` is the single parameter; bench/grouping_offline.py chooses it
only on systems it then does not score (leave-systems-out).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from engram.learning.signature import PLACEHOLDER_RE, mask_values

WILDCARD = "<*>"

#: Distinct words a position must show within a group before it is a variable.  Chosen on four
#: LogHub systems only (HDFS, Proxifier, Spark, Zookeeper: 6 to 20 score the same, ties -> smallest);
#: bench/results/grouping_offline.md scores it on the others.
DEFAULT_MIN_VARIANTS = 6

Skeleton = tuple[str, ...]

_VALUE = "\x01"  # a masked value while tokenising (no delimiter can split it)
_DELIMITERS = re.compile(r"[\s=,;:()\[\]{}\"'|<>]+")
_ALNUM = re.compile(r"[A-Za-z0-9]")
_DIGIT = re.compile(r"\d")


def skeleton(message: str) -> Skeleton:
    """Word tokens of a message; values (masked formats, tokens with a digit) become one ``<*>``
    per run, and bare punctuation is dropped, so "sent 12 bytes" and "sent 1,190 bytes" agree."""
    text = PLACEHOLDER_RE.sub(f" {_VALUE} ", mask_values(message))
    tokens: list[str] = []
    for piece in _DELIMITERS.split(text):
        if piece == _VALUE or _DIGIT.search(piece):
            if not tokens or tokens[-1] != WILDCARD:
                tokens.append(WILDCARD)
        elif _ALNUM.search(piece):
            tokens.append(piece)
    return tuple(tokens)


@dataclass(frozen=True)
class Grouping:
    """Result of :func:`learn_groups`: a group id per message and a template per group."""

    labels: list[int]
    templates: dict[int, str]

    def sizes(self) -> dict[int, int]:
        return dict(sorted(Counter(self.labels).items()))


def _root_groups(items: list[tuple[Skeleton, int]]) -> list[list[tuple[Skeleton, int]]]:
    """Split skeletons of one length by their longest common pattern (Brain's initial groups)."""
    length = len(items[0][0])
    counts = [Counter() for _ in range(length)]
    for tokens, n in items:
        for position, token in enumerate(tokens):
            counts[position][token] += n
    roots: dict[tuple[tuple[int, str], ...], list[tuple[Skeleton, int]]] = defaultdict(list)
    for tokens, n in items:
        by_count: dict[int, list[int]] = defaultdict(list)
        for position, token in enumerate(tokens):
            by_count[counts[position][token]].append(position)
        # the count most words share; a tie goes to the more frequent count
        common = max(by_count, key=lambda c: (len(by_count[c]), c)) if by_count else 0
        key = tuple((p, tokens[p]) for p in by_count.get(common, ()))
        roots[key].append((tokens, n))
    return list(roots.values())


def _split(root: list[tuple[Skeleton, int]], min_variants: int) -> list[tuple[list[Skeleton], frozenset[int]]]:
    """Split a root group on positions with a few distinct words; return parts and their variables."""
    done: list[tuple[list[Skeleton], frozenset[int]]] = []
    stack: list[tuple[list[tuple[Skeleton, int]], frozenset[int]]] = [(root, frozenset())]
    while stack:
        group, variables = stack.pop()
        length = len(group[0][0])
        best: tuple[int, int] | None = None  # (distinct words, position)
        found = set(variables)
        for position in range(length):
            if position in variables:
                continue
            distinct = len({tokens[position] for tokens, _ in group})
            if distinct >= min_variants:
                found.add(position)
            elif distinct > 1 and (best is None or distinct < best[0]):
                best = (distinct, position)
        if best is None:
            done.append(([tokens for tokens, _ in group], frozenset(found)))
            continue
        parts: dict[str, list[tuple[Skeleton, int]]] = defaultdict(list)
        for tokens, n in group:
            parts[tokens[best[1]]].append((tokens, n))
        stack.extend((part, frozenset(found)) for part in reversed(parts.values()))
    return done


def _template(members: list[Skeleton], variables: frozenset[int]) -> str:
    columns = zip(*members)
    return " ".join(
        WILDCARD if p in variables or any(t != column[0] for t in column) else column[0]
        for p, column in enumerate(columns)
    )


def learn_groups(messages: Sequence[str], *, min_variants: int = DEFAULT_MIN_VARIANTS) -> Grouping:
    """Group a batch of messages; ids are numbered in order of each group's first message."""
    if min_variants < 2:
        raise ValueError("min_variants must be >= 2")
    skeleton_of = {message: skeleton(message) for message in set(messages)}  # repeats are common
    skeletons = [skeleton_of[message] for message in messages]
    by_length: dict[int, list[tuple[Skeleton, int]]] = defaultdict(list)
    for tokens, n in Counter(skeletons).items():
        by_length[len(tokens)].append((tokens, n))
    part_of: dict[Skeleton, int] = {}
    part_templates: list[str] = []
    for length in sorted(by_length):
        for root in _root_groups(by_length[length]):
            for members, variables in _split(root, min_variants):
                for tokens in members:
                    part_of[tokens] = len(part_templates)
                part_templates.append(_template(members, variables))
    ids: dict[int, int] = {}
    labels = [ids.setdefault(part_of[tokens], len(ids)) for tokens in skeletons]
    return Grouping(labels=labels, templates={gid: part_templates[part] for part, gid in ids.items()})


def group_messages(messages: Sequence[str], *, min_variants: int = DEFAULT_MIN_VARIANTS) -> list[int]:
    """The group id of every message, in input order."""
    return learn_groups(messages, min_variants=min_variants).labels


__all__ = ["DEFAULT_MIN_VARIANTS", "WILDCARD", "Grouping", "group_messages", "learn_groups", "skeleton"]
