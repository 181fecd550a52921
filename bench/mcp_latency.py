"""Latency of `suggest_action` through MCP (streamable HTTP at /mcp, the SDK's own client) against `suggest` over
GraphQL (POST /graphql), against the same running service and data, interleaved call by call in one run.

    ENGRAM_INSTANCE=bench ENGRAM_BOLT_PORT=7697 ENGRAM_HTTP_PORT=7484 .venv/bin/python -m bench.mcp_latency

Needs the benchmark Neo4j running (`make bench` starts it); the benchmark database is emptied first. Each seed
draws its own memories and query contexts; the table gives p50/p90 per seed and the MCP/GraphQL ratio of p50s.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import anyio
import httpx
import numpy as np
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from bench.report import write_report
from bench.service import RunningService, wipe_database
from engram.auth.service import ApiKeyService
from engram.client.generated import DOCUMENTS
from engram.config import Settings
from engram.storage.connection import open_driver
from engram.storage.schema import apply_schema

SYSTEMS = ["auth service", "payment gateway", "search indexer", "billing batch", "email relay", "cache cluster"]
SYMPTOMS = ["timed out fetching a token", "returned 503 under load", "ran out of connections",
            "was rate limited by the upstream", "failed the TLS handshake", "lost its leader"]
ACTIONS = ["retry-with-backoff", "raise-timeout", "scale-out", "failover", "restart", "rotate-credentials"]


def seed_memories(url: str, key: str, rng: random.Random, count: int) -> None:
    inputs = []
    for i in range(count):
        context = f"{rng.choice(SYSTEMS)} {rng.choice(SYMPTOMS)} on host-{rng.randrange(40)}"
        inputs.append({"kind": "DECISION", "context": context, "action": rng.choice(ACTIONS),
                       "outcome": rng.choice(["SUCCESS", "SUCCESS", "FAILURE"]), "id": f"bench-mcp-{i}"})
    mutation = "mutation($inputs: [RecordMemoryInput!]!) { recordMemories(inputs: $inputs) { created } }"
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=600) as http:
        for start in range(0, len(inputs), 100):
            body = http.post("/graphql", json={"query": mutation, "variables": {"inputs": inputs[start:start + 100]}})
            assert not body.json().get("errors"), body.text


async def measure(url: str, key: str, contexts: list[str], warmup: int) -> tuple[list[float], list[float]]:
    """Milliseconds per call, (GraphQL suggest, MCP suggest_action), alternating which goes first."""
    graphql_ms, mcp_ms = [], []
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=120) as http, \
            Client(streamable_http_client(url + "/mcp", http_client=create_mcp_http_client(headers=headers))) as mcp:

        async def graphql(context: str) -> float:
            started = time.perf_counter()
            response = await http.post("/graphql", json={"query": DOCUMENTS["Suggest"], "operationName": "Suggest",
                                                         "variables": {"context": context, "k": 5}})
            elapsed = (time.perf_counter() - started) * 1000
            assert not response.json().get("errors"), response.text
            return elapsed

        async def tool(context: str) -> float:
            started = time.perf_counter()
            result = await mcp.call_tool("suggest_action", {"context": context, "k": 5})
            elapsed = (time.perf_counter() - started) * 1000
            assert not result.is_error, result
            return elapsed

        for i, context in enumerate(contexts):
            pair = [(graphql, graphql_ms), (tool, mcp_ms)]
            for fn, sink in (pair if i % 2 == 0 else pair[::-1]):
                elapsed = await fn(context)
                if i >= warmup:
                    sink.append(elapsed)
    return graphql_ms, mcp_ms


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200, help="Measured calls per system and seed.")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--memories", type=int, default=500)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args()
    settings = Settings()
    driver = open_driver(settings)
    rows = []
    try:
        wipe_database(driver, settings)
        apply_schema(driver, settings)
        key = ApiKeyService(driver, settings).create_agent("bench-mcp").token
        with RunningService(log_name="bench-mcp-latency") as service:
            for seed in args.seeds:
                rng = random.Random(seed)
                wipe_memories = "MATCH (m:Memory) DETACH DELETE m"
                with driver.session(database=settings.neo4j_database) as session:
                    session.run(wipe_memories).consume()
                seed_memories(service.url, key, rng, args.memories)
                contexts = [f"{rng.choice(SYSTEMS)} {rng.choice(SYMPTOMS)} again on host-{rng.randrange(40)}"
                            for _ in range(args.calls + args.warmup)]
                graphql_ms, mcp_ms = anyio.run(measure, service.url, key, contexts, args.warmup)
                rows.append((seed, graphql_ms, mcp_ms))
    finally:
        wipe_database(driver, settings)
        driver.close()
    lines = ["# suggest_action through MCP vs suggest over GraphQL", "",
             f"{args.calls} measured calls per system and seed (after {args.warmup} warm-up), interleaved, "
             f"{args.memories} decision memories, one agent, one service (`python -m bench.mcp_latency`).", "",
             "| seed | GraphQL p50 ms | GraphQL p90 ms | MCP p50 ms | MCP p90 ms | MCP / GraphQL p50 |",
             "|---|---|---|---|---|---|"]
    ratios = []
    for seed, g, m in rows:
        ratio = percentile(m, 50) / percentile(g, 50)
        ratios.append(ratio)
        lines.append(f"| {seed} | {percentile(g, 50):.1f} | {percentile(g, 90):.1f} | {percentile(m, 50):.1f} | "
                     f"{percentile(m, 90):.1f} | {ratio:.2f} |")
    spread = f" (min {min(ratios):.2f}, max {max(ratios):.2f})" if len(ratios) > 1 else ""
    lines += ["", f"MCP / GraphQL p50 over seeds: median {statistics.median(ratios):.2f}{spread}. Both go through the "
              "same Strawberry schema and engine call; the difference is the MCP layer (JSON-RPC framing, tool "
              "argument validation, the structured result's output-schema validation and the text summary)."]
    write_report("mcp_latency", "\n".join(lines))


if __name__ == "__main__":
    main()
