"""Online grouping of error signatures into failure patterns.

Two messages belong together when their signatures (see :mod:`.signature`)
spell the same constant words in the same order.  Placeholders and bare
punctuation are ignored when comparing, so optional variable parts
("sent 12 bytes" vs "sent 1190 bytes (1.16 KB)") never split a group.

Masking cannot catch every variable: a user name, a state name or a table
name is a plain word.  The general merge rule handles them: when several
groups share every constant word except the one at a single position, that
position is a variable once it has shown at least ``min_variants`` distinct
words, and those groups merge into one whose template has ``<*>`` there.
Fewer alternatives (e.g. ``view`` / ``modify``) are kept apart, because
enumerations of a few fixed words usually mean different things, and the
first constant word is never generalised (``fixed_prefix``), because a
message usually starts by naming what happened.

Embeddings are optional: pass ``similar(a_template, b_template) -> bool`` (or
call :meth:`SignatureGrouper.merge` with precomputed pairs) to fold groups that
are worded differently but mean the same; the core never needs it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from engram.learning.signature import extract_signature, is_constant_word, tokenize

WILDCARD = "<*>"

#: Distinct words a position must show before it is treated as a variable.
DEFAULT_MIN_VARIANTS = 4

#: Leading constant words never generalised by the merge rule.  Like Drain's
#: prefix tree, this assumes a message starts by naming what happened; it keeps
#: "tickTime set to 5" and "maxSessionTimeout set to 5" apart, and never merges
#: one-word messages.
DEFAULT_FIXED_PREFIX = 1

Similar = Callable[[str, str], bool]
Pattern = tuple[str, ...]


@dataclass
class _Group:
    """One failure pattern: its constant-word patterns and a display template."""

    gid: int
    pattern: Pattern  # primary pattern, shown by ``template``
    words: list[list[str]]  # example signature: whitespace words split into pieces
    slots: list[tuple[int, int]]  # (word, piece) of each primary position in ``words``
    # One pattern per skeleton length; several only after an explicit merge.
    shapes: dict[int, Pattern] = field(default_factory=dict)
    size: int = 0
    members: list[int] = field(default_factory=list)

    def template(self) -> str:
        words = [list(pieces) for pieces in self.words]
        for position, token in enumerate(self.pattern):
            if token == WILDCARD:
                w, p = self.slots[position]
                words[w][p] = WILDCARD
        return " ".join("".join(pieces) for pieces in words)


def _skeleton(signature: str) -> tuple[Pattern, list[list[str]], list[tuple[int, int]]]:
    """Constant words of a signature plus where each sits in the signature."""
    words = [tokenize(word) for word in signature.split()]
    slots = [
        (w, p)
        for w, pieces in enumerate(words)
        for p, piece in enumerate(pieces)
        if is_constant_word(piece)
    ]
    pattern = tuple(words[w][p] for w, p in slots)
    return pattern, words, slots


def _matches(pattern: Pattern, skeleton: Pattern) -> bool:
    return all(p == WILDCARD or p == s for p, s in zip(pattern, skeleton))


def _join(patterns: Sequence[Pattern]) -> Pattern:
    """Position-wise join: keep words every pattern agrees on, wildcard the rest."""
    return tuple(
        col[0] if all(c == col[0] for c in col) else WILDCARD for col in zip(*patterns)
    )


def _family_keys(pattern: Pattern, fixed_prefix: int) -> list[tuple[tuple[int, int, int, int], str]]:
    """One key per free position: patterns equal everywhere else share it.

    Keys use running hashes of the prefix and suffix instead of the pattern
    with one word wildcarded, so long messages cost O(length), not O(length^2).
    """
    n = len(pattern)
    prefix = [0] * (n + 1)
    for i, word in enumerate(pattern):
        prefix[i + 1] = hash((prefix[i], word))
    suffix = [0] * (n + 1)
    for i in range(n - 1, -1, -1):
        suffix[i] = hash((pattern[i], suffix[i + 1]))
    return [
        ((n, i, prefix[i], suffix[i + 1]), word)
        for i, word in enumerate(pattern)
        if i >= fixed_prefix and word != WILDCARD
    ]


class SignatureGrouper:
    """Deterministic online grouper; ``add`` returns the message's current group id.

    Group ids are small integers.  When groups merge, the oldest id survives;
    :meth:`resolve` maps any id ever returned to its current group.
    """

    def __init__(
        self,
        min_variants: int = DEFAULT_MIN_VARIANTS,
        similar: Similar | None = None,
        fixed_prefix: int = DEFAULT_FIXED_PREFIX,
    ) -> None:
        if min_variants < 2:
            raise ValueError("min_variants must be >= 2")
        if fixed_prefix < 0:
            raise ValueError("fixed_prefix must be >= 0")
        self.min_variants = min_variants
        self.fixed_prefix = fixed_prefix
        self.similar = similar
        self._groups: dict[int, _Group] = {}
        self._parent: list[int] = []
        self._exact: dict[Pattern, int] = {}
        # skeleton length -> gids owning a generalised (wildcarded) pattern of that length
        self._general: dict[int, list[int]] = defaultdict(list)
        # family key (see _family_keys) -> word at the free position -> gids
        self._families: dict[tuple[int, int, int, int], dict[str, set[int]]] = {}
        self._count = 0

    # ------------------------------------------------------------------ API

    def add(self, message: str) -> int:
        """Assign ``message`` to a group (creating or merging groups) and return its id."""
        skeleton, words, slots = _skeleton(extract_signature(message))
        gid = self._lookup(skeleton)
        if gid is None:
            gid = self._create(skeleton, words, slots)
        group = self._groups[gid]
        group.size += 1
        group.members.append(self._count)
        self._count += 1
        return gid

    def find(self, message: str) -> int | None:
        """Group id ``message`` would join, without recording anything."""
        skeleton, _, _ = _skeleton(extract_signature(message))
        return self._lookup(skeleton, remember=False)

    def groups(self) -> dict[int, str]:
        """Current groups: id -> template (signature with ``<*>`` at learned variables)."""
        return {gid: g.template() for gid, g in sorted(self._groups.items())}

    def sizes(self) -> dict[int, int]:
        """Current groups: id -> number of messages added to it."""
        return {gid: g.size for gid, g in sorted(self._groups.items())}

    def resolve(self, gid: int) -> int:
        """Current id of a group id returned earlier (groups merge, never split)."""
        root = gid
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[gid] != root:
            self._parent[gid], gid = root, self._parent[gid]
        return root

    def assignments(self) -> list[int]:
        """Current group id of every message added so far, in insertion order."""
        out = [0] * self._count
        for gid, group in self._groups.items():
            for index in group.members:
                out[index] = gid
        return out

    def merge(self, a: int, b: int) -> int:
        """Merge two groups, e.g. a pair an embedding step found equivalent."""
        return self._union([a, b])

    def merge_similar(self, similar: Similar | None = None) -> int:
        """Merge every pair of current groups whose templates ``similar`` accepts.

        This is the hook for an embedding-similarity step.  Pairs are visited
        in id order, so the result is deterministic.  Returns merges performed.
        """
        similar = similar or self.similar
        if similar is None:
            return 0
        merges = 0
        gids = sorted(self._groups)
        for i, a in enumerate(gids):
            for b in gids[i + 1 :]:
                ra, rb = self.resolve(a), self.resolve(b)
                if ra != rb and similar(self._groups[ra].template(), self._groups[rb].template()):
                    self._union([ra, rb])
                    merges += 1
        return merges

    # ------------------------------------------------------------ internals

    def _lookup(self, skeleton: Pattern, remember: bool = True) -> int | None:
        gid = self._exact.get(skeleton)
        if gid is not None:
            return self.resolve(gid)
        best, best_fixed = None, -1
        for candidate in self._general.get(len(skeleton), ()):
            pattern = self._groups[candidate].shapes[len(skeleton)]
            if _matches(pattern, skeleton):
                fixed = sum(token != WILDCARD for token in pattern)
                if fixed > best_fixed:  # most specific wins; ties keep the older id
                    best, best_fixed = candidate, fixed
        if best is not None and remember:
            self._exact[skeleton] = best
        return best

    def _create(self, skeleton: Pattern, words: list[list[str]], slots: list[tuple[int, int]]) -> int:
        gid = len(self._parent)
        self._parent.append(gid)
        self._groups[gid] = _Group(gid, skeleton, words, slots, {len(skeleton): skeleton})
        self._exact[skeleton] = gid
        gid = self._register(gid, skeleton)
        if self.similar is not None:
            gid = self._merge_new_by_similarity(gid)
        return gid

    def _register(self, gid: int, pattern: Pattern) -> int:
        """Index a pattern under each single-position family; merge families that vary enough."""
        for key, word in _family_keys(pattern, self.fixed_prefix):
            family = self._families.setdefault(key, {})
            family.setdefault(word, set()).add(gid)
            if len(family) >= self.min_variants:
                del self._families[key]
                return self._union([g for gids in family.values() for g in gids])
        return gid

    def _union(self, gids: Iterable[int]) -> int:
        """Merge groups into the oldest; generalise and re-index its patterns."""
        roots = sorted({self.resolve(g) for g in gids})
        target = self._groups[roots[0]]
        if len(roots) == 1:
            return target.gid
        shapes: dict[int, list[Pattern]] = defaultdict(list)
        for root in roots:
            group = self._groups[root]
            for length, pattern in group.shapes.items():
                shapes[length].append(pattern)
                if root != target.gid and root in self._general[length]:
                    self._general[length].remove(root)
        for root in roots[1:]:
            other = self._groups.pop(root)
            self._parent[root] = target.gid
            target.size += other.size
            target.members.extend(other.members)
        target.members.sort()
        changed: list[Pattern] = []
        for length, patterns in shapes.items():
            joined = _join(patterns)
            if target.shapes.get(length) != joined:
                changed.append(joined)
            target.shapes[length] = joined
            if WILDCARD in joined and target.gid not in self._general[length]:
                self._general[length].append(target.gid)
        target.pattern = target.shapes[len(target.pattern)]
        for pattern in changed:
            if self.resolve(target.gid) != target.gid:
                break
            self._register(target.gid, pattern)
        return self.resolve(target.gid)

    def _merge_new_by_similarity(self, gid: int) -> int:
        assert self.similar is not None
        template = self._groups[gid].template()
        for other in sorted(self._groups):
            if other != gid and self.similar(self._groups[other].template(), template):
                return self._union([other, gid])
        return gid


def group_messages(
    messages: Sequence[str],
    *,
    min_variants: int = DEFAULT_MIN_VARIANTS,
    fixed_prefix: int = DEFAULT_FIXED_PREFIX,
    similar: Similar | None = None,
    merge_pairs: Iterable[tuple[int, int]] = (),
) -> list[int]:
    """Batch grouping: the final group id of every message, in input order.

    ``merge_pairs`` are extra (group id, group id) merges to apply after the
    pass, e.g. computed from embeddings of :meth:`SignatureGrouper.groups`;
    ``similar`` is applied to every pair of final templates.
    """
    grouper = SignatureGrouper(min_variants=min_variants, fixed_prefix=fixed_prefix)
    for message in messages:
        grouper.add(message)
    for a, b in merge_pairs:
        grouper.merge(a, b)
    if similar is not None:
        grouper.merge_similar(similar)
    return grouper.assignments()


__all__ = [
    "DEFAULT_FIXED_PREFIX",
    "DEFAULT_MIN_VARIANTS",
    "WILDCARD",
    "SignatureGrouper",
    "group_messages",
]
