"""Offline prevention check: do prevention checks cut recurring failures? In-process and fast.

    python -m bench.prevention_offline [--seeds 1 2 3 4 5] [--days 16] [--tasks-per-day 2]

The world, tasks, shuffled order, luck and Engram agent of bench.learning_offline (suggest → highest
posterior mean → checkAction's better action), with the failure side of the service added in-process:
each failed attempt is a failure memory (the error message the world raised, the action that failed, the
fix that followed); failures group into patterns as learn_from_failure groups them (same signature, or a
signature whose embedding has cosine ≥ 0.9 with a pattern's); prevention checks are derived per caller
from the failures it may see of the patterns occurring in its context (learning/prevention.derive_checks),
carry their records (shown / followed / ignored / before, learning/check_records.py) and statuses, and
reach the agent through Advisor.check_action, which it applies as execute_with_memory does. Each arm runs
twice on the same tasks and luck: with the checks, and without them (the advisor alone). Not the service
figure: no Neo4j, HTTP, text ranking or daily GDS merge of patterns.

Metric 5a (as bench.learning_sim): failures of each recurring error kind per task of the task types that
raise it, before and after checks on the pattern holding its failures first existed (from the next day).
Next to it, the same after-period rate without checks — same agents, same tasks — which separates what the
checks did from what learning did anyway, and the after-period rate of the oracle (which knows the hidden
odds): failures of the best action itself recur at its own rate, so 5a cannot exceed the oracle's figure.
"""

from __future__ import annotations

import argparse
import random
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np

from bench import sim_world as world
from bench.learning_offline import Record, Store, context_vectors, relevant, shuffled
from bench.report import write_report
from engram.config import Settings
from engram.embeddings import build_embedder
from engram.entities.learning import CheckStatus, PreventionCheck
from engram.learning.advice import EVIDENCE_K, MIN_SIMILARITY, Advisor
from engram.learning.check_records import RecordCounts, followed, judge, with_records
from engram.learning.prevention import derive_checks
from engram.learning.signature import extract_signature
from engram.learning.tasks import apply_check

MAX_ATTEMPTS = 3
PATTERN_COSINE = 0.9  # learn_from_failure's PATTERN_MATCH_SCORE 0.95 on the (1 + cos) / 2 scale


@dataclass
class Failure:
    agent: str
    row: int
    pattern: str
    failed_action: str
    fix: str | None
    kind: str  # the world's error kind: for the metric only, never shown to the agent


@dataclass
class Patterns:
    """Signature → pattern, as learn_from_failure assigns them: a failure joins a pattern only if that pattern
    already holds a failure its agent may see (exact signature, else the nearest by embedding); otherwise the
    agent starts a pattern of its own. With sharing every agent sees every failure, so patterns are common;
    without, each agent's are its own."""

    embed: object
    sharing: bool
    of_signature: dict[tuple[str, str], str] = field(default_factory=dict)
    ids: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    vectors: dict[str, list[np.ndarray]] = field(default_factory=lambda: defaultdict(list))

    def of(self, message: str, agent: str) -> str:
        scope = "" if self.sharing else agent
        signature = extract_signature(message)
        if (scope, signature) not in self.of_signature:
            ids, vectors = self.ids[scope], self.vectors[scope]
            v = np.asarray(self.embed([signature])[0], dtype=float)
            v /= np.linalg.norm(v)
            sims = [float(v @ u) for u in vectors]
            best = int(np.argmax(sims)) if sims else -1
            if best >= 0 and sims[best] >= PATTERN_COSINE:
                self.of_signature[(scope, signature)] = ids[best]
            else:
                self.of_signature[(scope, signature)] = f"fp-{scope}-{len(ids)}" if scope else f"fp-{len(ids)}"
                ids.append(self.of_signature[(scope, signature)])
                vectors.append(v)
        return self.of_signature[(scope, signature)]


@dataclass
class CheckLog:
    """Per check: decisions that acted on it (agent, id, followed, quality, order), and the decisions of
    similar contexts its showings' evidence held while the shown agent had not acted on it yet."""

    acted: dict[str, list[tuple[str, str, bool, float, int]]] = field(default_factory=lambda: defaultdict(list))
    before: dict[str, dict[str, tuple[str, float, int]]] = field(default_factory=lambda: defaultdict(dict))

    def counts(self, check_id: str, caller: str, sharing: bool) -> RecordCounts:
        visible = lambda owner: sharing or owner == caller  # noqa: E731
        acted = [a for a in self.acted[check_id] if visible(a[0])]
        first = min((a[4] for a in acted), default=None)
        acted_ids = {a[1] for a in acted}
        before = [q for d, (owner, q, order) in self.before[check_id].items()
                  if visible(owner) and d not in acted_ids and (first is None or order < first)]
        yes = [a[3] for a in acted if a[2]]
        no = [a[3] for a in acted if not a[2]]
        return RecordCounts(len(acted), (sum(yes), len(yes)), (sum(no), len(no)), (sum(before), len(before)))


def visible_checks(failures: list[Failure], vectors: np.ndarray, caller: str, row: int, sharing: bool,
                   log: CheckLog) -> list[PreventionCheck]:
    """The checks of the patterns whose visible failures occur in similar contexts, derived from the visible
    failures, with their records as the caller sees them."""
    mine = [f for f in failures if sharing or f.agent == caller]
    if not mine:
        return []
    sims = vectors[[f.row for f in mine]] @ vectors[row]
    patterns = {f.pattern for f, s in zip(mine, sims, strict=True) if s >= MIN_SIMILARITY}
    checks = []
    for pattern in sorted(patterns):
        of = [f for f in mine if f.pattern == pattern]
        checks += derive_checks(pattern, [(f.fix, True) for f in of if f.fix], [], [],
                                causes=[f.failed_action for f in of])
    return with_records(checks, {c.id: log.counts(c.id, caller, sharing) for c in checks})


def run(tasks: list[world.Task], seed: int, sharing: bool, use_checks: bool, rows: dict[str, int],
        vectors: np.ndarray, patterns: Patterns) -> tuple[list[tuple], dict[str, int], Counter]:
    """(attempts (task, number, action, ok, error kind), error kind -> first day its checks existed, statuses)."""
    store, advisor = Store(vectors), Advisor(rng=random.Random(f"advisor-{seed}-{sharing}"))
    failures: list[Failure] = []
    log = CheckLog()
    attempts: list[tuple] = []
    checks_from_day: dict[str, int] = {}
    order = 0
    by_day: dict[int, list[world.Task]] = defaultdict(list)
    for task in tasks:
        by_day[task.day].append(task)
    for day in sorted(by_day):
        for task in by_day[day]:
            remaining, row = task.actions, rows[task.context]
            failed: list[tuple[str, str, str]] = []
            for number in range(1, MAX_ATTEMPTS + 1):
                seen = relevant(store.nearest(task.agent, row, sharing, EVIDENCE_K, MIN_SIMILARITY), task.agent)
                suggestion = advisor.suggest(seen, task.context, k=50, candidates=remaining)
                means = {a.action: a.estimate.mean for a in suggestion.actions if a.action in remaining}
                action = max(means, key=lambda n: (means[n], n)) if means else remaining[0]
                checks = visible_checks(failures, vectors, task.agent, row, sharing, log) if use_checks else []
                check = advisor.check_action(seen, action, [c for c in checks if c.status is not CheckStatus.retired],
                                             task.context)
                for c in check.checks:  # shown: the agent's evidence is the check's "before" until it acts on it
                    if not any(a[0] == task.agent for a in log.acted[c.id]):
                        for r in seen:
                            log.before[c.id].setdefault(r.memory.id, (r.memory.agent_id, r.memory.success_rate,
                                                                      order))
                action = apply_check(action, check, remaining)
                ok = world.succeeds(seed, task, action)
                decision = f"{task.id}-{number}"
                order += 1
                for c in check.checks:
                    log.acted[c.id].append((task.agent, decision, followed(c.guards_actions, c.better_action, action,
                                                                           False), float(ok), order))
                store.records.append(Record(decision, task.agent, row, task.context, action, ok))
                kind = None if ok else world.error_of(task, action)[0]
                attempts.append((task, number, action, ok, kind))
                if ok:
                    break
                failed.append((action, *world.error_of(task, action)))
                remaining = [a for a in remaining if a != action]
            fix = attempts[-1][2] if attempts[-1][3] else None
            for action, kind, message in failed:
                failures.append(Failure(task.agent, row, patterns.of(message, task.agent), action, fix, kind))
        # After the day: which error kinds now have checks on the pattern holding most of their failures.
        for kind in {a[4] for a in attempts if a[0].day == day and a[4]} - checks_from_day.keys():
            held = Counter(f.pattern for f in failures if f.kind == kind)
            if not held:
                continue
            pattern = held.most_common(1)[0][0]
            of = [f for f in failures if f.pattern == pattern]
            if derive_checks(pattern, [(f.fix, True) for f in of if f.fix], [], [],
                             causes=[f.failed_action for f in of]):
                checks_from_day[kind] = day + 1
    # Every check shown, with the status of its record over all agents' decisions (the operator's view).
    statuses = Counter(judge(log.counts(c, "", True).record()).value for c in log.acted.keys() | log.before.keys())
    return attempts, checks_from_day, statuses


def oracle(tasks: list[world.Task], seed: int) -> list[tuple]:
    """Knows the hidden odds: the remaining action most likely to succeed, with the same luck."""
    attempts = []
    for task in tasks:
        remaining = task.actions
        for number in range(1, MAX_ATTEMPTS + 1):
            action = max(remaining, key=lambda a: (world.success_probability(task, a), a))
            ok = world.succeeds(seed, task, action)
            attempts.append((task, number, action, ok, None if ok else world.error_of(task, action)[0]))
            if ok:
                break
            remaining = [a for a in remaining if a != action]
    return attempts


def recurring_rates(attempts: list[tuple], checks_from_day: dict[str, int]) -> tuple[float, float]:
    """Failures of each error kind with checks, per task of the task types raising it: (before, after)."""
    raised_by: dict[str, set[str]] = defaultdict(set)
    for t in world.TASK_TYPES.values():
        for a in t.actions:
            raised_by[a.error_kind].add(t.name)
    fails, tasks = [0, 0], [0, 0]
    for kind, day in checks_from_day.items():
        for task, _, _, _, k in attempts:
            if k == kind:
                fails[task.day >= day] += 1
        for task in {a[0].id: a[0] for a in attempts if a[0].type.name in raised_by[kind]}.values():
            tasks[task.day >= day] += 1
    return fails[0] / tasks[0] if tasks[0] else 0.0, fails[1] / tasks[1] if tasks[1] else 0.0


def rate(attempts: list[tuple]) -> float:
    return sum(a[3] for a in attempts) / len(attempts)


def spread(values: list[float], fmt: str = "{:.1%}") -> str:
    return f"{fmt.format(statistics.mean(values))} ({fmt.format(min(values))} – {fmt.format(max(values))})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--days", type=int, default=16)
    parser.add_argument("--tasks-per-day", type=int, default=2)
    args = parser.parse_args()
    embedder = build_embedder(Settings())
    table: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    per_seed: list[str] = []
    for seed in args.seeds:
        tasks = shuffled(world.task_stream(seed, args.days, args.tasks_per_day), seed)
        rows, vectors = context_vectors(embedder, tasks)
        for sharing in (False, True):
            arm = "sharing" if sharing else "private"
            with_checks, days, statuses = run(tasks, seed, sharing, True, rows, vectors, Patterns(embedder.embed, sharing))
            without, _, _ = run(tasks, seed, sharing, False, rows, vectors, Patterns(embedder.embed, sharing))
            before, after = recurring_rates(with_checks, days)
            _, after_without = recurring_rates(without, days)
            _, after_oracle = recurring_rates(oracle(tasks, seed), days)
            row = table[arm]
            row["success, checks"].append(rate(with_checks))
            row["success, no checks"].append(rate(without))
            row["5a before"].append(before)
            row["5a after"].append(after)
            row["after, no checks"].append(after_without)
            row["5a"].append(1 - after / before if before else float("nan"))
            row["vs no checks"].append(1 - after / after_without if after_without else float("nan"))
            row["oracle 5a"].append(1 - after_oracle / before if before else float("nan"))
            per_seed.append(
                f"seed {seed} {arm}: success {rate(with_checks):.1%} (no checks {rate(without):.1%}); recurring failures "
                f"per task before {before:.3f}, after {after:.3f} (no checks: {after_without:.3f}, oracle: "
                f"{after_oracle:.3f}); kinds with checks {len(days)}; check statuses at the end {dict(statuses)}")
            print(per_seed[-1], flush=True)
    lines = ["# Prevention, offline: do prevention checks cut recurring failures?", "",
             f"Command: `python -m bench.prevention_offline --seeds {' '.join(map(str, args.seeds))} --days {args.days} "
             f"--tasks-per-day {args.tasks_per_day}` — the world, tasks and agents of bench.learning_offline with "
             "failure memories, patterns, derived prevention checks and their records in-process (see the module "
             "docstring); each arm with and without checks on the same tasks and luck. Mean (min – max) over seeds.", "",
             "| arm | success, checks | success, no checks | 5a: fewer recurring failures after checks than before "
             "| after: fewer than the same agents without checks | 5a the oracle would reach |",
             "|---|---:|---:|---:|---:|---:|"]
    for arm, row in table.items():
        lines.append(f"| {arm} | {spread(row['success, checks'])} | {spread(row['success, no checks'])} | "
                     f"{spread(row['5a'])} | {spread(row['vs no checks'])} | {spread(row['oracle 5a'])} |")
    lines += ["", "Per seed:", "", *(f"- {line}" for line in per_seed)]
    write_report("prevention_offline", "\n".join(lines))


if __name__ == "__main__":
    main()
