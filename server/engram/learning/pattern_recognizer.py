"""Pattern recognition over the whole graph, on demand (`engram learning analyze`) and periodically.

1. Failures: every failure message is grouped by its template (learning/grouping.py, which learns
   from the messages themselves which words vary, Brain-style); each group joins the FailurePattern most of its failures already
   belong to, or becomes a new one; failures are re-linked accordingly.
2. GDS: a kNN similarity graph of the patterns' signature embeddings, then WCC, proposes patterns
   that are the same recurring issue worded differently; pairs in one component merge when their
   wording agrees up to case and filler words (`same_wording`) — embedding similarity alone also
   joins distinct events ("from RUNNING to CLEANUP" / "from CLEANUP to SUCCEEDED").
3. Counts, agents and solutions of each pattern are recomputed; a pattern seen RECURRING_AT times
   or more is marked recurring.
4. Success patterns: a kNN + WCC graph of decision contexts; an action that keeps working within
   one component (>= SUCCESS_MIN_ATTEMPTS attempts, posterior mean >= SUCCESS_MIN_RATE) is a
   SuccessPattern linked to the memories it came from.
Projections are dropped after use, also on error (storage/gds.py).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict

from engram.embeddings import Embedder
from engram.entities.learning import AnalysisReport
from engram.entities.memory import MemoryRef
from engram.learning.estimates import estimate_rate
from engram.learning.grouping import group_messages
from engram.learning.naming import keyed_id
from engram.learning.signature import extract_signature, is_constant_word, tokenize
from engram.storage.gds import GraphAlgorithms
from engram.storage.learning import LearningRepository

RECURRING_AT = 3
PATTERN_KNN_TOP_K = 5
PATTERN_MERGE_SCORE = 0.985     # GDS cosine scale (1 + cos) / 2: cos >= 0.97, near-identical wording
DECISION_KNN_TOP_K = 10
DECISION_SIMILARITY_SCORE = 0.75  # cos >= 0.5: loosely similar contexts; the action must match as well
SUCCESS_MIN_ATTEMPTS = 3
SUCCESS_MIN_RATE = 0.6


def is_success_pattern(attempts: float, successes: float) -> bool:
    """What makes a success pattern: enough attempts with a credible success rate. Analysis finds them over
    every agent's decisions; a caller is shown one only if what it may see of it qualifies on its own, so a
    pattern's existence never tells of decisions the caller cannot see."""
    return attempts >= SUCCESS_MIN_ATTEMPTS and estimate_rate(successes, attempts).mean >= SUCCESS_MIN_RATE


# Words whose presence or absence does not change what an error says.
FILLER_WORDS = frozenset({"a", "an", "the", "of", "to", "in", "on", "at", "for", "by", "with", "from", "while",
                          "and", "or", "is", "was", "be", "been", "this", "that", "it"})


def same_wording(a: str, b: str) -> bool:
    """Two signatures say the same thing when their constant words, lower-cased and without filler
    words, are the same sequence: 'Deadlock detected while updating the orders table' and
    'deadlock detected updating orders table' do; 'authentication failure' and '… failures' do not."""
    def core(signature: str) -> list[str]:
        return [w.lower() for w in tokenize(signature) if is_constant_word(w) and w.lower() not in FILLER_WORDS]

    return core(a) == core(b)


class PatternRecognizer:
    def __init__(self, repository: LearningRepository, gds: GraphAlgorithms, embedder: Embedder) -> None:
        self.repository = repository
        self.gds = gds
        self.embedder = embedder

    def analyze(self, *, merge_with_gds: bool = True) -> AnalysisReport:
        started = time.perf_counter()
        patterns_before = self.repository.count_patterns()
        failures = self.repository.failure_messages()
        groups = self._regroup_failures(failures)
        self._embed_new_patterns()
        merged = self._merge_similar_patterns() if merge_with_gds else 0
        refreshed = self.repository.refresh_patterns(RECURRING_AT)
        success = self._find_success_patterns()
        return AnalysisReport(
            failures=len(failures), signature_groups=groups, patterns_before=patterns_before,
            patterns_after=refreshed["patterns"], merged_patterns=merged, recurring_patterns=refreshed["recurring"],
            success_patterns=success, seconds=time.perf_counter() - started,
        )

    def _regroup_failures(self, failures: list[dict]) -> int:
        """Each signature group joins the pattern most of its failures belong to (a pattern may hold
        several groups once GDS merged them); a group with no pattern yet gets a new one."""
        labels = group_messages([f["message"] or "" for f in failures])
        members: dict[int, list[dict]] = defaultdict(list)
        for failure, gid in zip(failures, labels, strict=True):
            members[gid].append(failure)
        created: set[str] = set()
        links = []
        secret = self.repository.id_key() if any(not f["pattern_id"] for f in failures) else ""
        for gid, group in sorted(members.items(), key=lambda item: (-len(item[1]), item[0])):
            signature = extract_signature(group[0]["message"] or "")
            votes = Counter(f["pattern_id"] for f in group if f["pattern_id"])
            if votes:
                target = min(votes, key=lambda pid: (-votes[pid], pid))
            else:
                target = self._fresh_id(keyed_id("fp", signature, secret), created)
                created.add(target)
            links += [{"agent_id": f["agent_id"], "failure_id": f["id"], "pattern_id": target, "signature": signature, "name": target}
                      for f in group if f["pattern_id"] != target]
        self.repository.relink_failures(links)
        return len(members)

    def _fresh_id(self, name: str, taken: set[str]) -> str:
        candidate, n = name, 1
        while candidate in taken or self.repository.pattern_signature(candidate) is not None:
            n += 1
            candidate = f"{name}-{n}"
        return candidate

    def _embed_new_patterns(self) -> None:
        rows = self.repository.patterns_without_embedding()
        if rows:
            vectors = self.embedder.embed([r["signature"] or r["id"] for r in rows])
            self.repository.set_pattern_embeddings([{"id": r["id"], "embedding": v} for r, v in zip(rows, vectors, strict=True)])

    def _merge_similar_patterns(self) -> int:
        """GDS proposes (kNN + WCC on signature embeddings); a pair inside one component merges only
        when its wording is the same up to case and filler words (same_wording)."""
        if self.repository.count_patterns() < 2:
            return 0
        components = self.gds.similarity_components("failure_patterns", top_k=PATTERN_KNN_TOP_K, cutoff=PATTERN_MERGE_SCORE)
        by_component: dict[int, list[str]] = defaultdict(list)
        for pattern_id, component in components.items():
            by_component[component].append(pattern_id)
        signatures = self.repository.pattern_signatures()
        parent: dict[str, str] = {}

        def root(x: str) -> str:
            while parent.get(x, x) != x:
                x = parent[x]
            return x

        for ids in by_component.values():
            ids = sorted(ids)
            for i, a in enumerate(ids):
                for b in ids[i + 1:]:
                    if root(a) != root(b) and any(same_wording(x, y) for x in signatures.get(a, [])
                                                  for y in signatures.get(b, [])):
                        ra, rb = sorted((root(a), root(b)))
                        parent[rb] = ra
        groups: dict[str, list[str]] = defaultdict(list)
        for pattern_id in parent:
            groups[root(pattern_id)].append(pattern_id)
        merges = [{"keep": keep, "duplicates": sorted(set(members) - {keep})} for keep, members in groups.items()]
        return self.repository.merge_patterns([m for m in merges if m["duplicates"]])

    def _find_success_patterns(self) -> int:
        points = self.repository.decision_points()
        if len(points) < SUCCESS_MIN_ATTEMPTS:
            return self.repository.upsert_success_patterns([])  # removes stale ones
        components = self.gds.similarity_components("decisions", top_k=DECISION_KNN_TOP_K, cutoff=DECISION_SIMILARITY_SCORE)
        cells: dict[tuple[int, str], list[dict]] = defaultdict(list)
        for point in points:
            ref = MemoryRef(point["agent_id"], point["id"])
            if ref in components:
                cells[(components[ref], point["action"])].append(point)
        patterns, used_ids, secret = [], Counter(), self.repository.id_key()
        for (component, action), members in sorted(cells.items(), key=lambda item: (item[0][1], item[0][0])):
            attempts = sum(m["occurrences"] for m in members)
            successes = sum((m["quality"] or 0.0) * m["occurrences"] for m in members)
            if not is_success_pattern(attempts, successes):
                continue
            # Keyed like every shared id: a readable slug (or "-2" for a second one) would tell a caller who
            # sees one such pattern that another exists, and could take the id of anybody's pattern.
            used_ids[action] += 1
            pattern_id = keyed_id("sp", f"{action}\n{used_ids[action]}", secret)
            patterns.append({"id": pattern_id, "action": action, "name": action,
                             "members": [{"agent_id": m["agent_id"], "id": m["id"]} for m in members]})
        return self.repository.upsert_success_patterns(patterns)
