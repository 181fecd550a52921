"""Recall@10 of the sharded vector stage against exact cosine over one agent's visible set (for bench.perf),
and a recall-only run that fills the benchmark database in-process, without the service and its timings:

    ENGRAM_INSTANCE=bench ENGRAM_BOLT_PORT=7697 ENGRAM_HTTP_PORT=7484 python -m bench.perf_recall
        [--scale 100000] [--agents 100] [--queries 100] [--keep]

It records the memories through MemoryService.record_many (the store path recordMemories uses: redaction,
embedding, the batched write with shard labels), gives the grants of bench.perf through the consent
service, and prints the recall table. Wipes the benchmark database first (and at the end unless --keep).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from bench.perf_data import GRANTS, RECALL_AGENT, agent_names, fresh_query, make_inputs
from bench.perf_render import table
from bench.service import wipe_database
from engram.config import Settings
from engram.embeddings import build_embedder
from engram.learning.advice import EVIDENCE_K, MIN_SIMILARITY
from engram.memory.builder import build_memory
from engram.memory.retrieval import MemoryRetriever
from engram.privacy.redaction import Redactor
from engram.services import build_services
from engram.storage.connection import open_driver
from engram.storage.memories import MemoryRepository
from engram.storage.schema import apply_schema

K = 10
VISIBLE = ("MATCH (m:Memory) WHERE m.agent_id = $agent OR any(g IN $grants WHERE m.agent_id = g.owner "
           "AND m.domain = g.domain) RETURN m.id AS id, m.context_embedding AS embedding")


def measure_recall(embedder, driver, settings: Settings, queries: int) -> dict:
    """Mean recall@10 of the vector stage (its best 10 by cosine) and of what `retrieve` returns (ranked by
    the full score), against exact cosine over RECALL_AGENT's visible set computed with numpy; and what the
    stage did: rounds of index queries, shards searched, index results read, and whether its bound held."""
    grants = [{"owner": owner, "domain": domain} for grantee, owner, domain in GRANTS if grantee == RECALL_AGENT]
    records, _, _ = driver.execute_query(VISIBLE, agent=RECALL_AGENT, grants=grants, database_=settings.neo4j_database)
    ids = np.array([r["id"] for r in records])
    matrix = np.array([r["embedding"] for r in records], dtype=np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    retriever = MemoryRetriever(MemoryRepository(driver, settings), embedder, Redactor())  # no access recorder
    sums = {"stage": 0.0, "final": 0.0, "rounds2": 0.0, "rounds2_suggest": 0.0, "fetched": 0.0, "shards": 0.0,
            "incomplete": 0.0, "fetched_suggest": 0.0, "stage_ms": 0.0}
    for _ in range(queries):
        text = fresh_query()
        query = np.array(embedder.embed([retriever.redactor.redact(text).text])[0], dtype=np.float32)
        exact = set(ids[np.argsort(-(matrix @ query))[:K]])
        started = time.perf_counter()
        found = retriever.retrieve_explained(RECALL_AGENT, text, K)
        sums["stage_ms"] += (time.perf_counter() - started) * 1000
        stage = found.vector
        sums["stage"] += len({c.ref.id for c in stage.candidates[:K]} & exact) / K
        sums["final"] += len({r.memory.id for r in found.results} & exact) / K
        sums["rounds2"] += stage.rounds > 1
        sums["fetched"] += stage.fetched
        sums["shards"] += len(stage.shards)
        sums["incomplete"] += not stage.complete
        evidence = retriever.retrieve_explained(RECALL_AGENT, text, EVIDENCE_K, min_similarity=MIN_SIMILARITY).vector
        sums["rounds2_suggest"] += evidence.rounds > 1
        sums["fetched_suggest"] += evidence.fetched
        sums["incomplete"] += not evidence.complete
    return {"visible": len(ids), "queries": queries, **{k: v / queries for k, v in sums.items()}}


def recall_section(recall: dict[int, dict], shards: int) -> list[str]:
    lines = ["", "## Recall@10 (the sharded vector stage vs exact cosine over the visible set)", "",
             f"Agent {RECALL_AGENT}: its own memories plus the domains granted to it. Memories are partitioned by "
             f"owner over {shards} shard labels, each with its own vector index; the stage asks only the shards of "
             "the agent and its grantors for max(10·k, 100) nearest each, keeps the visible ones (exact cosine), and "
             "asks a shard again, for more, only while its unreturned nodes could still enter the top k (README, "
             "\"Vector search at scale\"). There is no exact scan. *vector stage*: its best 10 by cosine; "
             "*returned*: the k results of `retrieve` (ranked by the full score, so not only by similarity); "
             f"*2+ rounds*: share of queries that asked some shard again, for `retrieveMemories(k: 10)` and for "
             f"`suggest`'s evidence (k = {EVIDENCE_K}, min similarity {MIN_SIMILARITY}); *read*: index results read "
             "per query, all rounds; *open*: queries whose bound did not hold after the last round (either kind).", ""]
    lines += table(["memories", "visible", "queries", "vector stage", "returned", "2+ rounds k=10",
                    "2+ rounds suggest", "shards", "read k=10", "read suggest", "open", "retrieve ms (in-process)"],
                   [[f"{s:,}", f"{x['visible']:,}", x["queries"], f"{x['stage']:.3f}", f"{x['final']:.3f}",
                     f"{x['rounds2']:.0%}", f"{x['rounds2_suggest']:.0%}", f"{x['shards']:.1f}", f"{x['fetched']:.0f}",
                     f"{x['fetched_suggest']:.0f}", f"{x['incomplete']:.0%}", f"{x['stage_ms']:.0f}"]
                    for s, x in recall.items()])
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=10_000)
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    settings = Settings()
    driver = open_driver(settings)
    embedder = build_embedder(settings)
    began = time.perf_counter()
    try:
        wipe_database(driver, settings)
        apply_schema(driver, settings)
        services = build_services(settings, driver, embedder)
        agents = agent_names(args.agents)
        inputs = make_inputs(0, args.scale, agents)
        for start in range(0, len(inputs), 10_000):
            batch = [build_memory(agent=agent, kind="decision", context=item["context"], domain=item["domain"],
                                  action=item.get("action") or item.get("solution") or "retry-job",
                                  outcome=(item.get("outcome") or "SUCCESS").lower(), memory_id=item["id"],
                                  tags=item["tags"], confidence=item["confidence"])
                     for agent, item in inputs[start:start + 10_000]]
            services.memories.record_many(batch)
            print(f"recorded {start + len(batch):,} in {time.perf_counter() - began:.0f} s", flush=True)
        for grantee, owner, domain in GRANTS:
            services.consent.grant(owner, grantee=grantee, scope="domain", value=domain)
        driver.execute_query("CALL db.awaitIndexes(600)", database_=settings.neo4j_database)
        recall = {args.scale: measure_recall(embedder, driver, settings, args.queries)}
        services.close()
        print("\n".join(recall_section(recall, settings.memory_shards)))
        print(f"\n{args.agents} agents · whole run {time.perf_counter() - began:.0f} s")
    finally:
        if not args.keep:
            wipe_database(driver, settings)
        driver.close()


if __name__ == "__main__":
    main()
