"""Offline learning check: Engram's advice (the pure Advisor) against plain memory, in-process and fast.

    python -m bench.learning_offline [--seeds 1 2 3 4 5] [--days 30] [--tasks-per-day 6] [--policy greedy]

The same hidden world, tasks, shuffled order and luck as bench.learning_sim, and the same agent
policies (plain memory: the 10 most similar visible decisions, the remaining action with the most
successes, a random one 10% of the time; Engram: suggest → Thompson draw → checkAction's better
action), but memories are kept in a list and retrieved by exact cosine over real all-MiniLM-L6-v2
embeddings instead of through Neo4j and HTTP. It measures the learning logic alone, over many seeds,
in minutes; it is not the service figure (no failure memories, prevention checks or text/recency
ranking). The Advisor sees only the memories its agent may see (private: its own; sharing: all).
"""

from __future__ import annotations

import argparse
import random
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from bench import sim_world as world
from engram.config import Settings
from engram.embeddings import build_embedder
from engram.entities.learning import Verdict
from engram.entities.memory import AgentMemory, DecisionContent, MemoryKind, RelevantMemory
from engram.learning.advice import EVIDENCE_K, MIN_SIMILARITY, Advisor, posterior

MAX_ATTEMPTS = 3
PLAIN_K, PLAIN_EXPLORE = 10, 0.10
ARMS = ("no memory", "oracle", "plain memory, sharing", "Engram, private", "Engram, sharing")


def shuffled(tasks: list[world.Task], seed: int) -> list[world.Task]:
    rnd = random.Random(f"order-{seed}")
    out = []
    for day in sorted({t.day for t in tasks}):
        todays = [t for t in tasks if t.day == day]
        rnd.shuffle(todays)
        out += todays
    return out


@dataclass
class Record:
    id: str
    agent: str
    row: int          # the context's row in the embedding matrix
    context: str
    action: str
    ok: bool


class Store:
    def __init__(self, vectors: np.ndarray) -> None:
        self.vectors = vectors
        self.records: list[Record] = []

    def nearest(self, agent: str, row: int, sharing: bool, k: int, floor: float) -> list[tuple[Record, float]]:
        visible = [r for r in self.records if sharing or r.agent == agent]
        if not visible:
            return []
        sims = self.vectors[[r.row for r in visible]] @ self.vectors[row]
        order = np.argsort(-sims, kind="stable")[:k]
        return [(visible[i], float(sims[i])) for i in order if sims[i] >= floor]


def relevant(found: list[tuple[Record, float]], agent: str) -> list[RelevantMemory]:
    now = datetime.now(UTC)
    out = []
    for r, sim in found:
        memory = AgentMemory(id=r.id, agent_id=r.agent, kind=MemoryKind.decision, context=r.context, text=r.context,
                             content=DecisionContent(r.context, r.action), outcome="success" if r.ok else "failure",
                             confidence_score=0.5, success_rate=1.0 if r.ok else 0.0, access_count=0, occurrences=1,
                             created_at=now, last_accessed=None, first_seen=now, last_seen=now, tags=[], domain=None)
        out.append(RelevantMemory(memory, sim, sim, 0.0, 1.0, r.agent == agent))
    return out


def run(tasks: list[world.Task], seed: int, arm: str, rows: dict[str, int], vectors: np.ndarray,
        policy: str = "greedy") -> list[tuple]:
    store, advisor = Store(vectors), Advisor(rng=random.Random(f"advisor-{seed}-{arm}"))
    rnds = {a: random.Random(f"{seed}-{a}-{arm}") for a in world.AGENTS}
    sharing = "sharing" in arm
    attempts = []
    for task in tasks:
        remaining, rnd, row = task.actions, rnds[task.agent], rows[task.context]
        for number in range(1, MAX_ATTEMPTS + 1):
            if arm == "no memory":
                action = rnd.choice(remaining)
            elif arm == "oracle":
                action = max(remaining, key=lambda a: world.success_probability(task, a))
            elif arm.startswith("plain"):
                wins = Counter(r.action for r, _ in store.nearest(task.agent, row, True, PLAIN_K, -1.0)
                               if r.ok and r.action in remaining)
                if rnd.random() < PLAIN_EXPLORE or not wins:
                    action = rnd.choice(remaining)
                else:
                    top = max(wins.values())
                    action = rnd.choice(sorted(a for a, n in wins.items() if n == top))
            else:
                seen = relevant(store.nearest(task.agent, row, sharing, EVIDENCE_K, MIN_SIMILARITY), task.agent)
                suggestion = advisor.suggest(seen, task.context, k=50, candidates=remaining)
                options = [a for a in suggestion.actions if a.action in remaining]
                if policy == "greedy":  # the highest posterior mean, as Advisor.choose
                    draws = {a.action: a.estimate.mean for a in options}
                elif policy == "posterior":  # a Thompson draw from the reported posterior
                    draws = {a.action: rnd.betavariate(*posterior(a.estimate)) for a in options}
                else:  # a Thompson draw from the weighted counts with a flat prior
                    draws = {a.action: rnd.betavariate(1 + a.estimate.successes,
                                                       1 + a.estimate.attempts - a.estimate.successes) for a in options}
                action = max(draws, key=lambda n: (draws[n], n)) if draws else rnd.choice(remaining)
                check = advisor.check_action(seen, action, (), task.context)
                if check.verdict is not Verdict.allow and check.better_action in remaining:
                    action = check.better_action
            ok = world.succeeds(seed, task, action)
            store.records.append(Record(f"{arm}-{task.id}-{number}", task.agent, row, task.context, action, ok))
            attempts.append((task, number, action, ok))
            if ok:
                break
            remaining = [a for a in remaining if a != action]
    return attempts


def rate(attempts: list[tuple]) -> float:
    return sum(ok for *_, ok in attempts) / len(attempts)


def second_agent_failures(attempts: list[tuple]) -> int:
    """Failed attempts of agents that took a task type up after another agent, in their first five tasks of it."""
    followers = set(world.followers())
    seen: dict[tuple[str, str], list[str]] = {}
    failures = 0
    for task, _, _, ok in attempts:
        key = (task.agent, task.type.name)
        if key not in followers:
            continue
        ids = seen.setdefault(key, [])
        if task.id not in ids:
            ids.append(task.id)
        if len(ids) <= 5 and not ok:
            failures += 1
    return failures


def context_vectors(embedder, tasks) -> tuple[dict[str, int], np.ndarray]:
    """The seed's distinct task contexts embedded once: each context's row, and the unit vectors."""
    contexts = sorted({t.context for t in tasks})
    vectors = np.asarray(embedder.embed(contexts), dtype=float)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return {c: i for i, c in enumerate(contexts)}, vectors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--tasks-per-day", type=int, default=6)
    parser.add_argument("--arms", nargs="+", default=list(ARMS))
    parser.add_argument("--policy", choices=("greedy", "posterior", "thompson"), default="greedy",
                        help="how the Engram agents act on suggest's estimates")
    args = parser.parse_args()
    embedder = build_embedder(Settings())
    results: dict[str, list[float]] = {a: [] for a in args.arms}
    followers: dict[str, list[int]] = {a: [] for a in args.arms}
    for seed in args.seeds:
        tasks = shuffled(world.task_stream(seed, args.days, args.tasks_per_day), seed)
        rows, vectors = context_vectors(embedder, tasks)
        line = []
        for arm in args.arms:
            attempts = run(tasks, seed, arm, rows, vectors, args.policy)
            results[arm].append(rate(attempts))
            followers[arm].append(second_agent_failures(attempts))
            line.append(f"{arm}: {rate(attempts):.1%} / {followers[arm][-1]}")
        print(f"seed {seed}: " + "; ".join(line), flush=True)
    print("\n| arm | success per attempt, mean (min – max) | second agents' failures, first 5 tasks (sum) |")
    print("|---|---:|---:|")
    for arm in args.arms:
        r = results[arm]
        print(f"| {arm} | {statistics.mean(r):.1%} ({min(r):.1%} – {max(r):.1%}) | {sum(followers[arm])} |")


if __name__ == "__main__":
    main()
