"""Time to clean up expired memories with a retention policy, and proof that they are gone from search.

    python -m bench.retention_cleanup [--n 10000]     (needs a running Neo4j: `engram db start`)

Ingests N memories of one bench agent through the normal batch path with created_at a year ago,
sets a 30-day max-age policy for that agent only, and times `cleanup` (candidate selection, then
deletion in audited batches). Afterwards the vector index, the fulltext index and the hybrid search
must find none of them. Other agents' data and policies are not touched.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta

from bench.report import write_report
from engram.config import Settings
from engram.embeddings import SentenceTransformerEmbedder
from engram.memory.builder import build_memory
from engram.memory.service import MemoryService
from engram.services import build_services
from engram.privacy.retention import RetentionService
from engram.storage.connection import open_driver
from engram.storage.schema import apply_schema
from engram.storage.shards import ShardLayout

AGENT = "bench-retention"
MARKER = "xylophonic"  # a word only these memories contain, to probe the fulltext index
SERVICES = ["checkout", "billing", "auth", "search", "inventory", "shipping"]
PROBLEMS = ["{svc} request timed out after {n}s", "{svc} deploy failed during migration {n}",
            "npm install timed out in CI job {n} for {svc}", "token refresh for {svc} failed after {n} retries"]


def make_memories(n: int, seed: int = 7):
    rnd = random.Random(seed)
    old = datetime.now(UTC) - timedelta(days=365)
    return [build_memory(agent=AGENT, kind="decision", context=f"{MARKER} " + rnd.choice(PROBLEMS).format(
                svc=rnd.choice(SERVICES), n=i), action=rnd.choice(["retry", "rollback", "scale-out"]),
                outcome=rnd.choice(["success", "failure"]), tags=["bench"], domain="ops",
                memory_id=f"bench-ret-{i}", created_at=old - timedelta(minutes=i))
            for i in range(n)]


def _count(driver, settings: Settings, query: str, **params) -> int:
    return driver.execute_query(query, params, database_=settings.neo4j_database).records[0]["n"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000)
    args = parser.parse_args()
    settings = Settings()
    driver = open_driver(settings)
    apply_schema(driver, settings)
    embedder = SentenceTransformerEmbedder(settings.embedding_model, settings.embedding_batch_size)
    services = build_services(settings, driver, embedder)
    service, retention = services.memories, services.retention

    start = time.perf_counter()
    summary = service.record_many(make_memories(args.n))
    ingest_s = time.perf_counter() - start
    stored = _count(driver, settings, "MATCH (m:Memory {agent_id: $a}) RETURN count(m) AS n", a=AGENT)

    retention.set_policy(AGENT, max_age=timedelta(days=30))
    start = time.perf_counter()
    dry = retention.cleanup(AGENT, dry_run=True)
    select_s = time.perf_counter() - start
    report = retention.cleanup(AGENT)
    again = retention.cleanup(AGENT)
    retention.remove_policy(AGENT)

    left = _count(driver, settings, "MATCH (m:Memory {agent_id: $a}) RETURN count(m) AS n", a=AGENT)
    fulltext = _count(driver, settings, "CALL db.index.fulltext.queryNodes('memory_text', $q) YIELD node "
                      "RETURN count(node) AS n", q=MARKER)
    probe = embedder.embed([f"{MARKER} checkout request timed out after 3s"])[0]
    vector = _count(driver, settings, "CALL db.index.vector.queryNodes($index, 1000, $e) "
                    "YIELD node WHERE node.agent_id = $a RETURN count(node) AS n", e=probe, a=AGENT,
                    index=ShardLayout(settings.memory_shards).indexes[ShardLayout(settings.memory_shards).of(AGENT)])
    hybrid = sum(r.memory.agent_id == AGENT for r in service.search(f"{MARKER} request timed out", None, k=200))
    service.close()
    verified = audit.verify()
    driver.close()

    rate = report.deleted / report.seconds if report.seconds else float("inf")
    rows = [
        ("memories ingested (batch path, created_at a year ago)", f"{stored:,}", f"{ingest_s:.1f}"),
        ("cleanup --dry-run (candidate selection only)", f"{dry.candidates:,}", f"{select_s:.2f}"),
        ("cleanup (select + delete in audited batches of 1,000)", f"{report.deleted:,}", f"{report.seconds:.2f}"),
        ("cleanup again (idempotent)", f"{again.deleted:,}", f"{again.seconds:.2f}"),
    ]
    lines = [f"# Retention cleanup, {args.n:,} expired memories", "",
             "| step | memories | seconds |", "|---|---:|---:|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    lines += ["", f"Deletion rate: **{rate:,.0f} memories/s**. After cleanup: {left} nodes, {fulltext} fulltext hits, "
              f"{vector} vector-index hits, {hybrid} hybrid-search hits for the deleted memories; "
              f"audit chain {'intact' if verified.ok else 'BROKEN'} ({verified.checked:,} events). "
              f"({summary.created:,} created at ingest.)"]
    write_report("retention_cleanup", "\n".join(lines))


if __name__ == "__main__":
    main()
