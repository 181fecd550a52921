"""Ingest throughput of the batch store path next to the model's raw embedding throughput.

    python -m bench.ingest [--n 10000]      (needs a running Neo4j: `engram db start`)

Both are measured in the same run on the same texts; the ratio says how close the full path
(redaction → embedding → Neo4j writes) comes to the bare cost of embedding.
"""

from __future__ import annotations

import argparse
import random
import time

from bench.report import write_report
from engram.config import Settings
from engram.embeddings import SentenceTransformerEmbedder
from engram.memory.builder import build_memory
from engram.memory.service import MemoryService
from engram.storage.connection import open_driver
from engram.storage.schema import apply_schema

SERVICES = ["checkout", "billing", "auth", "search", "inventory", "shipping", "notifications", "reports"]
PROBLEMS = [
    "request to {svc} timed out after {n}s", "{svc} deploy failed during database migration {n}",
    "npm install timed out in CI job {n} for {svc}", "flaky test test_{svc}_{n} failed intermittently",
    "{svc} returned HTTP 503 under load of {n} rps", "token refresh for {svc} failed with 401 after {n} retries",
    "disk usage on {svc}-db reached {n} percent", "cache miss storm on {svc} after restart {n}",
]
ACTIONS = ["retry-with-exponential-backoff", "increase-timeout", "rollback", "scale-out", "verify-npm-cache",
           "quarantine-flaky-test", "restart-service", "clear-cache"]


def make_memories(n: int, seed: int = 42):
    rnd = random.Random(seed)
    memories = []
    for i in range(n):
        context = rnd.choice(PROBLEMS).format(svc=rnd.choice(SERVICES), n=i) + f" (ticket {rnd.randint(1000, 99999)})"
        memories.append(build_memory(agent=f"bench-agent-{i % 20}", kind="decision", context=context,
                                     action=rnd.choice(ACTIONS), outcome=rnd.choice(["success", "failure", "partial"]),
                                     tags=["bench"], domain=rnd.choice(["auth", "db", "ci", "ops"]), memory_id=f"bench-{i}"))
    return memories


def _delete_bench_memories(driver, settings: Settings) -> None:
    with driver.session(database=settings.neo4j_database) as session:
        session.run("MATCH (m:Memory) WHERE m.agent_id STARTS WITH 'bench-agent-' "
                    "CALL (m) { DETACH DELETE m } IN TRANSACTIONS OF 5000 ROWS").consume()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000)
    args = parser.parse_args()
    settings = Settings()
    driver = open_driver(settings)
    apply_schema(driver, settings)
    embedder = SentenceTransformerEmbedder(settings.embedding_model, settings.embedding_batch_size)
    memories = make_memories(args.n)
    texts = [m.context for m in memories]
    assert len(set(texts)) == len(texts)
    embedder.embed(["warm-up"])

    start = time.perf_counter()
    embedder.embed(texts)
    embed_s = time.perf_counter() - start

    _delete_bench_memories(driver, settings)
    service = MemoryService(driver, embedder, settings)
    start = time.perf_counter()
    summary = service.record_many(memories)
    ingest_s = time.perf_counter() - start
    service.close()
    _delete_bench_memories(driver, settings)
    driver.close()

    embed_rate, ingest_rate = args.n / embed_s, args.n / ingest_s
    rows = [
        ("raw embedding (model.encode, same texts)", f"{embed_s:.1f}", f"{embed_rate:,.0f}"),
        ("ingest: redact + embed + write (batch API)", f"{ingest_s:.1f}", f"{ingest_rate:,.0f}"),
    ]
    lines = [f"# Ingest throughput, {args.n:,} memories", "", "| path | seconds | memories/s |", "|---|---:|---:|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    lines += ["", f"Ingest ÷ raw embedding = **{ingest_rate / embed_rate:.2f}** "
              f"({summary.created:,} created, {summary.redactions} redactions)."]
    write_report("ingest", "\n".join(lines))


if __name__ == "__main__":
    main()
