"""Learning simulation: four agents doing tasks for 30 simulated days, with and without Engram.

    python -m bench.learning_sim [--seed 7] [--tasks-per-day 6] [--days 30]
    (needs a running Neo4j it may empty: `make bench` starts a dedicated one)

The world (bench/sim_world.py) hides each action's success probability; agents see contexts,
available actions, and outcomes or error messages. Three arms face the same tasks and the same
luck (common random numbers):

- no memory: the agent tries the task's actions in random order (never repeating one that failed
  on the same task), up to three attempts per task;
- Engram, private: the same, but each attempt goes through the real service over GraphQL/HTTP the
  way `execute_with_memory` does it — `suggest` (with the task's actions as candidates), the highest
  posterior mean among them, `checkAction` (a warned or blocked action is swapped for the
  better one it names, as execute_with_memory applies a prevention check), act, `recordDecision`
  (informedBy: the evidence memories; checkToken: the check's, so each check's record counts it), and
  after the task `learnFromFailure` for each failed attempt with the fix that followed and the action
  that failed; an operator runs
  `analyzePatterns` at the end of each day (the service's periodic analysis, made deterministic);
- Engram, shared: the same, after every agent granted every other agent its domains through the
  consent workflow (`requestAccess` / `grantAccess`).

Events carry `occurredAt` on the simulated day (day 30 is yesterday), so recency is real.
It reports the spec's five success metrics and plots success rate per simulated day.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import sim_world as world
from bench.report import pyplot, write_plot, write_report
from bench.service import GraphQLClient, GraphQLError, RunningService, wipe_database
from engram.auth.service import ApiKeyService
from engram.config import Settings
from engram.storage.connection import open_driver
from engram.storage.schema import apply_schema

MAX_ATTEMPTS = 3
EVIDENCE_IDS = 10
PLAIN_EXPLORE = 0.10
RETRIEVE = """query($c: String!) { retrieveMemories(context: $c, k: 10) { memory { id outcome
  ... on DecisionMemory { chosenAction } } } }"""

SUGGEST = """query($c: String!, $cands: [String!]) { suggest(context: $c, k: 50, candidates: $cands) {
  actions { action estimate { mean successes attempts } evidence { memoryId similarity } } } }"""
CHECK = """query($c: String!, $a: String!) { checkAction(context: $c, intendedAction: $a) {
  verdict betterAction token preventionChecks { id guardsActions betterAction } } }"""
RECORD = "mutation($i: RecordDecisionInput!) { recordDecision(input: $i) { memoryId } }"
LEARN = """mutation($i: LearnFromFailureInput!) { learnFromFailure(input: $i) {
  memoryId patternId preventionChecks { id } } }"""
ANALYZE = "mutation { analyzePatterns { failures recurringPatterns preventionChecks seconds } }"
STATS = "{ learningStats(windowDays: 3650) { decisions informedShare } }"
PATTERNS = """query($after: String) { patterns(kind: FAILURE, first: 100, after: $after) {
  nodes { id recurring occurrences similarFailures { memoryId } } pageInfo { hasNextPage endCursor } } }"""
REQUEST = """mutation($owner: String!, $domain: String!) { requestAccess(owner: $owner, scope: DOMAIN, value: $domain,
  reason: "learn from your experience", durationHours: 48) { id } }"""
CHECKS = """{ preventionChecks { id status followed { attempts successes } ignored { attempts successes }
  before { attempts successes } } }"""
GRANT = "mutation($id: String!) { grantAccess(requestId: $id) { id } }"


@dataclass
class Attempt:
    task: world.Task
    number: int
    action: str
    ok: bool
    error_kind: str | None = None
    informed: bool = False
    verdict: str | None = None
    switched: bool = False
    failure_id: str | None = None  # the failure memory learned from it (Engram arms)


@dataclass
class ArmResult:
    name: str
    attempts: list[Attempt] = field(default_factory=list)
    checks_from_day: dict[str, int] = field(default_factory=dict)  # error kind -> first day checks existed
    informed_share_service: float | None = None
    recurring_identified: dict[str, bool] = field(default_factory=dict)
    seconds: float = 0.0
    calls: int = 0
    checks: list[dict] = field(default_factory=list)  # the service's prevention checks at the end (Engram arms)


def sim_time(day: int, seq: int, attempt: int, agent: str, start: datetime) -> datetime:
    return start + timedelta(days=day - 1, hours=9 + seq, minutes=10 * world.AGENTS.index(agent) + attempt)


# ---- the no-memory baseline
def run_baseline(tasks: list[world.Task], seed: int, policy_seed: int = 1) -> ArmResult:
    rnd = random.Random(seed * 1000 + policy_seed)
    result = ArmResult("no memory")
    started = time.perf_counter()
    for task in tasks:
        remaining = task.actions
        for number in range(1, MAX_ATTEMPTS + 1):
            action = rnd.choice(remaining)
            ok = world.succeeds(seed, task, action)
            result.attempts.append(Attempt(task, number, action, ok, None if ok else world.error_of(task, action)[0]))
            if ok:
                break
            remaining = [a for a in remaining if a != action]
    result.seconds = time.perf_counter() - started
    return result


def run_oracle(tasks: list[world.Task], seed: int) -> ArmResult:
    """Knows the hidden odds: always the remaining action most likely to succeed, with the same luck."""
    result = ArmResult("oracle")
    for task in tasks:
        remaining = task.actions
        for number in range(1, MAX_ATTEMPTS + 1):
            action = max(remaining, key=lambda a: (world.success_probability(task, a), a))
            ok = world.succeeds(seed, task, action)
            result.attempts.append(Attempt(task, number, action, ok, None if ok else world.error_of(task, action)[0]))
            if ok:
                break
            remaining = [a for a in remaining if a != action]
    return result


def shuffled(tasks: list[world.Task], seed: int) -> list[world.Task]:
    """The same tasks, in a seeded random order within each day (days stay in order: the world drifts by day)."""
    rnd = random.Random(f"order-{seed}")
    out: list[world.Task] = []
    for day in sorted({t.day for t in tasks}):
        todays = [t for t in tasks if t.day == day]
        rnd.shuffle(todays)
        out += todays
    return out


# ---- an agent using Engram over GraphQL/HTTP
class EngramAgent:
    def __init__(self, name: str, client: GraphQLClient, seed: int, arm: str, start: datetime) -> None:
        self.name, self.client, self.arm, self.start = name, client, arm, start
        self.rnd = random.Random(f"{seed}-{name}")
        self.calls = 0
        self.token: str | None = None  # the last checkAction's, for the decision taken after it

    def call(self, document: str, variables: dict | None = None) -> dict:
        self.calls += 1
        return self.client(document, variables)

    def choose(self, task: world.Task, remaining: list[str]) -> tuple[str, list[str], str | None, bool]:
        """suggest → highest posterior mean → checkAction; returns (action, evidence ids, verdict, switched).
        The check's token is kept for the decision (self.token), so the checks it showed count it."""
        suggestion = self.call(SUGGEST, {"c": task.context, "cands": remaining})["suggest"]
        options = [a for a in suggestion["actions"] if a["action"] in remaining]
        # The highest posterior mean among the remaining actions (as Advisor.choose; untried ones at 0.5).
        means = {a["action"]: a["estimate"]["mean"] for a in options}
        top = max(means.values(), default=None)
        action = self.rnd.choice(sorted(n for n, m in means.items() if m >= top - 1e-9)) if means \
            else self.rnd.choice(remaining)
        evidence = sorted((e for a in suggestion["actions"] for e in a["evidence"]), key=lambda e: -e["similarity"])
        check = self.call(CHECK, {"c": task.context, "a": action})["checkAction"]
        self.token = check["token"]
        better = check["betterAction"]
        # As execute_with_memory applies it: the better action a guarding check (or a warning) names.
        switched = check["verdict"] in ("WARN", "BLOCK") and better in remaining and better != action
        return (better if switched else action), [e["memoryId"] for e in evidence[:EVIDENCE_IDS]], check["verdict"], switched

    def do(self, task: world.Task, seed: int) -> list[Attempt]:
        attempts: list[Attempt] = []
        remaining = task.actions
        failures: list[tuple[Attempt, str, datetime]] = []
        for number in range(1, MAX_ATTEMPTS + 1):
            action, evidence, verdict, switched = self.choose(task, remaining)
            ok = world.succeeds(seed, task, action)
            at = sim_time(task.day, task.seq, number, task.agent, self.start)
            self.call(RECORD, {"i": {
                "id": f"{self.arm}-{task.id}-{number}", "context": task.context, "action": action,
                "outcome": "SUCCESS" if ok else "FAILURE", "alternatives": [a for a in task.actions if a != action],
                "informedBy": evidence, "domain": task.type.domain, "occurredAt": at.isoformat(),
                "checkToken": self.token}})
            attempt = Attempt(task, number, action, ok, None, bool(evidence), verdict, switched)
            attempts.append(attempt)
            if ok:
                break
            kind, message = world.error_of(task, action)
            attempt.error_kind = kind
            failures.append((attempt, message, at))
            remaining = [a for a in remaining if a != action]
        self.learn(task, attempts, failures)
        return attempts

    def learn(self, task: world.Task, attempts: list[Attempt], failures: list[tuple[Attempt, str, datetime]]) -> None:
        fix = attempts[-1].action if attempts[-1].ok else None
        for attempt, message, at in failures:
            attempt.failure_id = f"{self.arm}-{task.id}-{attempt.number}-failure"
            self.call(LEARN, {"i": {
                "id": attempt.failure_id, "errorMessage": message,
                "context": task.context, "domain": task.type.domain, "occurredAt": at.isoformat(),
                "solution": fix, "solutionWorked": True if fix else None, "failedAction": attempt.action}})


class PlainMemoryAgent(EngramAgent):
    """A memory store without a learning engine, the way Mem0- or Graphiti-style memories are used: the 10
    most similar visible memories (retrieveMemories), the remaining action with the most successes among
    them, a random one 10% of the time (or when none has a success). Records its decisions the same way."""

    def choose(self, task: world.Task, remaining: list[str]) -> tuple[str, list[str], str | None, bool]:
        found = self.call(RETRIEVE, {"c": task.context})["retrieveMemories"]
        wins: Counter = Counter()
        for r in found:
            m = r["memory"]
            if m.get("chosenAction") in remaining and m.get("outcome") == "SUCCESS":
                wins[m["chosenAction"]] += 1
        if self.rnd.random() < PLAIN_EXPLORE or not wins:
            action = self.rnd.choice(remaining)
        else:
            top = max(wins.values())
            action = self.rnd.choice(sorted(a for a, n in wins.items() if n == top))
        return action, [r["memory"]["id"] for r in found], None, False

    def learn(self, *_: object) -> None:
        """A plain store keeps the decisions it recorded; it has no failure learning."""


def wipe(settings: Settings) -> None:
    driver = open_driver(settings)
    try:
        wipe_database(driver, settings)
        apply_schema(driver, settings)
    finally:
        driver.close()


def issue_keys(settings: Settings) -> tuple[dict[str, str], str]:
    driver = open_driver(settings)
    try:
        keys = ApiKeyService(driver, settings)
        agents = {name: keys.create_agent(name).token for name in world.AGENTS}
        return agents, keys.create_agent("sim-operator", operator=True).token
    finally:
        driver.close()


def share_everything(clients: dict[str, GraphQLClient]) -> int:
    """Every agent asks every other for each domain it works in; the owner grants. Returns grants."""
    grants = 0
    for owner in world.AGENTS:
        domains = sorted({world.TASK_TYPES[name].domain for name, takers in world.ASSIGNMENTS.items()
                          if any(a == owner for a, _ in takers)})
        for grantee in world.AGENTS:
            if grantee == owner:
                continue
            for domain in domains:
                request = clients[grantee](REQUEST, {"owner": owner, "domain": domain})["requestAccess"]
                clients[owner](GRANT, {"id": request["id"]})
                grants += 1
    return grants


def failure_patterns(client: GraphQLClient) -> list[dict]:
    nodes, after = [], None
    while True:
        page = client(PATTERNS, {"after": after})["patterns"]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


def pattern_membership(clients: dict[str, GraphQLClient]) -> tuple[dict[str, str], dict[str, bool]]:
    """(failure memory id -> its failure pattern, pattern -> recurring), as the agents together see them."""
    pattern_of: dict[str, str] = {}
    recurring: dict[str, bool] = {}
    for client in clients.values():
        for pattern in failure_patterns(client):
            recurring[pattern["id"]] = pattern["recurring"]
            for failure in pattern["similarFailures"]:
                pattern_of[failure["memoryId"]] = pattern["id"]
    return pattern_of, recurring


def run_engram(tasks: list[world.Task], seed: int, *, sharing: bool, settings: Settings,
               plain: bool = False) -> ArmResult:
    arm = ("plain-" if plain else "") + ("shared" if sharing else "private")
    result = ArmResult(("plain memory" if plain else "Engram") + (", sharing" if sharing else ", private"))
    wipe(settings)
    agent_keys, operator_key = issue_keys(settings)
    start = (datetime.now(UTC) - timedelta(days=world_days(tasks) + 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    env = {"ENGRAM_ANALYZE_INTERVAL_S": "0", "ENGRAM_RETENTION_INTERVAL_S": "0"}
    with RunningService(env, log_name=f"bench-sim-{arm}-{settings.instance}") as service:
        clients = {name: GraphQLClient(service.url, key) for name, key in agent_keys.items()}
        operator = GraphQLClient(service.url, operator_key)
        agent_type = PlainMemoryAgent if plain else EngramAgent
        agents = {name: agent_type(name, clients[name], seed, arm, start) for name in world.AGENTS}
        started = time.perf_counter()
        if sharing:
            share_everything(clients)
        by_day: dict[int, list[world.Task]] = defaultdict(list)
        for task in tasks:
            by_day[task.day].append(task)
        for day in sorted(by_day):
            for task in by_day[day]:
                attempts = agents[task.agent].do(task, seed)
                result.attempts += attempts
            if not plain:
                operator(ANALYZE)
                note_prevention_checks(result, clients, day)
            print(f"  {result.name}: day {day:2d} done, {len(result.attempts)} attempts, "
                  f"{time.perf_counter() - started:.0f}s", flush=True)
        result.seconds = time.perf_counter() - started
        result.calls = sum(a.calls for a in agents.values()) + len(by_day)
        if not plain:
            collect_checks(result, clients)
            result.informed_share_service = informed_share(clients)
            result.recurring_identified = identified_recurring_issues(result, clients)
        for client in [*clients.values(), operator]:
            client.close()
    return result


def world_days(tasks: list[world.Task]) -> int:
    return max(t.day for t in tasks)


def note_prevention_checks(result: ArmResult, clients: dict[str, GraphQLClient], day: int) -> None:
    """After the day's analysis, for each error kind that failed today and has no date yet: do prevention
    checks exist on the failure pattern holding most of its failures? Asked as the agents, over GraphQL."""
    kinds = {a.error_kind for a in result.attempts if a.task.day == day and a.error_kind}
    pending = [k for k in kinds if k not in result.checks_from_day]
    if not pending:
        return
    checks_by_pattern = defaultdict(int)
    for client in clients.values():
        for check in client("{ preventionChecks { id patternId } }")["preventionChecks"]:
            checks_by_pattern[check["patternId"]] += 1
    if not checks_by_pattern:
        return
    patterns, _ = pattern_membership(clients)
    for kind in pending:
        held = Counter(patterns[a.failure_id] for a in result.attempts
                       if a.error_kind == kind and a.failure_id in patterns)
        if held and checks_by_pattern.get(held.most_common(1)[0][0]):
            result.checks_from_day[kind] = day + 1  # checks exist from the next day's tasks on


def informed_share(clients: dict[str, GraphQLClient]) -> float:
    stats = [client(STATS)["learningStats"] for client in clients.values()]
    decisions = sum(s["decisions"] for s in stats)
    return sum(s["informedShare"] * s["decisions"] for s in stats) / decisions if decisions else 0.0


def identified_recurring_issues(result: ArmResult, clients: dict[str, GraphQLClient]) -> dict[str, bool]:
    """Each error kind that occurred 3+ times: identified when the failure pattern holding most of its
    failures is marked recurring, holds at least 2/3 of them, and is mostly made of this kind."""
    pattern_of, recurring = pattern_membership(clients)
    kind_of = {a.failure_id: a.error_kind for a in result.attempts if a.failure_id}
    counts = Counter(kind_of.values())
    members: dict[str, Counter] = defaultdict(Counter)
    for memory_id, kind in kind_of.items():
        if memory_id in pattern_of:
            members[pattern_of[memory_id]][kind] += 1
    identified = {}
    for kind, n in counts.items():
        if n < 3:
            continue
        held = Counter(pattern_of[m] for m, k in kind_of.items() if k == kind and m in pattern_of)
        if not held:
            identified[kind] = False
            continue
        pattern_id, count = held.most_common(1)[0]
        identified[kind] = (recurring.get(pattern_id, False) and count >= 2 * n / 3
                            and members[pattern_id].most_common(1)[0][0] == kind)
    return identified


# ---- metrics
def success_rate(attempts: list[Attempt]) -> float:
    return sum(a.ok for a in attempts) / len(attempts) if attempts else 0.0


def first_try_rate(attempts: list[Attempt]) -> float:
    firsts = [a for a in attempts if a.number == 1]
    return success_rate(firsts)


def failures_before_first_success(attempts: list[Attempt]) -> dict[tuple[str, str], int]:
    """For each (follower agent, task type): failed attempts before its first success on that type."""
    out = {}
    for agent, kind in world.followers():
        count = 0
        for a in attempts:
            if a.task.agent == agent and a.task.type.name == kind:
                if a.ok:
                    break
                count += 1
        out[(agent, kind)] = count
    return out


def early_failures(attempts: list[Attempt], first_tasks: int = 5) -> dict[tuple[str, str], int]:
    """For each (follower agent, task type): failed attempts in its first `first_tasks` tasks of that type."""
    out = {}
    for agent, kind in world.followers():
        mine = [a for a in attempts if a.task.agent == agent and a.task.type.name == kind]
        early_ids = list(dict.fromkeys(a.task.id for a in mine))[:first_tasks]
        out[(agent, kind)] = sum(not a.ok for a in mine if a.task.id in early_ids)
    return out


def recurring_failure_rates(arm: ArmResult, checks_from_day: dict[str, int]) -> tuple[float, float, int, int]:
    """Failures of each recurring error kind per task of the task types that raise it, before and after
    its prevention checks existed; pooled over kinds. (rate before, rate after, tasks before, after)."""
    raised_by: dict[str, set[str]] = defaultdict(set)
    for t in world.TASK_TYPES.values():
        for a in t.actions:
            raised_by[a.error_kind].add(t.name)
    failures = [0, 0]
    tasks = [0, 0]
    for kind, day in checks_from_day.items():
        for a in arm.attempts:
            if a.error_kind == kind:
                failures[a.task.day >= day] += 1
        task_ids = {(a.task.id, a.task.day) for a in arm.attempts if a.task.type.name in raised_by[kind]}
        for _, task_day in task_ids:
            tasks[task_day >= day] += 1
    rate = [failures[i] / tasks[i] if tasks[i] else 0.0 for i in (0, 1)]
    return rate[0], rate[1], tasks[0], tasks[1]


def daily_success(attempts: list[Attempt], days: int) -> list[float]:
    by_day: dict[int, list[Attempt]] = defaultdict(list)
    for a in attempts:
        by_day[a.task.day].append(a)
    return [success_rate(by_day[d]) for d in range(1, days + 1)]


ARMS = ("no memory", "oracle", "plain memory, sharing", "Engram, private", "Engram, sharing")
ENGRAM_ARMS = ARMS[3:]


@dataclass
class SeedRun:
    seed: int
    tasks: list[world.Task]
    arms: dict[str, ArmResult]

    def rate(self, arm: str) -> float:
        return success_rate(self.arms[arm].attempts)

    def gain(self, arm: str) -> float:
        return self.rate(arm) / self.rate("no memory") - 1

    def oracle_share(self, arm: str) -> float:
        base, oracle = self.rate("no memory"), self.rate("oracle")
        return (self.rate(arm) - base) / (oracle - base) if oracle > base else float("nan")

    def early(self, arm: str) -> int:
        return sum(early_failures(self.arms[arm].attempts).values())

    def transfer(self, arm: str) -> float:
        base = self.early("no memory")
        return 1 - self.early(arm) / base if base else float("nan")

    def prevention(self, arm: str) -> float | None:
        before, after, n_before, n_after = recurring_failure_rates(self.arms[arm], self.arms[arm].checks_from_day)
        return 1 - after / before if before and n_after else None


def spread(values: list[float], fmt) -> str:
    values = [v for v in values if v is not None and v == v]
    if not values:
        return "n/a"
    return f"{fmt(statistics.mean(values))} ({fmt(min(values))} – {fmt(max(values))})"


def pct(x: float) -> str:
    return f"{x:.1%}"


def signed_pct(x: float) -> str:
    return f"{x:+.1%}"


def points(x: float) -> str:
    return f"{100 * x:+.1f}"


def plot(runs: list[SeedRun], days: int) -> None:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for arm, style in zip(ARMS, (":", "-.", "--", "-", "-"), strict=True):
        per_seed = [daily_success(run.arms[arm].attempts, days) for run in runs]
        series = [statistics.mean(s[d] for s in per_seed) for d in range(days)]
        smooth = [statistics.mean(series[max(0, i - 2):i + 1]) for i in range(days)]
        ax.plot(range(1, days + 1), smooth, style, marker="o", markersize=3, label=arm)
    for day, text, y in ((world.FOLLOWER_START, "second agents start", 0.06), (world.DRIFT_DAY, "partner API drifts", 0.02)):
        if day <= days:
            ax.axvline(day, color="lightgrey", linewidth=1)
            ax.text(day + 0.2, y, text, fontsize=8, color="grey")
    ax.set_xlabel("simulated day")
    ax.set_ylabel(f"success per attempt (3-day mean, mean of {len(runs)} seeds)")
    ax.set_ylim(0, 1)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(f"Learning simulation: 4 agents, {len(world.TASK_TYPES)} task types, {days} days, {len(runs)} seeds")
    write_plot("learning_sim", fig)


def report(runs: list[SeedRun], args: argparse.Namespace) -> str:
    n_tasks = len(runs[0].tasks)
    lines = [
        "# Learning simulation: the spec's success metrics over seeds",
        "",
        f"Configuration: `python -m bench.learning_sim --seeds {' '.join(str(r.seed) for r in runs)} --days {args.days} "
        f"--tasks-per-day {args.tasks_per_day}` — 4 agents, {len(world.TASK_TYPES)} task types, {args.days} simulated "
        f"days, {args.tasks_per_day} tasks per agent per day ({n_tasks} tasks per arm and seed), up to {MAX_ATTEMPTS} "
        "attempts per task. Each seed draws its own tasks and luck and shuffles the order of each day's tasks. "
        "All arms of a seed face the same tasks in the same order with the same luck. Plain-memory and Engram arms go "
        "through the real service over GraphQL/HTTP (real Neo4j + GDS, real model); the service sees only what an "
        f"agent sends. Time in the service arms, summed over seeds: "
        f"{sum(a.seconds for r in runs for a in r.arms.values()) / 60:.1f} min. Figures: mean (min – max) over seeds.",
        "",
        "## Success per attempt",
        "",
        "| arm | " + " | ".join(f"seed {r.seed}" for r in runs) + " | mean (min – max) |",
        "|---|" + "---:|" * (len(runs) + 1),
    ]
    for arm in ARMS:
        rates = [r.rate(arm) for r in runs]
        lines.append(f"| {arm} | " + " | ".join(pct(x) for x in rates) + f" | {spread(rates, pct)} |")
    lines += ["", "![success rate per day](learning_sim.png)", "", "## The goals", "",
              "| metric | goal | " + " | ".join(ENGRAM_ARMS) + " | plain memory, sharing |",
              "|---|---|---:|---:|---:|"]

    def row(name: str, goal: str, value, fmt, arms=(*ENGRAM_ARMS, "plain memory, sharing")) -> None:
        lines.append(f"| {name} | {goal} | " + " | ".join(spread([value(r, a) for r in runs], fmt) for a in arms) + " |")

    row("1. success gain over no memory", "+30% every seed", lambda r, a: r.gain(a), signed_pct)
    row("share of the oracle's gain over no memory", "≥ 70%", lambda r, a: r.oracle_share(a), pct)
    row("lead over plain memory, points of success", "≥ +5 every seed", lambda r, a: r.rate(a) - r.rate("plain memory, sharing"),
        points)
    row("4. second agents: fewer failures in their first 5 tasks of a type than no memory", "≥ 75%",
        lambda r, a: r.transfer(a), pct)
    row("5a. fewer recurring failures per task after checks exist (same agents before)", "≥ 50% (spec 80%)",
        lambda r, a: r.prevention(a) if a in ENGRAM_ARMS else None, pct)
    lines += ["", "Every seed, the goals met:", "",
              "| seed | " + " | ".join(f"{a}: +30% / ≥70% oracle / +5 over plain" for a in ENGRAM_ARMS) + " |",
              "|---|" + "---|" * len(ENGRAM_ARMS)]
    for r in runs:
        cells = []
        for a in ENGRAM_ARMS:
            marks = [r.gain(a) >= 0.30, r.oracle_share(a) >= 0.70, r.rate(a) - r.rate("plain memory, sharing") >= 0.05]
            cells.append(" / ".join("yes" if m else "no" for m in marks))
        lines.append(f"| {r.seed} | " + " | ".join(cells) + " |")
    lines += ["", "Failed attempts of second agents in their first five tasks of a type (sum over "
              f"{len(world.followers())} agent/task-type pairs):", "",
              "| arm | " + " | ".join(f"seed {r.seed}" for r in runs) + " |", "|---|" + "---:|" * len(runs)]
    for arm in ARMS:
        lines.append(f"| {arm} | " + " | ".join(str(r.early(arm)) for r in runs) + " |")
    if not any(r.arms[a].checks for r in runs for a in ENGRAM_ARMS):
        lines += ["", "Prevention check records: none collected in these runs."]
    else:
        lines += ["", "Prevention checks at the end of each Engram run (status, and outcomes counted on them: "
                  "followed / ignored when shown, and in their contexts before they existed):", "",
                  "| seed | arm | checks | trial / promoted / retired | followed: attempts, success | ignored | before |",
                  "|---|---|---:|---:|---:|---:|---:|"]
    for r in runs:
        for arm in ENGRAM_ARMS:
            checks = r.arms[arm].checks
            if not checks:
                continue
            status = Counter(c["status"].lower() for c in checks)
            total = {k: (sum(c[k]["attempts"] for c in checks), sum(c[k]["successes"] for c in checks))
                     for k in ("followed", "ignored", "before")}
            cell = lambda k: f"{total[k][0]:.0f}, {total[k][1] / total[k][0]:.0%}" if total[k][0] else "0"  # noqa: E731
            lines.append(f"| {r.seed} | {arm} | {len(checks)} | {status['trial']} / {status['promoted']} / "
                         f"{status['retired']} | {cell('followed')} | {cell('ignored')} | {cell('before')} |")
    lines += ["", "Metric 5a in detail: failures of each recurring error kind per task of the task types that raise it, "
              "before and after the daily analysis first found prevention checks on the pattern holding its failures.",
              "", "| seed | arm | kinds with checks | tasks before / after | rate before | rate after |",
              "|---|---|---:|---:|---:|---:|"]
    for r in runs:
        for arm in ENGRAM_ARMS:
            before, after, n_before, n_after = recurring_failure_rates(r.arms[arm], r.arms[arm].checks_from_day)
            lines.append(f"| {r.seed} | {arm} | {len(r.arms[arm].checks_from_day)} | {n_before} / {n_after} | "
                         f"{before:.3f} | {after:.3f} |")
    swaps = {arm: [sum(a.switched for a in r.arms[arm].attempts) for r in runs] for arm in ENGRAM_ARMS}
    lines += ["", "checkAction swapped the drawn action for the better one it named: "
              + "; ".join(f"{arm}: {', '.join(map(str, n))} times per seed" for arm, n in swaps.items()) + "."]
    return "\n".join(lines)


def collect_checks(result: ArmResult, clients: dict[str, GraphQLClient]) -> None:
    """Every check any agent can see, with its record (checks are shown per caller, so ask as each
    agent). A service without per-check records (the field is refused) leaves the list empty."""
    try:
        found = {c["id"]: c for client in clients.values() for c in client(CHECKS)["preventionChecks"]}
    except GraphQLError as error:
        print(f"prevention check records not collected: {str(error)[:200]}")
        return
    result.checks = sorted(found.values(), key=lambda c: c["id"])


def run_seed(seed: int, args: argparse.Namespace, settings: Settings) -> SeedRun:
    tasks = shuffled(world.task_stream(seed, args.days, args.tasks_per_day), seed)
    arms = {"no memory": run_baseline(tasks, seed), "oracle": run_oracle(tasks, seed)}
    arms["plain memory, sharing"] = run_engram(tasks, seed, sharing=True, settings=settings, plain=True)
    for sharing in (False, True):
        result = run_engram(tasks, seed, sharing=sharing, settings=settings)
        arms[result.name] = result
    return SeedRun(seed, tasks, arms)


def save_runs(runs: list[SeedRun], args: argparse.Namespace, path: Path) -> None:
    """The runs' observable record (what each arm did and saw), to report several processes' seeds together."""
    path.write_text(json.dumps({"days": args.days, "tasks_per_day": args.tasks_per_day, "runs": [{
        "seed": r.seed, "arms": {name: {
            "attempts": [[a.task.id, a.number, a.action, a.ok, a.error_kind, a.switched] for a in arm.attempts],
            "checks_from_day": arm.checks_from_day, "checks": arm.checks, "seconds": arm.seconds, "calls": arm.calls}
            for name, arm in r.arms.items()}} for r in runs]}))


def load_runs(paths: list[Path]) -> tuple[list[SeedRun], int, int]:
    runs, days, per_day = [], 0, 0
    for path in paths:
        data = json.loads(path.read_text())
        days, per_day = data["days"], data["tasks_per_day"]
        for r in data["runs"]:
            tasks = shuffled(world.task_stream(r["seed"], days, per_day), r["seed"])
            by_id = {t.id: t for t in tasks}
            arms = {}
            for name, arm in r["arms"].items():
                result = ArmResult(name, checks_from_day=arm["checks_from_day"], checks=arm["checks"],
                                   seconds=arm["seconds"], calls=arm["calls"])
                result.attempts = [Attempt(by_id[tid], n, action, ok, kind, switched=sw)
                                   for tid, n, action, ok, kind, sw in arm["attempts"]]
                arms[name] = result
            runs.append(SeedRun(r["seed"], tasks, arms))
    return sorted(runs, key=lambda r: r.seed), days, per_day


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--days", type=int, default=16)
    parser.add_argument("--tasks-per-day", type=int, default=2)
    parser.add_argument("--save", type=Path, help="also write the runs' record here (JSON)")
    parser.add_argument("--merge", type=Path, nargs="+", help="report the runs saved by earlier --save runs")
    args = parser.parse_args()
    if len(args.seeds) < 1 or args.days < 2 or args.tasks_per_day < 1:
        parser.error("needs at least one seed, two days and one task per day")
    if args.merge:
        runs, args.days, args.tasks_per_day = load_runs(args.merge)
        plot(runs, args.days)
        write_report("learning_sim", report(runs, args))
        return
    settings = Settings()
    runs = []
    for seed in args.seeds:
        print(f"seed {seed}", flush=True)
        runs.append(run_seed(seed, args, settings))
        if args.save:
            save_runs(runs, args, args.save)
        print(report(runs, args), flush=True)
    wipe(settings)
    plot(runs, args.days)
    write_report("learning_sim", report(runs, args))


if __name__ == "__main__":
    main()
