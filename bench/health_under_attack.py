"""/health latency while hostile callers send issue 13's cost-limit attack shapes, against a real running service.

    ENGRAM_INSTANCE=bench ENGRAM_BOLT_PORT=7697 ENGRAM_HTTP_PORT=7484 .venv/bin/python -m bench.health_under_attack

Needs the benchmark Neo4j running (`make bench` starts it); the benchmark database is emptied first. Per seed:
an idle phase (nobody but the prober) is the baseline, then an attack phase in which `--keys` API keys each send
from `--threads-per-key` threads the five shapes of the issue (nested `related`, 30 aliases of
`retrieveMemories(k: 200)`, a 10,000-item `recordMemories`, `suggest` with 20,000 candidates, a 950 KB context),
which the service refuses up front, mixed with the dearest requests it still allows. A prober asks for /health
(and `/`, a redirect with no IO, as the event loop's own floor) every 50 ms. The table gives /health p50/p99 in
both phases, their ratio, and every answer the attackers got (HTTP status and GraphQL code), per shape.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import threading
import time
from collections import Counter

import httpx
import numpy as np

from bench.probe import Prober
from bench.report import write_report
from bench.service import RunningService, wipe_database
from engram.auth.service import ApiKeyService
from engram.config import Settings
from engram.storage.connection import open_driver
from engram.storage.schema import apply_schema

SYSTEMS = ["billing service", "auth gateway", "search indexer", "payment batch", "mail relay", "cache cluster"]
SYMPTOMS = ["timed out", "returned 503 under load", "ran out of connections", "lost its leader"]
RECORD_MANY = "mutation($i: [RecordMemoryInput!]!) { recordMemories(inputs: $i) { created } }"


def nested_related(levels: int, first: int = 2, k: int = 5) -> str:
    inner = ""
    for _ in range(levels):
        inner = f"related(k: {k}) {{ memory {{ id {inner} }} }}"
    return f'{{ searchMemories(text: "timeout", first: {first}) {{ nodes {{ memory {{ id {inner} }} }} }} }}'


def shapes() -> dict[str, tuple[str, dict]]:
    """The issue's five shapes (refused before work) and the dearest shapes still allowed."""
    aliases = " ".join(f'a{i}: retrieveMemories(context: "timeout", k: 200) {{ score }}' for i in range(30))
    allowed_aliases = " ".join(f'a{i}: retrieveMemories(context: "timeout {i}", k: 200) {{ score }}'
                               for i in range(4))
    return {
        "nested related x3": (nested_related(3), {}),
        "30 aliases k:200": (f"{{ {aliases} }}", {}),
        "recordMemories 10,000": (RECORD_MANY, {"i": [{"kind": "DECISION", "context": "c", "action": "a"}] * 10_000}),
        "suggest 20,000 candidates": ('query($c: [String!]) { suggest(context: "deploy", candidates: $c) '
                                      '{ recommended } }', {"c": [f"action {i}" for i in range(20_000)]}),
        "950 KB context": ("query($t: String!) { retrieveMemories(context: $t) { score } }", {"t": "word " * 190_000}),
        "allowed: related x2": (nested_related(2, first=5), {}),
        "allowed: 4 aliases k:200": (f"{{ {allowed_aliases} }}", {}),
        "allowed: recordMemories 100": (RECORD_MANY, {"i": [
            {"kind": "DECISION", "context": f"{i} " + "deploy the service " * 50, "action": "roll back"}
            for i in range(100)]}),
    }


def seed_memories(url: str, key: str, rng: random.Random, count: int) -> None:
    inputs = [{"kind": "DECISION", "context": f"{rng.choice(SYSTEMS)} {rng.choice(SYMPTOMS)} on host-{i}",
               "action": f"retry with backoff {i % 3}", "outcome": "SUCCESS", "id": f"seed-{i}"}
              for i in range(count)]
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=600) as http:
        for start in range(0, len(inputs), 25):
            for _ in range(5):  # ids make a retry idempotent (a busy machine can run past the deadline)
                response = http.post("/graphql", json={"query": RECORD_MANY,
                                                       "variables": {"i": inputs[start:start + 25]}})
                if not response.json().get("errors"):
                    break
            assert not response.json().get("errors"), response.text


def answer_code(response: httpx.Response) -> str:
    try:
        errors = response.json().get("errors")
    except ValueError:
        errors = None
    code = (errors[0].get("extensions") or {}).get("code", "?") if errors else "OK"
    return f"{response.status_code} {code}"


def probe(url: str, seconds: float) -> dict[str, list[float]]:
    """Milliseconds per GET of /health and of `/` every 50 ms for `seconds`, from a process of its own
    (bench.probe): the attackers' threads share this process's GIL, never the prober's."""
    with Prober(url, ["/health", "/"], every_s=0.05) as prober:
        time.sleep(seconds)
    if prober.failures:
        raise RuntimeError(f"{prober.failures} probes were not answered 200/307")
    return {path: [s * 1000 for s in seen] for path, seen in prober.latencies.items()}


def attack(url: str, keys: list[str], threads_per_key: int, seconds: float, rng: random.Random,
           ) -> tuple[dict[str, list[float]], Counter, int]:
    """Probe /health while the attackers run; returns the probe latencies, answers by (shape, code), requests."""
    catalogue = list(shapes().items())
    answers: Counter = Counter()
    lock = threading.Lock()
    stop = threading.Event()

    def attacker(key: str, offset: int) -> None:
        i = offset
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=120) as client:
            while not stop.is_set():
                name, (query, variables) = catalogue[i % len(catalogue)]
                try:
                    code = answer_code(client.post("/graphql", json={"query": query, "variables": variables}))
                except httpx.TransportError as exc:
                    code = f"transport {type(exc).__name__}"
                with lock:
                    answers[(name, code)] += 1
                i += 1

    workers = [threading.Thread(target=attacker, args=(key, rng.randrange(len(catalogue))), daemon=True)
               for key in keys for _ in range(threads_per_key)]
    for worker in workers:
        worker.start()
    try:
        time.sleep(1.0)  # let the attack reach full flow before measuring
        latencies = probe(url, seconds)
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=180)
    return latencies, answers, sum(answers.values())


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="Attack phase length per seed.")
    parser.add_argument("--idle-seconds", type=float, default=10.0, help="Baseline phase length per seed.")
    parser.add_argument("--keys", type=int, default=2, help="Attacking API keys (agents).")
    parser.add_argument("--threads-per-key", type=int, default=6, help="Concurrent attackers per key.")
    parser.add_argument("--memories", type=int, default=300)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--report", default="health_under_attack", help="Name of the report under bench/results/.")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    settings = Settings()
    driver = open_driver(settings)
    rows, all_answers = [], Counter()
    try:
        wipe_database(driver, settings)
        apply_schema(driver, settings)
        service_keys = ApiKeyService(driver, settings)
        keys = [service_keys.create_agent(f"bench-attacker-{n}").token for n in range(args.keys)]
        with RunningService(log_name="bench-health-under-attack") as service:
            for seed in args.seeds:
                rng = random.Random(seed)
                seed_memories(service.url, keys[0], rng, args.memories)
                idle = probe(service.url, args.idle_seconds)
                loaded, answers, sent = attack(service.url, keys, args.threads_per_key, args.seconds, rng)
                all_answers += answers
                rows.append((seed, idle, loaded, sent))
    finally:
        wipe_database(driver, settings)
        driver.close()

    load_after = os.getloadavg()[0]
    scheduling = {k: os.environ[k] for k in ("ENGRAM_API_WORKER_NICE", "ENGRAM_API_SWITCH_INTERVAL_MS",
                                             "ENGRAM_API_MAX_IN_FLIGHT_PER_KEY", "ENGRAM_API_WORKER_THREADS")
                  if k in os.environ}
    lines = ["# /health while the attack shapes of issue 13 run", "",
             f"Service settings changed from the defaults: {scheduling or 'none'}. Machine load (1-minute "
             f"average, {os.cpu_count()} cores) {load_before:.1f} before the run and {load_after:.1f} after it: "
             "everything else running on the machine competes with the service for the cores.", "",
             f"`python -m bench.health_under_attack --seconds {args.seconds:g} --keys {args.keys} --threads-per-key "
             f"{args.threads_per_key}`: {args.keys} attacking API keys x {args.threads_per_key} threads, "
             f"{args.memories} memories seeded per seed, /health and `/` probed every 50 ms; idle phase "
             f"{args.idle_seconds:g} s, attack phase {args.seconds:g} s per seed.", "",
             "| seed | probes | idle /health p50 ms | idle p99 ms | attack /health p50 ms | attack p99 ms | "
             "attack max ms | attack `/` p99 ms | p99 attack / idle | attack requests |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    ratios = []
    for seed, idle, loaded, sent in rows:
        h_idle, h = idle["/health"], loaded["/health"]
        ratio = pct(h, 99) / pct(h_idle, 99)
        ratios.append(ratio)
        lines.append(f"| {seed} | {len(h)} | {pct(h_idle, 50):.1f} | {pct(h_idle, 99):.1f} | {pct(h, 50):.1f} | "
                     f"{pct(h, 99):.1f} | {max(h):.1f} | {pct(loaded['/'], 99):.1f} | {ratio:.1f} | {sent} |")
    spread = f" (min {min(ratios):.1f}, max {max(ratios):.1f})" if len(ratios) > 1 else ""
    lines += ["", f"/health p99 under attack / idle, median over seeds: {statistics.median(ratios):.1f}{spread}.", "",
              "Answers the attackers got, over all seeds (HTTP status, GraphQL `extensions.code`; OK = no error):", "",
              "| shape | answer | count |", "|---|---|---|"]
    for (name, code), count in sorted(all_answers.items()):
        lines.append(f"| {name} | {code} | {count} |")
    write_report(args.report, "\n".join(lines))


if __name__ == "__main__":
    main()
