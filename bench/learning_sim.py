"""Learning simulation: four agents doing tasks for 30 simulated days, with and without Engram.

    python -m bench.learning_sim [--seed 7] [--tasks-per-day 6] [--days 30]
    (needs a running Neo4j it may empty: `make bench` starts a dedicated one)

The world (bench/sim_world.py) hides each action's success probability; agents see contexts,
available actions, and outcomes or error messages. Three arms face the same tasks and the same
luck (common random numbers):

- no memory: the agent tries the task's actions in random order (never repeating one that failed
  on the same task), up to three attempts per task;
- Engram, private: the same, but each attempt goes through the real service over GraphQL/HTTP the
  way `execute_with_memory` does it — `suggest` (with the task's actions as candidates), a Thompson
  draw from the returned posteriors, `checkAction` (a warned or blocked action is swapped for the
  better one it names), act, `recordDecision` (informedBy: the evidence memories), and after the
  task `learnFromFailure` for each failed attempt with the fix that followed; an operator runs
  `analyzePatterns` at the end of each day (the service's periodic analysis, made deterministic);
- Engram, shared: the same, after every agent granted every other agent its domains through the
  consent workflow (`requestAccess` / `grantAccess`).

Events carry `occurredAt` on the simulated day (day 30 is yesterday), so recency is real.
It reports the spec's five success metrics and plots success rate per simulated day.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bench import sim_world as world
from bench.report import pyplot, write_plot, write_report
from bench.service import GraphQLClient, RunningService, wipe_database
from engram.auth.service import ApiKeyService
from engram.config import Settings
from engram.storage.connection import open_driver
from engram.storage.schema import apply_schema

MAX_ATTEMPTS = 3
EVIDENCE_IDS = 10

SUGGEST = """query($c: String!, $cands: [String!]) { suggest(context: $c, k: 50, candidates: $cands) {
  actions { action estimate { mean successes attempts } evidence { memoryId similarity } } } }"""
CHECK = """query($c: String!, $a: String!) { checkAction(context: $c, intendedAction: $a) {
  verdict betterAction preventionChecks { id } } }"""
RECORD = "mutation($i: RecordDecisionInput!) { recordDecision(input: $i) { memoryId } }"
LEARN = """mutation($i: LearnFromFailureInput!) { learnFromFailure(input: $i) {
  memoryId patternId preventionChecks { id } } }"""
ANALYZE = "mutation { analyzePatterns { failures recurringPatterns preventionChecks seconds } }"
STATS = "{ learningStats(windowDays: 3650) { decisions informedShare } }"
PATTERNS = """query($after: String) { patterns(kind: FAILURE, first: 100, after: $after) {
  nodes { id recurring occurrences similarFailures { memoryId } } pageInfo { hasNextPage endCursor } } }"""
REQUEST = """mutation($owner: String!, $domain: String!) { requestAccess(owner: $owner, scope: DOMAIN, value: $domain,
  reason: "learn from your experience", durationHours: 48) { id } }"""
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


# ---- an agent using Engram over GraphQL/HTTP
class EngramAgent:
    def __init__(self, name: str, client: GraphQLClient, seed: int, arm: str, start: datetime) -> None:
        self.name, self.client, self.arm, self.start = name, client, arm, start
        self.rnd = random.Random(f"{seed}-{name}")
        self.calls = 0

    def call(self, document: str, variables: dict | None = None) -> dict:
        self.calls += 1
        return self.client(document, variables)

    def choose(self, task: world.Task, remaining: list[str]) -> tuple[str, list[str], str | None, bool]:
        """suggest → highest posterior mean → checkAction; returns (action, evidence ids, verdict, switched)."""
        suggestion = self.call(SUGGEST, {"c": task.context, "cands": remaining})["suggest"]
        options = [a for a in suggestion["actions"] if a["action"] in remaining]
        # The highest posterior mean among the remaining actions (as Advisor.choose; untried ones at 0.5).
        means = {a["action"]: a["estimate"]["mean"] for a in options}
        top = max(means.values(), default=None)
        action = self.rnd.choice(sorted(n for n, m in means.items() if m >= top - 1e-9)) if means \
            else self.rnd.choice(remaining)
        evidence = sorted((e for a in suggestion["actions"] for e in a["evidence"]), key=lambda e: -e["similarity"])
        check = self.call(CHECK, {"c": task.context, "a": action})["checkAction"]
        better = check["betterAction"]
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
                "informedBy": evidence, "domain": task.type.domain, "occurredAt": at.isoformat()}})
            attempt = Attempt(task, number, action, ok, None, bool(evidence), verdict, switched)
            attempts.append(attempt)
            if ok:
                break
            kind, message = world.error_of(task, action)
            attempt.error_kind = kind
            failures.append((attempt, message, at))
            remaining = [a for a in remaining if a != action]
        fix = attempts[-1].action if attempts[-1].ok else None
        for attempt, message, at in failures:
            attempt.failure_id = f"{self.arm}-{task.id}-{attempt.number}-failure"
            self.call(LEARN, {"i": {
                "id": attempt.failure_id, "errorMessage": message,
                "context": task.context, "domain": task.type.domain, "occurredAt": at.isoformat(),
                "solution": fix, "solutionWorked": True if fix else None}})
        return attempts


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


def run_engram(tasks: list[world.Task], seed: int, *, sharing: bool, settings: Settings) -> ArmResult:
    arm = "shared" if sharing else "private"
    result = ArmResult(f"Engram, {'sharing' if sharing else 'private'}")
    wipe(settings)
    agent_keys, operator_key = issue_keys(settings)
    start = (datetime.now(UTC) - timedelta(days=world_days(tasks) + 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    env = {"ENGRAM_ANALYZE_INTERVAL_S": "0", "ENGRAM_RETENTION_INTERVAL_S": "0"}
    with RunningService(env, log_name=f"bench-sim-{arm}") as service:
        clients = {name: GraphQLClient(service.url, key) for name, key in agent_keys.items()}
        operator = GraphQLClient(service.url, operator_key)
        agents = {name: EngramAgent(name, clients[name], seed, arm, start) for name in world.AGENTS}
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
            operator(ANALYZE)
            note_prevention_checks(result, clients, day)
            print(f"  {result.name}: day {day:2d} done, {len(result.attempts)} attempts, "
                  f"{time.perf_counter() - started:.0f}s", flush=True)
        result.seconds = time.perf_counter() - started
        result.calls = sum(a.calls for a in agents.values()) + len(by_day)
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


def plot(arms: list[ArmResult], days: int, tasks: list[world.Task]) -> None:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for arm, style in zip(arms, ("-", "--", "-"), strict=True):
        series = daily_success(arm.attempts, days)
        smooth = [statistics.mean(series[max(0, i - 2):i + 1]) for i in range(len(series))]
        ax.plot(range(1, days + 1), smooth, style, marker="o", markersize=3, label=arm.name)
    oracle = [statistics.mean(world.best_possible(t) for t in tasks if t.day == d) for d in range(1, days + 1)]
    ax.plot(range(1, days + 1), oracle, ":", color="grey", label="best action known (oracle, expected)")
    ax.axvline(world.FOLLOWER_START, color="lightgrey", linewidth=1)
    ax.axvline(world.DRIFT_DAY, color="lightgrey", linewidth=1)
    ax.text(world.FOLLOWER_START + 0.2, 0.96, "second agents start", fontsize=8, color="grey")
    ax.text(world.DRIFT_DAY + 0.2, 0.92, "partner API drifts", fontsize=8, color="grey")
    ax.set_xlabel("simulated day")
    ax.set_ylabel("success rate per attempt (3-day mean)")
    ax.set_ylim(0, 1)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("Learning simulation: 4 agents, 6 task types, 30 days")
    write_plot("learning_sim", fig)


def pct(x: float) -> str:
    return f"{x:.1%}"


def report(arms: list[ArmResult], tasks: list[world.Task], args: argparse.Namespace, wall: float) -> str:
    base, private, shared = arms
    days = args.days
    late = lambda arm: [a for a in arm.attempts if a.task.day > days // 2]  # noqa: E731
    lines = [
        "# Learning simulation: the spec's five success metrics",
        "",
        f"4 agents, {len(world.TASK_TYPES)} task types, {days} simulated days, {args.tasks_per_day} tasks per agent "
        f"per day ({len(tasks)} tasks per arm), up to {MAX_ATTEMPTS} attempts per task; seed {args.seed}. "
        "Engram arms go through the real service over GraphQL/HTTP (real Neo4j + GDS, real model). "
        f"Whole run {wall / 60:.1f} min.",
        "",
        "## Success rate",
        "",
        "| arm | attempts | success per attempt | first-try success | days 16–30 per attempt | calls | seconds |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for arm in arms:
        lines.append(f"| {arm.name} | {len(arm.attempts)} | {pct(success_rate(arm.attempts))} | "
                     f"{pct(first_try_rate(arm.attempts))} | {pct(success_rate(late(arm)))} | {arm.calls} | "
                     f"{arm.seconds:.0f} |")
    oracle = statistics.mean(world.best_possible(t) for t in tasks)
    spread = [success_rate(run_baseline(tasks, args.seed, policy_seed=i).attempts) for i in range(1, 21)]
    lines += ["", f"Oracle (always the best action, expected): {pct(oracle)} per attempt. The no-memory arm's "
              f"random choices, redrawn with 20 policy seeds on the same tasks and luck: mean {pct(statistics.mean(spread))}, "
              f"range {pct(min(spread))}–{pct(max(spread))}.", "",
              "![success rate per day](learning_sim.png)", "",
              f"By task type, success per attempt on days 1–{days // 2} / {days // 2 + 1}–{days} "
              "(oracle: expected rate of the best action for each task):", "",
              "| task type | oracle | " + " | ".join(arm.name for arm in arms) + " |", "|---|---:|" + "---:|" * len(arms)]
    for kind in world.TASK_TYPES:
        halves = [[t for t in tasks if t.type.name == kind and (t.day <= days // 2) == first] for first in (True, False)]
        cells = [" / ".join(pct(statistics.mean(world.best_possible(t) for t in h)) if h else "–" for h in halves)]
        for arm in arms:
            mine = [[a for a in arm.attempts if a.task.type.name == kind and (a.task.day <= days // 2) == first]
                    for first in (True, False)]
            cells.append(" / ".join(pct(success_rate(m)) if m else "–" for m in mine))
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    lines.append("")

    def improvement(arm: ArmResult) -> float:
        return success_rate(arm.attempts) / success_rate(base.attempts) - 1

    transfer = {arm.name: failures_before_first_success(arm.attempts) for arm in arms}
    early = {arm.name: early_failures(arm.attempts) for arm in arms}
    rows = []
    for arm in (private, shared):
        before, after, n_before, n_after = recurring_failure_rates(arm, arm.checks_from_day)
        b_before, b_after, _, _ = recurring_failure_rates(base, arm.checks_from_day)
        rows.append((arm, before, after, n_before, n_after, b_before, b_after))
    identified = {arm.name: arm.recurring_identified for arm in (private, shared)}
    lines += [
        "## The five metrics",
        "",
        "| # | metric | target | Engram, private | Engram, sharing |",
        "|---|---|---|---:|---:|",
        f"| 1 | success-rate improvement over the no-memory baseline ({pct(success_rate(base.attempts))}) "
        f"| +30% | {improvement(private):+.1%} | {improvement(shared):+.1%} |",
        f"| 2 | decisions informed by relevant memories (service's learningStats) | >50% "
        f"| {pct(private.informed_share_service or 0)} | {pct(shared.informed_share_service or 0)} |",
        f"| 3 | recurring issues identified as patterns | 90% "
        + "".join(f"| {sum(v.values())}/{len(v)} = {pct(sum(v.values()) / len(v)) if v else 'n/a'} "
                  for v in identified.values()) + "|",
        f"| 4 | failures a second agent suffers before its first success (sum over {len(world.followers())} "
        f"agent/task-type pairs; no memory: {sum(transfer[base.name].values())}) | a reduction "
        f"| {sum(transfer[private.name].values())} | {sum(transfer[shared.name].values())} |",
    ]
    cells = [f"{1 - after / before:.0%} ({before:.3f} → {after:.3f})" if before else "n/a"
             for _, before, after, *_ in rows]
    lines.append("| 5a | reduction of recurring failures per task after prevention checks exist, against the same "
                 "agents before them | 80% | " + " | ".join(cells) + " |")
    cells = [f"{1 - after / b_after:.0%} ({b_after:.3f} → {after:.3f})" if b_after else "n/a"
             for _, _, after, _, _, _, b_after in rows]
    lines.append("| 5b | the same, against no-memory agents over the same days | 80% | " + " | ".join(cells) + " |")
    lines += ["", "### Metric 4 by pair", "",
              "Failed attempts before the second agent's first success on the task type, and (after the slash) "
              "failed attempts in its first five tasks of that type.", "",
              "| agent | task type | pioneer | " + " | ".join(a.name for a in arms) + " |",
              "|---|---|---|" + "---:|" * len(arms)]
    for agent, kind in world.followers():
        pioneer = world.ASSIGNMENTS[kind][0][0]
        lines.append(f"| {agent} | {kind} | {pioneer} | "
                     + " | ".join(f"{transfer[a.name][(agent, kind)]} / {early[a.name][(agent, kind)]}" for a in arms)
                     + " |")
    lines.append("| all | | | " + " | ".join(f"{sum(transfer[a.name].values())} / {sum(early[a.name].values())}"
                                           for a in arms) + " |")
    lines += ["", "### Metric 5 in detail", "",
              "Per recurring error kind, prevention checks count from the day after the daily analysis first "
              "found checks on the pattern holding its failures. Rates are failures of those kinds per task "
              "of the task types that raise them; the no-memory arm over the same windows shows what drift "
              "and task mix alone do.", "",
              "| arm | kinds with checks | tasks before / after | rate before | rate after | no memory, same windows |",
              "|---|---:|---:|---:|---:|---:|"]
    for arm, before, after, n_before, n_after, b_before, b_after in rows:
        lines.append(f"| {arm.name} | {len(arm.checks_from_day)} | {n_before} / {n_after} | {before:.3f} | "
                     f"{after:.3f} | {b_before:.3f} → {b_after:.3f} |")
    lines += ["", "### Metric 3 in detail", "", "| arm | error kind | identified |", "|---|---|---|"]
    for arm in (private, shared):
        lines += [f"| {arm.name} | {kind} | {'yes' if ok else 'no'} |" for kind, ok in sorted(arm.recurring_identified.items())]
    swaps = {arm.name: sum(a.switched for a in arm.attempts) for arm in (private, shared)}
    lines += ["", "checkAction swapped the drawn action for a better one "
              + ", ".join(f"{n} times ({name})" for name, n in swaps.items()) + "."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--tasks-per-day", type=int, default=6)
    args = parser.parse_args()
    started = time.perf_counter()
    settings = Settings()
    tasks = world.task_stream(args.seed, args.days, args.tasks_per_day)
    arms = [run_baseline(tasks, args.seed)]
    for sharing in (False, True):
        arms.append(run_engram(tasks, args.seed, sharing=sharing, settings=settings))
    wipe(settings)
    plot(arms, args.days, tasks)
    write_report("learning_sim", report(arms, tasks, args, time.perf_counter() - started))


if __name__ == "__main__":
    main()
