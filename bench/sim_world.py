"""The hidden world of the learning simulation: task types, their actions' success probabilities, the
errors failed actions raise, and a seeded stream of tasks for several agents over 30 days.

Agents never see the probabilities; they see a task's context, its available actions, and after
acting, success or the error message. Some probabilities depend on context details (production vs
staging, table size, load, how many tests fail); some drift (the partner API starts rate limiting on
day 15). Outcomes use common random numbers: whether action A succeeds on task T is one fixed draw,
so every arm (no memory, private memory, shared memory) faces the same luck.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass

Details = dict[str, object]


@dataclass(frozen=True)
class ActionModel:
    name: str
    success: Callable[[Details, int], float]  # (context details, day) -> probability of success
    error_kind: str                           # the recurring issue a failure of this action is
    error: str                                # its message template, formatted with the details


@dataclass(frozen=True)
class TaskType:
    name: str
    domain: str
    context: str
    slots: Callable[[random.Random], Details]
    actions: tuple[ActionModel, ...]

    def action(self, name: str) -> ActionModel:
        return next(a for a in self.actions if a.name == name)


@dataclass(frozen=True)
class Task:
    id: str
    agent: str
    day: int
    seq: int
    type: TaskType
    details: Details

    @property
    def context(self) -> str:
        return self.type.context.format(**self.details)

    @property
    def actions(self) -> list[str]:
        return [a.name for a in self.type.actions]


def const(p: float) -> Callable[[Details, int], float]:
    return lambda details, day: p


def _deploy_slots(r: random.Random) -> Details:
    return {"service": r.choice(["checkout", "billing", "search", "auth-gateway", "inventory"]),
            "version": f"v{r.randint(1, 9)}.{r.randint(0, 30)}", "env": r.choice(["staging", "production"]),
            "region": r.choice(["eu-west-1", "us-east-1", "ap-south-1"]), "n": r.randint(1, 4), "m": r.randint(5, 12),
            "hash": f"{r.getrandbits(24):06x}", "secs": r.choice([300, 600, 900])}


def _migration_slots(r: random.Random) -> Details:
    return {"table": r.choice(["orders", "invoices", "customers", "events", "payments"]), "n": r.randint(100, 999),
            "size": r.choice(["12 thousand", "48 thousand", "90 thousand", "80 million", "350 million", "1.2 billion"]),
            "secs": r.choice([30, 60, 120])}


def _npm_slots(r: random.Random) -> Details:
    return {"repo": r.choice(["web-frontend", "admin-console", "docs-site", "mobile-bff"]), "job": r.randint(10000, 99999),
            "pkg": r.choice(["react", "lodash", "typescript", "webpack", "eslint", "jest"])}


def _api_slots(r: random.Random) -> Details:
    return {"partner": r.choice(["stripe", "adyen"]), "n": r.randint(20, 900), "secs": r.choice([10, 30, 60]),
            "retry": r.randint(1, 60)}


def _tests_slots(r: random.Random) -> Details:
    failing = r.choice([1, 1, 2, 3, 14, 37])
    return {"suite": r.choice(["payments", "search", "accounts", "checkout"]), "run": r.randint(1000, 9999),
            "failing": failing, "name": r.choice(["refund", "query", "login", "totals"]), "secs": r.choice([30, 60]),
            "candidates": r.randint(8, 40)}


def _oom_slots(r: random.Random) -> Details:
    return {"service": r.choice(["search", "reports", "checkout", "image-resizer"]),
            "load": r.choice(["normal", "normal", "peak"]), "mi": r.choice([512, 1024, 2048]), "n": r.randint(3, 40)}


def _large(details: Details) -> bool:
    return "million" in str(details["size"]) or "billion" in str(details["size"])


DRIFT_DAY = 15

TASK_TYPES = {t.name: t for t in (
    TaskType("deploy", "deploy", "Deploy {service} {version} to {env} in {region}", _deploy_slots, (
        ActionModel("rolling-update", lambda d, day: 0.85 if d["env"] == "staging" else 0.40, "deploy-progress-deadline",
                    "Deployment {service} exceeded its progress deadline: {n} of {m} replicas unavailable"),
        ActionModel("blue-green-deploy", const(0.80), "deploy-green-unhealthy",
                    "Timed out waiting for {service}-green to become healthy after {secs}s"),
        ActionModel("recreate-pods", const(0.30), "deploy-readiness-503",
                    "Readiness probe failed: HTTP probe failed with statuscode: 503 (pod {service}-{hash})"),
    )),
    TaskType("migration", "db", "Apply schema migration {n} adding an index to the {table} table ({size} rows)",
             _migration_slots, (
        ActionModel("apply-migration-directly", lambda d, day: 0.15 if _large(d) else 0.90, "db-lock-wait-timeout",
                    "Lock wait timeout exceeded; try restarting transaction (table {table})"),
        ActionModel("online-schema-change", const(0.80), "db-cutover-timeout",
                    "gh-ost cut-over failed: timeout waiting for lock on {table} after {secs}s"),
        ActionModel("migrate-in-maintenance-window", const(0.55), "db-window-closed",
                    "Maintenance window closed before migration {n} finished on {table}"),
    )),
    TaskType("npm-install", "ci", "Install dependencies for {repo} in CI job {job}", _npm_slots, (
        ActionModel("npm-install", const(0.35), "npm-etimedout",
                    "npm ERR! network ETIMEDOUT request to https://registry.npmjs.org/{pkg} failed"),
        ActionModel("npm-ci-with-cache", const(0.92), "npm-lock-out-of-sync",
                    "npm ERR! npm ci can only install packages when package.json and package-lock.json are in sync ({repo})"),
        ActionModel("rerun-pipeline", const(0.40), "npm-etimedout",
                    "npm ERR! network ETIMEDOUT request to https://registry.npmjs.org/{pkg} failed"),
    )),
    TaskType("partner-api", "api", "Sync {n} invoices with the {partner} billing API", _api_slots, (
        ActionModel("retry-immediately", const(0.25), "api-429",
                    "HTTP 429 Too Many Requests from api.{partner}.com (retry after {retry}s)"),
        ActionModel("increase-timeout", lambda d, day: 0.85 if day < DRIFT_DAY else 0.20, "api-read-timeout",
                    "ReadTimeout: HTTPSConnectionPool(host='api.{partner}.com', port=443): Read timed out. "
                    "(read timeout={secs})"),
        ActionModel("retry-with-exponential-backoff", lambda d, day: 0.50 if day < DRIFT_DAY else 0.90, "api-429",
                    "HTTP 429 Too Many Requests from api.{partner}.com (retry after {retry}s)"),
    )),
    TaskType("flaky-tests", "testing", "Test suite {suite} failed on CI run {run} with {failing} failing tests",
             _tests_slots, (
        ActionModel("rerun-failed-tests", lambda d, day: 0.60 if d["failing"] <= 3 else 0.15, "test-assertion-500",
                    "AssertionError in test_{suite}_{name}: expected status 200, got 500"),
        ActionModel("quarantine-flaky-test", lambda d, day: 0.85 if d["failing"] <= 3 else 0.30, "test-assertion-500",
                    "AssertionError in test_{suite}_{name}: expected status 200, got 500"),
        ActionModel("bisect-recent-commits", lambda d, day: 0.30 if d["failing"] <= 3 else 0.85, "test-bisect-inconclusive",
                    "git bisect could not isolate a bad commit among {candidates} candidates"),
        ActionModel("bump-test-timeout", const(0.20), "test-timeout",
                    "TimeoutError: test_{suite}_{name} exceeded {secs}s"),
    )),
    TaskType("oom", "ops", "{service} pods keep restarting with OOMKilled under {load} load", _oom_slots, (
        ActionModel("raise-memory-limit", lambda d, day: 0.75 if d["load"] == "normal" else 0.30, "ops-oomkilled",
                    "OOMKilled: container {service} exceeded its memory limit of {mi}Mi"),
        ActionModel("restart-pods", const(0.20), "ops-crashloop",
                    "CrashLoopBackOff: back-off restarting failed container {service} (restart {n})"),
        ActionModel("profile-and-fix-leak", const(0.80), "ops-profile-inconclusive",
                    "Heap profile of {service} inconclusive after {n} minutes"),
    )),
)}

AGENTS = ("alice", "bob", "carol", "dave")
# Who does which task type from which day: the first agent pioneers it, the second takes it up on day 11,
# after the pioneer has ten days of experience (the cross-agent transfer metric).
ASSIGNMENTS = {
    "deploy": (("alice", 1), ("bob", 11)),
    "migration": (("bob", 1), ("carol", 11)),
    "npm-install": (("carol", 1), ("dave", 11)),
    "partner-api": (("dave", 1), ("alice", 11)),
    "flaky-tests": (("alice", 1), ("carol", 11)),
    "oom": (("bob", 1), ("dave", 11)),
}
FOLLOWER_START = 11


def task_types_of(agent: str, day: int) -> list[TaskType]:
    return [TASK_TYPES[name] for name, takers in ASSIGNMENTS.items()
            if any(a == agent and day >= start for a, start in takers)]


def followers() -> list[tuple[str, str]]:
    """(agent, task type) pairs taken up after another agent pioneered the task type."""
    return [(agent, name) for name, takers in ASSIGNMENTS.items() for agent, start in takers if start > 1]


def task_stream(seed: int, days: int = 30, tasks_per_day: int = 6) -> list[Task]:
    """Every agent's tasks, day by day, in a fixed order."""
    rnd = random.Random(seed)
    tasks = []
    for day in range(1, days + 1):
        for seq in range(tasks_per_day):
            for agent in AGENTS:
                kind = rnd.choice(task_types_of(agent, day))
                tasks.append(Task(f"d{day:02d}-{agent}-{seq}", agent, day, seq, kind, kind.slots(rnd)))
    return tasks


def success_probability(task: Task, action: str, day: int | None = None) -> float:
    return task.type.action(action).success(task.details, task.day if day is None else day)


def outcome_draw(seed: int, task: Task, action: str) -> float:
    """The fixed uniform draw deciding whether `action` succeeds on `task` (the same in every arm)."""
    digest = hashlib.sha256(f"{seed}|{task.id}|{action}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2 ** 64


def succeeds(seed: int, task: Task, action: str) -> bool:
    return outcome_draw(seed, task, action) < success_probability(task, action)


def error_of(task: Task, action: str) -> tuple[str, str]:
    """(error kind, error message) of a failed action."""
    model = task.type.action(action)
    return model.error_kind, model.error.format(**task.details)


def best_possible(task: Task) -> float:
    return max(success_probability(task, a) for a in task.actions)
