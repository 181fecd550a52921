"""Agents that write over the API with ids they choose, and a ledger of what the service acknowledged.

A write counts as acknowledged only when its response came back with HTTP 200 and no errors. Every
write is kept with its input, so what was not acknowledged can be sent again unchanged: with the
same ids, a retry must not create a second copy or count a decision twice.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

RECORD_MEMORIES = """mutation($inputs: [RecordMemoryInput!]!) {
  recordMemories(inputs: $inputs) { created unchanged results { id created } } }"""
RECORD_DECISION = """mutation($input: RecordDecisionInput!) {
  recordDecision(input: $input) { memoryId templateId branch { attempts } } }"""
GRANT = """mutation($grantee: String!, $value: String!) {
  grantAccess(grantee: $grantee, scope: DOMAIN, value: $value) { id } }"""
REVOKE = """mutation($id: String!) { revokeGrant(grantId: $id) { id revokedAt } }"""

# A few decision contexts shared by every agent, so concurrent writers land on the same templates.
DECISION_CONTEXTS = (
    "deploy the payments service to the staging cluster after the schema migration",
    "rotate the TLS certificates of the public load balancer before they expire",
    "rebuild the search index after the nightly catalogue import",
)
ACTIONS = ("blue_green_rollout", "rolling_restart")


@dataclass
class Outcome:
    ok: bool
    code: str | None  # extensions.code of the first error, TRANSPORT for no HTTP answer
    seconds: float
    data: dict | None = None


def post(http: httpx.Client, url: str, key: str, query: str, variables: dict, timeout: float = 180) -> Outcome:
    started = time.monotonic()
    while True:
        try:
            response = http.post(url + "/graphql", json={"query": query, "variables": variables},
                                 headers={"Authorization": f"Bearer {key}"}, timeout=timeout)
        except httpx.TransportError:
            return Outcome(False, "TRANSPORT", time.monotonic() - started)
        # RATE_LIMITED: over the key's share of requests in flight, refused before any work: wait our turn
        if response.status_code != 429 or time.monotonic() - started > timeout:
            break
        time.sleep(0.1)
    elapsed = time.monotonic() - started
    try:
        body = response.json()
    except ValueError:
        return Outcome(False, f"HTTP_{response.status_code}", elapsed)
    errors = body.get("errors")
    if response.status_code == 200 and not errors:
        return Outcome(True, None, elapsed, body["data"])
    code = (errors[0].get("extensions") or {}).get("code", "UNKNOWN") if errors else f"HTTP_{response.status_code}"
    return Outcome(False, code, elapsed)


def memory_input(agent: str, n: int, j: int) -> dict:
    token = f"tok{agent}n{n}j{j}"  # one word the fulltext index must find this memory by
    return {"kind": "KNOWLEDGE", "id": f"{agent}-m{n}-{j}", "domain": f"dom-{agent}",
            "context": f"{token} notes on the cache warm-up of shard {n % 7} for {agent}",
            "statement": f"warm shard {n % 7} before traffic"}


def decision_input(agent: str, n: int) -> dict:
    return {"id": f"{agent}-d{n}", "context": DECISION_CONTEXTS[n % len(DECISION_CONTEXTS)],
            "action": ACTIONS[n % len(ACTIONS)], "outcome": "SUCCESS" if n % 3 else "FAILURE"}


@dataclass
class Ledger:
    """What every writer sent and what came back acknowledged; thread-safe."""

    memories_sent: dict[str, dict] = field(default_factory=dict)
    memories_acked: set[str] = field(default_factory=set)
    decisions_sent: dict[str, dict] = field(default_factory=dict)
    decisions_acked: set[str] = field(default_factory=set)
    grants_acked: set[str] = field(default_factory=set)
    unacked: list[tuple[str, str, dict]] = field(default_factory=list)  # (agent, query, variables)
    errors: Counter = field(default_factory=Counter)
    failures: list[tuple[float, str, float]] = field(default_factory=list)  # (when, code, seconds)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def failed(self, agent: str, query: str, variables: dict, outcome: Outcome) -> None:
        with self.lock:
            self.unacked.append((agent, query, variables))
            self.errors[outcome.code] += 1
            self.failures.append((time.monotonic(), outcome.code or "", outcome.seconds))


class Writer(threading.Thread):
    """One agent: a batch of memories, a decision, and now and then a grant or a revoke, in a loop."""

    def __init__(self, url_of, agent: str, key: str, grantee: str, ledger: Ledger, stop: threading.Event,
                 *, batch: int = 4, pause_s: float = 0.0) -> None:
        super().__init__(name=f"writer-{agent}", daemon=True)
        self.url_of, self.agent, self.key, self.grantee = url_of, agent, key, grantee
        self.ledger, self.stop, self.batch, self.pause_s = ledger, stop, batch, pause_s
        self.open_grant: str | None = None

    def run(self) -> None:
        with httpx.Client() as http:
            n = 0
            while not self.stop.is_set():
                self.step(http, n)
                n += 1
                if self.pause_s:
                    time.sleep(self.pause_s)

    def send(self, http: httpx.Client, query: str, variables: dict) -> Outcome:
        outcome = post(http, self.url_of(), self.key, query, variables)
        if not outcome.ok:
            self.ledger.failed(self.agent, query, variables, outcome)
            if outcome.code == "TRANSPORT":
                time.sleep(0.2)  # the service is down: do not spin
        return outcome

    def step(self, http: httpx.Client, n: int) -> None:
        inputs = [memory_input(self.agent, n, j) for j in range(self.batch)]
        with self.ledger.lock:
            self.ledger.memories_sent.update({i["id"]: i for i in inputs})
        if self.send(http, RECORD_MEMORIES, {"inputs": inputs}).ok:
            with self.ledger.lock:
                self.ledger.memories_acked.update(i["id"] for i in inputs)
        decision = decision_input(self.agent, n)
        with self.ledger.lock:
            self.ledger.decisions_sent[decision["id"]] = decision
        if self.send(http, RECORD_DECISION, {"input": decision}).ok:
            with self.ledger.lock:
                self.ledger.decisions_acked.add(decision["id"])
        if n % 3 == 0 and self.open_grant is None:
            outcome = self.send(http, GRANT, {"grantee": self.grantee, "value": f"dom-{self.agent}"})
            if outcome.ok:
                self.open_grant = outcome.data["grantAccess"]["id"]
                with self.ledger.lock:
                    self.ledger.grants_acked.add(self.open_grant)
        elif n % 3 == 2 and self.open_grant is not None:
            if self.send(http, REVOKE, {"id": self.open_grant}).ok:
                self.open_grant = None


def retry_unacked(url: str, keys: dict[str, str], ledger: Ledger) -> tuple[int, int]:
    """Send every write that was not acknowledged again, unchanged and in order (grants and revokes
    included: a grant has no client-chosen id, so a retried grant is a new grant). Returns
    (retried, acknowledged now)."""
    pending, ledger.unacked = ledger.unacked, []
    acked = 0
    with httpx.Client() as http:
        for agent, query, variables in pending:
            outcome = post(http, url, keys[agent], query, variables)
            if not outcome.ok:
                ledger.unacked.append((agent, query, variables))
                continue
            acked += 1
            if query is RECORD_MEMORIES:
                ledger.memories_acked.update(i["id"] for i in variables["inputs"])
            elif query is RECORD_DECISION:
                ledger.decisions_acked.add(variables["input"]["id"])
            elif query is GRANT:
                ledger.grants_acked.add(outcome.data["grantAccess"]["id"])
    return len(pending), acked
