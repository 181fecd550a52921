"""The decision tree of a context: which branch of the evidence a context falls in, and why.

Evidence about actions (learning/advice.py) comes from contexts that are similar but not the same; the
details that decide which action works — "80 million rows" against "12 thousand rows", "production"
against "staging" — barely move an embedding. This module splits the evidence on such details and
answers from the side the asked context lies on. Nothing here knows a particular task world: the split
candidates are read from the contexts and facts themselves.

- Features of a context (context_features): its words (lower-cased tokens, environment, region and
  service names among them), its numbers keyed by the word that follows them (the unit: "80 million
  rows" is rows = 8e7; "with 14 failing tests" is failing = 14), and structured facts an agent passed
  (`env: production` is the word "env=production"; `rows: 80000000` the number rows).
- Candidate splits: a word present / absent (a fact only when the asked context states that fact's key);
  a number of one unit below / at or above a bucket
  boundary (1, 3, 10, 30, … — half-decades on a log scale, so thresholds come from no data set).
- The guard against noise: a split is taken only if, for some action with at least MIN_SIDE effective
  attempts on each side, the two sides' success rates differ credibly — z of the difference of their
  Beta posteriors at least the Bonferroni-corrected critical value for all (split, action) pairs tried
  at that node (family-wise error ALPHA). The most credible split wins; the tree descends on the
  asked context's side, at most MAX_DEPTH times.
- Estimates in a branch shrink towards its parent's: each action's Beta prior is centred on the parent's
  estimate with PRIOR_STRENGTH pseudo-attempts, so a thin branch falls back to its parent smoothly.
- Evidence counts by similarity, not by a hard cut. Splits are tested on the broad pool (every
  similar memory counts fully there: splits need the counts). The estimates the branch
  answers with then weight its evidence by an adaptive neighbourhood kernel (neighbourhood_weights):
  the bandwidth is the distance of the NEIGHBOURS-th nearest memory in the branch, so the closest
  contexts dominate wherever evidence is dense and the kernel widens where it is sparse. Those
  estimates are shrunk towards the parent pool's estimate, the fallback when the branch is thin.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from scipy.stats import norm

from engram.entities.learning import ActionEstimate, DecisionBranch, Evidence
from engram.learning.estimates import estimate_rate

MIN_SIDE = 3.0          # effective attempts of an action on each side before a split is tested on it
ALPHA = 0.05            # family-wise chance of a split on noise at one node
MAX_DEPTH = 3
PRIOR_STRENGTH = 2.0    # pseudo-attempts a branch borrows from its parent
NEIGHBOURS = 10         # the kernel's bandwidth is the distance of this many-th nearest memory
MIN_BANDWIDTH = 0.01    # distances closer than this count as the same context
# Bounds on the work one tree costs, whatever the contexts hold (a hostile agent's 10,000-character ones):
MAX_WORDS = 64          # words of a context that may split (its first distinct ones)
MAX_CANDIDATES = 128    # splits tested at a node, the most balanced first (they have the most power)

_MULTIPLIERS = {"k": 1e3, "thousand": 1e3, "million": 1e6, "mm": 1e6, "bn": 1e9, "billion": 1e9,
                "trillion": 1e12}
_NUMBER = re.compile(r"(?<![\w.\-])(\d+(?:[.,]\d+)?)(?:\s*([a-z]+))?(?:\s+([a-z][a-z_\-]*))?", re.IGNORECASE)
_WORD = re.compile(r"[a-z][a-z0-9_\-.]*[a-z0-9]|[a-z]")


@dataclass(frozen=True)
class ContextFeatures:
    words: frozenset[str]
    numbers: Mapping[str, float]


@dataclass(frozen=True)
class Condition:
    """One side of a split: a word present or absent, or a number below / at or above a threshold."""

    kind: str               # "word" | "number"
    key: str                # the word, or the number's unit
    present: bool = True    # word: present; number: at or above the threshold
    threshold: float = 0.0

    def holds(self, features: ContextFeatures) -> bool | None:
        """Whether a context lies on this side; None when it says nothing about the key (no such number)."""
        if self.kind == "word":
            return (self.key in features.words) == self.present
        value = features.numbers.get(self.key)
        return None if value is None else (value >= self.threshold) == self.present

    def describe(self) -> str:
        if self.kind == "word" and "=" in self.key:
            key, _, value = self.key.partition("=")
            return f"{key} {'=' if self.present else '≠'} {value}"
        if self.kind == "word":
            return f"with '{self.key}'" if self.present else f"without '{self.key}'"
        return f"{self.key} {'≥' if self.present else '<'} {_human(self.threshold)}"


@dataclass
class Branch:
    """The branch a context falls in: the conditions leading to it, the estimates there (shrunk towards
    the parent's), the parent's estimates, and why the last split was made."""

    conditions: list[Condition]
    estimates: list[ActionEstimate]
    parent_estimates: list[ActionEstimate] = field(default_factory=list)
    why: str = ""
    evidence: int = 0

    @property
    def view(self) -> DecisionBranch:
        return DecisionBranch(tuple(c.describe() for c in self.conditions), self.evidence, self.why)


def _human(x: float) -> str:
    for scale, name in ((1e9, " billion"), (1e6, " million"), (1e3, " thousand")):
        if x >= scale:
            return f"{x / scale:g}{name}"
    return f"{x:g}"


def context_features(context: str, facts: Mapping[str, object] | None = None) -> ContextFeatures:
    text = context.lower()
    words = set(list(dict.fromkeys(_WORD.findall(text)))[:MAX_WORDS])
    numbers: dict[str, float] = {}
    for match in _NUMBER.finditer(text):
        raw, multiplier, unit = match.group(1), (match.group(2) or "").lower(), (match.group(3) or "").lower()
        value = float(raw.replace(",", ""))
        if multiplier in _MULTIPLIERS:
            value *= _MULTIPLIERS[multiplier]
        elif multiplier:  # the first word after the number is its unit, not a multiplier
            unit = multiplier
        if unit and math.isfinite(value) and len(numbers) < MAX_WORDS:  # (400 digits parse to inf)
            numbers.setdefault(unit, value)
    for key, value in (facts or {}).items():
        key = str(key).lower()
        if isinstance(value, bool) or not isinstance(value, int | float):
            words.add(f"{key}={str(value).lower()}")
        elif math.isfinite(value):
            numbers[key] = float(value)
    return ContextFeatures(frozenset(words), numbers)


def neighbourhood_weights(similarities: Sequence[float]) -> list[float]:
    """Gaussian kernel weights on cosine distance, bandwidth the distance of the NEIGHBOURS-th nearest."""
    if not similarities:
        return []
    ranked = sorted(similarities, reverse=True)
    bandwidth = max(MIN_BANDWIDTH, 1.0 - ranked[min(NEIGHBOURS, len(ranked)) - 1])
    return [math.exp(-0.5 * ((1.0 - s) / bandwidth) ** 2) for s in similarities]


def bucket_thresholds(values: Sequence[float]) -> list[float]:
    """Half-decade boundaries (…, 1, 3, 10, 30, …) strictly inside the observed range."""
    low, high = min(values), max(values)
    if low >= high:
        return []
    out = []
    exponent = math.floor(math.log10(max(low, 1e-9)))
    while 10 ** exponent <= high:
        for t in (10.0 ** exponent, 3 * 10.0 ** exponent):
            if low < t <= high:
                out.append(t)
        exponent += 1
    return out


Item = tuple[Evidence, float, ContextFeatures]  # evidence, outcome quality, its features


def _weight(e: Evidence) -> float:
    """A memory's weight in the broad pool, where splits are tested: every similar memory counts fully
    (less only by age): the pool is already the similar contexts, and splits need the counts."""
    return e.occurrences * e.weight


def _counts(items: Sequence[Item]) -> dict[str, tuple[float, float]]:
    out: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for e, q, _ in items:
        w = _weight(e)
        out[e.action][0] += q * w
        out[e.action][1] += w
    return {a: (s, n) for a, (s, n) in out.items()}


def _beta(s: float, n: float) -> tuple[float, float]:
    a, b = 1 + s, 1 + n - s
    return a / (a + b), a * b / ((a + b) ** 2 * (a + b + 1))


def _candidates(items: Sequence[Item], query: ContextFeatures) -> list[tuple[Condition, Condition]]:
    """(query's side, other side) of every split the asked context lies clearly on one side of."""
    word_count: dict[str, int] = defaultdict(int)
    values: dict[str, list[float]] = defaultdict(list)
    for _, _, f in items:
        for w in f.words:
            word_count[w] += 1
        for unit, v in f.numbers.items():
            values[unit].append(v)
    out = []
    asked_facts = {w.partition("=")[0] for w in query.words if "=" in w}
    # (A fact the asked context does not state lies on neither side of its split.)
    words = [(word, count) for word, count in word_count.items() if MIN_SIDE <= count <= len(items) - MIN_SIDE
             and not ("=" in word and word.partition("=")[0] not in asked_facts)]
    words.sort(key=lambda wc: (abs(2 * wc[1] - len(items)), wc[0]))
    for word, _ in words[:MAX_CANDIDATES]:
        side = word in query.words
        out.append((Condition("word", word, side), Condition("word", word, not side)))
    thresholds = [(abs(2 * sum(v >= t for v in vs) - len(vs)), unit, t) for unit, vs in values.items()
                  if unit in query.numbers and len(vs) >= 2 * MIN_SIDE for t in bucket_thresholds(vs)]
    for _, unit, t in sorted(thresholds)[:MAX_CANDIDATES]:
        side = query.numbers[unit] >= t
        out.append((Condition("number", unit, side, t), Condition("number", unit, not side, t)))
    return out


def _best_split(items: Sequence[Item], query: ContextFeatures) -> tuple[Condition, list[Item], str] | None:
    tested: list[tuple[float, Condition, list[Item], str]] = []
    tests = 0
    for mine, other in _candidates(items, query):
        inside = [i for i in items if mine.holds(i[2])]
        outside = [i for i in items if other.holds(i[2])]
        ci, co = _counts(inside), _counts(outside)
        best: tuple[float, str] | None = None
        for action in ci.keys() & co.keys():
            (si, ni), (so, no) = ci[action], co[action]
            if ni < MIN_SIDE or no < MIN_SIDE:
                continue
            tests += 1
            (mi, vi), (mo, vo) = _beta(si, ni), _beta(so, no)
            z = abs(mi - mo) / math.sqrt(vi + vo)
            if best is None or z > best[0]:
                best = (z, f"{action} succeeds {mi:.0%} ({ni:.3g} weighted attempts) {mine.describe()} against "
                           f"{mo:.0%} ({no:.3g}) {other.describe()}")
        if best is not None:
            tested.append((best[0], mine, inside, best[1]))
    if not tests:
        return None
    critical = float(norm.ppf(1 - ALPHA / (2 * tests)))
    # Equally credible splits (one word's presence, another's absence): the condition the context states wins.
    z, condition, inside, reason = max(tested, key=lambda t: (round(t[0], 9), t[1].present, t[1].describe()))
    if z < critical:
        return None
    return condition, inside, f"{reason} (z = {z:.1f}, needed {critical:.1f} over {tests} tests)"


def _estimates(items: Sequence[Item], prior: Mapping[str, float],
               weights: Sequence[float] | None = None) -> list[ActionEstimate]:
    """Per action, a Beta posterior around `prior` (per-action means; 0.5 if absent). Weights: one per
    item (default: _weight, the broad pool's)."""
    if weights is None:
        weights = [_weight(e) for e, _, _ in items]
    pooled: dict[str, list[tuple[Item, float]]] = defaultdict(list)
    for item, w in zip(items, weights, strict=True):
        pooled[item[0].action].append((item, w))
    out = []
    for action in pooled.keys() | prior.keys():
        mine = pooled.get(action, [])
        attempts = sum(w for _, w in mine)
        successes = sum(item[1] * w for item, w in mine)
        out.append(ActionEstimate(action=action, agents=sorted({item[0].agent_id for item, _ in mine}),
                                  estimate=estimate_rate(successes, attempts, prior.get(action, 0.5),
                                                         PRIOR_STRENGTH),
                                  evidence=sorted((item[0] for item, _ in mine), key=lambda e: -e.similarity)))
    out.sort(key=lambda a: (-a.estimate.mean, -a.estimate.attempts, a.action))
    return out


def _neighbourhood(items: Sequence[Item], parent: Sequence[ActionEstimate]) -> list[ActionEstimate]:
    """The branch's answer: its nearest evidence by the adaptive kernel, shrunk towards the parent pool's
    estimate (the root: towards the uniform prior, so the same evidence never counts twice there)."""
    weights = [w * e.occurrences * e.weight for w, (e, _, _) in
               zip(neighbourhood_weights([e.similarity for e, _, _ in items]), items, strict=True)]
    return _estimates(items, {a.action: a.estimate.mean for a in parent}, weights)


def branch_for(evidence: Sequence[tuple[Evidence, float]], context: str,
               facts: Mapping[str, object] | None = None) -> Branch:
    """Descend the evidence's decision tree along the asked context and return the branch it falls in."""
    query = context_features(context, facts)
    items: list[Item] = [(e, q, context_features(e.context, e.facts)) for e, q in evidence
                         if _weight(e) > 0]
    broad = _estimates(items, {})
    conditions: list[Condition] = []
    parent: list[ActionEstimate] = []
    why = ""
    while len(conditions) < MAX_DEPTH:
        split = _best_split(items, query)
        if split is None:
            break
        condition, items, why = split
        parent = broad
        broad = _estimates(items, {a.action: a.estimate.mean for a in broad})
        conditions.append(condition)
    return Branch(conditions, _neighbourhood(items, parent), parent, why, len(items))
