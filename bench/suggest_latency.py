"""Latency of `suggest` over GraphQL/HTTP against a running `engram serve`, by concurrency.

    python -m bench.suggest_latency [--url http://127.0.0.1:8000] [--requests 200] [--clients 1,16]

Needs the demo data (`engram db seed`) in the server's database; issues a fresh API key for
alice directly in Neo4j (the same path as `engram agent key alice`). Prints p50/p99 and throughput.
"""

from __future__ import annotations

import argparse
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from engram.auth.service import ApiKeyService
from bench.report import write_report
from engram.config import Settings
from engram.storage.connection import open_driver

CONTEXTS = ["api-auth-timeout", "the login API keeps timing out", "database migration failed, roll back",
            "npm install timed out in CI", "flaky test fails intermittently in CI"]
QUERY = "query($c: String!) { suggest(context: $c) { recommended actions { action successRate } } }"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--clients", default="1,16")
    args = parser.parse_args()
    settings = Settings()
    driver = open_driver(settings)
    token = ApiKeyService(driver, settings).issue_key("alice").token
    driver.close()
    headers = {"Authorization": f"Bearer {token}"}
    rows = []
    with httpx.Client(base_url=args.url, headers=headers, timeout=60,
                      limits=httpx.Limits(max_connections=64)) as client:
        def call(i: int) -> float:
            started = time.perf_counter()
            response = client.post("/graphql", json={"query": QUERY, "variables": {"c": CONTEXTS[i % len(CONTEXTS)]}})
            body = response.json()
            if response.status_code != 200 or body.get("errors"):
                raise RuntimeError(body)
            return time.perf_counter() - started

        for i in range(10):  # warm-up
            call(i)
        for clients in (int(c) for c in args.clients.split(",")):
            started = time.perf_counter()
            with ThreadPoolExecutor(clients) as pool:
                latencies = list(pool.map(call, range(args.requests)))
            wall = time.perf_counter() - started
            rows.append((clients, args.requests, percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000,
                         statistics.mean(latencies) * 1000, args.requests / wall))
    lines = ["# `suggest` over GraphQL/HTTP (seeded demo data)", "",
             "| clients | requests | p50 ms | p99 ms | mean ms | requests/s |", "|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {c} | {n} | {p50:.0f} | {p99:.0f} | {mean:.0f} | {rps:.1f} |" for c, n, p50, p99, mean, rps in rows]
    write_report("suggest_latency", "\n".join(lines))


if __name__ == "__main__":
    main()
