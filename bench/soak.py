"""A soak: bounded mixed load on loopback for N minutes, with the periodic jobs on.

    python -m bench.soak --minutes 30 [--clients 4] [--rate 20] [--window-minutes 5] [--retain-minutes 5] [--seed 1]

Starts a Neo4j and `engram serve` of its own (instance `soak` under .engram/, free ports; stopped and
removed at the end) and sends, from `--clients` threads at about `--rate` requests/s in total, 70 % reads
(suggest, retrieveMemories, checkAction), 25 % writes (recordMemories of 5, recordDecision,
learnFromFailure) and 5 % other work (grantAccess / revokeGrant, exportKnowledge, analyzePatterns).
Pattern analysis and retention cleanup run in the service every minute.

The stored data is held at a steady size: a retention policy for every agent keeps what was seen in the last
`--retain-minutes` (default 5, one window), so after the first window the cleanup deletes about as much as
the clients write. A soak whose data grows all along cannot tell a leak from the growth of the page cache,
the indexes and the exports (`--retain-minutes 0` runs it that way).

Before the clock starts, every operation runs twice untimed (a warm-up: cold JVM and model). Reports RSS of
the service (all its uvicorn processes) and of Neo4j every 5 s, p50/p99 per operation per window, every error, and
whether the audit chain verifies at the end. Goals: RSS after warm-up (the first window) grows by at most
10 %, p99 stays stable, no error. Writes bench/results/soak.md and soak.png (RSS and p99 over time).
"""

from __future__ import annotations

import argparse
import random
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
import numpy as np

from bench.report import pyplot, write_plot, write_report
from bench.service import rss_mb, tree_rss_mb
from bench.stack import Stack
from bench.writers import DECISION_CONTEXTS, GRANT, RECORD_DECISION, RECORD_MEMORIES, REVOKE, post
from engram.auth.service import ApiKeyService
from engram.entities.privacy import ANY
from engram.privacy.audit import AuditLog
from engram.privacy.retention import RetentionService
from engram.privacy.redaction import Redactor

AGENTS = ("soak-a", "soak-b", "soak-c", "soak-d")
SUGGEST = "query($c: String!) { suggest(context: $c, k: 5) { recommended actions { action successRate } } }"
RETRIEVE = "query($c: String!) { retrieveMemories(context: $c, k: 10) { score memory { id } } }"
CHECK = "query($c: String!, $a: String!) { checkAction(context: $c, intendedAction: $a) { verdict } }"
FAILURE = "mutation($i: LearnFromFailureInput!) { learnFromFailure(input: $i) { patternId } }"
EXPORT = "query($d: String) { exportKnowledge(domain: $d) { memories } }"
ANALYZE = "mutation { analyzePatterns { __typename } }"
# (operation, weight in %): 70 reads, 25 writes, 5 other.
MIX = (("suggest", 25), ("retrieve", 25), ("checkAction", 20),
       ("recordMemories", 10), ("recordDecision", 10), ("learnFromFailure", 5),
       ("grant/revoke", 3), ("export", 1.5), ("analyze", 0.5))
WRITES = {"recordMemories": 5, "recordDecision": 1, "learnFromFailure": 1}  # memories each call stores
ERRORS = ("connection refused to db-{n}:5432 after 30s", "OOMKilled: container exceeded 512Mi in pod api-{n}",
          "TLS handshake timeout to registry mirror {n}", "disk full on /var/lib/build-{n}")
TOPICS = ("cache warm-up", "schema migration", "certificate rotation", "index rebuild", "queue backlog",
          "canary rollout", "rate limit tuning", "log retention")


@dataclass
class Sample:
    t: float
    op: str
    seconds: float
    code: str | None


@dataclass
class SoakResult:
    minutes: float
    window_s: float
    samples: list[Sample] = field(default_factory=list)
    rss: list[tuple[float, float, float]] = field(default_factory=list)  # (t, service MiB, neo4j MiB)
    stored: list[tuple[float, int]] = field(default_factory=list)  # (t, memories stored), every minute
    audit_ok: bool = False
    audit_events: int = 0
    audit_problems: list[str] = field(default_factory=list)
    warm_up_s: float = 0.0

    @property
    def written(self) -> int:
        """Memories the clients' acknowledged writes stored (a recordMemories call stores 5)."""
        return sum(WRITES.get(s.op, 0) for s in self.samples if not s.code)

    @property
    def errors(self) -> Counter:
        return Counter(f"{s.op}: {s.code}" for s in self.samples if s.code)

    def windows(self) -> list[tuple[int, dict[str, tuple[int, float, float]]]]:
        """Per window: {op: (count, p50 ms, p99 ms)}."""
        by: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        for s in self.samples:
            by[int(s.t // self.window_s)][s.op].append(s.seconds * 1000)
        return [(w, {op: (len(v), float(np.percentile(v, 50)), float(np.percentile(v, 99)))
                     for op, v in sorted(ops.items())}) for w, ops in sorted(by.items())]

    def warmed_up(self) -> tuple[float, float, float]:
        """The RSS sample at the end of the first window (the warm-up); the last one if the run was shorter."""
        return next((r for r in self.rss if r[0] >= self.window_s), self.rss[-1])

    def rss_growth(self) -> tuple[float, float]:
        """Growth of each process's RSS from the end of the warm-up to the end of the run, in %."""
        first, last = self.warmed_up(), self.rss[-1]
        return (100 * (last[1] / first[1] - 1), 100 * (last[2] / first[2] - 1))


class Client(threading.Thread):
    def __init__(self, n: int, url: str, keys: dict[str, str], ops_key: str, result: SoakResult,
                 deadline: float, began: float, interval_s: float, seed: int) -> None:
        super().__init__(name=f"soak-{n}", daemon=True)
        self.n, self.url, self.keys, self.ops_key, self.result = n, url, keys, ops_key, result
        self.deadline, self.began, self.interval_s = deadline, began, interval_s
        self.rng = random.Random(seed * 1000 + n)
        self.agent = AGENTS[n % len(AGENTS)]
        self.count = 0
        self.grant: str | None = None

    def context(self) -> str:
        r = self.rng
        return f"{r.choice(TOPICS)} for service {r.randrange(40)} in region {r.choice(('eu', 'us', 'ap'))}"

    def call(self, op: str) -> tuple[str, str, dict]:
        """(key, document, variables) for one operation."""
        r, key = self.rng, self.keys[self.agent]
        self.count += 1
        uid = f"{self.agent}-{self.n}-{self.count}"
        if op == "suggest":
            return key, SUGGEST, {"c": r.choice(DECISION_CONTEXTS)}
        if op == "retrieve":
            return key, RETRIEVE, {"c": self.context()}
        if op == "checkAction":
            return key, CHECK, {"c": r.choice(DECISION_CONTEXTS), "a": r.choice(("blue_green_rollout", "rolling_restart"))}
        if op == "recordMemories":
            return key, RECORD_MEMORIES, {"inputs": [
                {"kind": "KNOWLEDGE", "id": f"{uid}-{j}", "domain": f"dom-{self.agent}", "context": self.context(),
                 "statement": f"note {j}"} for j in range(5)]}
        if op == "recordDecision":
            return key, RECORD_DECISION, {"input": {
                "id": uid, "context": r.choice(DECISION_CONTEXTS), "action": r.choice(("blue_green_rollout", "rolling_restart")),
                "outcome": r.choice(("SUCCESS", "SUCCESS", "FAILURE"))}}
        if op == "learnFromFailure":
            return key, FAILURE, {"i": {"id": uid, "context": self.context(),
                                        "errorMessage": r.choice(ERRORS).format(n=r.randrange(5)),
                                        "solution": "retry with backoff", "solutionWorked": r.random() < 0.6}}
        if op == "grant/revoke":
            grantee = AGENTS[(AGENTS.index(self.agent) + 1) % len(AGENTS)]
            if self.grant is None:
                return key, GRANT, {"grantee": grantee, "value": f"dom-{self.agent}"}
            return key, REVOKE, {"id": self.grant}
        if op == "export":
            return key, EXPORT, {"d": f"dom-{self.agent}"}
        return self.ops_key, ANALYZE, {}

    def run(self) -> None:
        ops, weights = zip(*MIX, strict=True)
        with httpx.Client() as http:
            while time.monotonic() < self.deadline:
                started = time.monotonic()
                op = self.rng.choices(ops, weights)[0]
                key, document, variables = self.call(op)
                outcome = post(http, self.url, key, document, variables, timeout=120)
                if outcome.ok and op == "grant/revoke":
                    self.grant = outcome.data["grantAccess"]["id"] if "grantAccess" in outcome.data else None
                self.result.samples.append(Sample(started - self.began, op, outcome.seconds, outcome.code))
                time.sleep(max(0.0, self.interval_s - (time.monotonic() - started)))


def warm_up(url: str, keys: dict[str, str], ops_key: str, seed: int) -> float:
    """Every operation twice (untimed, generous timeout) before the clock starts: a cold JVM and
    cold model on a busy machine can take longer than the request deadline for the very first requests, and
    the soak measures steady state. Returns the seconds it took; a warm-up request that fails is an error."""
    started = time.monotonic()
    client = Client(1000, url, keys, ops_key, SoakResult(0, 60), 0.0, started, 0.0, seed + 7919)  # ids of its own
    with httpx.Client() as http:
        for op, _ in MIX * 2:
            key, document, variables = client.call(op)
            if op == "grant/revoke":
                continue  # grants would change what the measured clients see
            outcome = post(http, url, key, document, variables, timeout=300)
            if not outcome.ok and outcome.code != "DEADLINE_EXCEEDED":
                raise RuntimeError(f"soak warm-up: {op} failed with {outcome.code}")
    return time.monotonic() - started


def stored_memories(http: httpx.Client, url: str, ops_key: str) -> int:
    """How many memories every agent holds now (the operator's agent list); -1 if it did not answer."""
    outcome = post(http, url, ops_key, "{ agents { memoryCount } }", {}, timeout=60)
    return sum(a["memoryCount"] for a in outcome.data["agents"]) if outcome.ok else -1


def run_soak(stack: Stack, minutes: float, *, clients: int = 4, rate: float = 20.0, window_minutes: float = 5.0,
             retain_minutes: float = 5.0, seed: int = 1, log=print) -> SoakResult:
    """The load against a started stack (Neo4j + service running). Bounded: stops after `minutes`."""
    audit = AuditLog(stack.driver, stack.settings, Redactor())
    if retain_minutes > 0:
        RetentionService(stack.driver, stack.settings, audit).set_policy(ANY, max_age=timedelta(minutes=retain_minutes))
    service = ApiKeyService(stack.driver, stack.settings)
    keys = {a: service.create_agent(a).token for a in AGENTS}
    ops_key = service.create_agent("soak-ops", operator=True).token
    result = SoakResult(minutes=minutes, window_s=window_minutes * 60)
    result.warm_up_s = warm_up(stack.service.url, keys, ops_key, seed)
    began = time.monotonic()
    deadline = began + minutes * 60
    threads = [Client(n, stack.service.url, keys, ops_key, result, deadline, began, clients / rate, seed)
               for n in range(clients)]
    for t in threads:
        t.start()
    neo4j_pid = stack.neo4j_pid()
    next_log = began + 60
    with httpx.Client() as http:
        while any(t.is_alive() for t in threads):
            now = time.monotonic()
            result.rss.append((now - began, tree_rss_mb(stack.service.pid), rss_mb(neo4j_pid)))
            if now >= next_log:
                result.stored.append((now - began, stored_memories(http, stack.service.url, ops_key)))
                log(f"  {now - began:5.0f} s: {len(result.samples)} requests, {sum(result.errors.values())} errors, "
                    f"RSS service {result.rss[-1][1]:.0f} MiB, neo4j {result.rss[-1][2]:.0f} MiB, "
                    f"{result.stored[-1][1]} memories stored")
                next_log += 60
            time.sleep(5)
        for t in threads:
            t.join()
        result.stored.append((time.monotonic() - began, stored_memories(http, stack.service.url, ops_key)))
    report = audit.verify()
    result.audit_ok, result.audit_events, result.audit_problems = report.ok, report.checked, report.problems
    return result


def render(result: SoakResult, args_line: str) -> str:
    total = len(result.samples)
    errors = result.errors
    growth_service, growth_neo4j = result.rss_growth()
    warm = result.warmed_up()
    lines = [f"# Soak: {result.minutes:g} minutes of mixed load", "", f"`{args_line}`", "",
             f"- untimed warm-up before the clock: every operation twice, {result.warm_up_s:.0f} s",
             f"- requests: {total}; errors: {sum(errors.values())}" + (f" ({dict(errors)})" if errors else ""),
             f"- audit chain at the end: {'verified' if result.audit_ok else 'BROKEN'} ({result.audit_events} events)"
             + ("" if result.audit_ok else f": {result.audit_problems[:3]}"),
             f"- RSS after warm-up (end of window 1 → end): service {warm[1]:.0f} → "
             f"{result.rss[-1][1]:.0f} MiB ({growth_service:+.1f} %), Neo4j {warm[2]:.0f} → "
             f"{result.rss[-1][2]:.0f} MiB ({growth_neo4j:+.1f} %); goal ≤ +10 %",
             f"- memories written by the clients: {result.written}; stored, once a minute: "
             + (", ".join(str(n) for _, n in result.stored) or "–"), "",
             "p50 / p99 ms per operation (requests) per window:", ""]
    windows = result.windows()
    ops = [op for op, _ in MIX]
    lines.append("| operation | " + " | ".join(
        f"{w * result.window_s / 60:g}–{(w + 1) * result.window_s / 60:g} min" for w, _ in windows) + " |")
    lines.append("|---|" + "---:|" * len(windows))
    for op in ops:
        cells = []
        for _, by_op in windows:
            n, p50, p99 = by_op.get(op, (0, float("nan"), float("nan")))
            cells.append(f"{p50:.0f} / {p99:.0f} ({n})" if n else "–")
        lines.append(f"| {op} | " + " | ".join(cells) + " |")
    lines += ["", "RSS is sampled every 5 s; soak.png plots it with the p99 of reads and writes per minute."]
    return "\n".join(lines)


def plot(result: SoakResult, name: str = "soak") -> None:
    plt = pyplot()
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    t = [r[0] / 60 for r in result.rss]
    top.plot(t, [r[1] for r in result.rss], label="engram serve")
    top.plot(t, [r[2] for r in result.rss], label="Neo4j")
    top.set_ylabel("RSS MiB")
    top.legend()
    groups = {"reads": {"suggest", "retrieve", "checkAction"},
              "writes": {"recordMemories", "recordDecision", "learnFromFailure"}}
    for label, ops in groups.items():
        per_minute: dict[int, list[float]] = defaultdict(list)
        for s in result.samples:
            if s.op in ops:
                per_minute[int(s.t // 60)].append(s.seconds * 1000)
        minutes = sorted(per_minute)
        bottom.plot([m + 0.5 for m in minutes], [np.percentile(per_minute[m], 99) for m in minutes],
                    marker="o", label=f"{label} p99")
    bottom.set_ylabel("p99 ms (per minute)")
    bottom.set_xlabel("minutes")
    bottom.legend()
    fig.suptitle(f"Soak, {result.minutes:g} min: RSS and p99 over time")
    write_plot(name, fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rate", type=float, default=20.0, help="requests/s in total (an upper bound)")
    parser.add_argument("--window-minutes", type=float, default=5.0)
    parser.add_argument("--retain-minutes", type=float, default=5.0,
                        help="retention keeps what was seen in the last N minutes, so the data stays at a steady "
                             "size; 0 lets it grow")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    stack = Stack("soak", service_env={"ENGRAM_ANALYZE_INTERVAL_S": "60", "ENGRAM_RETENTION_INTERVAL_S": "60"})
    try:
        stack.start()
        stack.start_service()
        print(f"Soak: {args.minutes:g} min, {args.clients} clients, ≤ {args.rate:g} req/s ...")
        result = run_soak(stack, args.minutes, clients=args.clients, rate=args.rate,
                          window_minutes=args.window_minutes, retain_minutes=args.retain_minutes, seed=args.seed)
    finally:
        stack.close()
    line = (f"python -m bench.soak --minutes {args.minutes:g} --clients {args.clients} --rate {args.rate:g} "
            f"--window-minutes {args.window_minutes:g} --retain-minutes {args.retain_minutes:g} --seed {args.seed}")
    write_report("soak", render(result, line))
    plot(result)


if __name__ == "__main__":
    main()
