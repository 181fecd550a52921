"""Performance of the running service at 10,000 and 100,000 memories, next to the bare costs beneath it.

    ENGRAM_INSTANCE=bench ENGRAM_BOLT_PORT=7697 ENGRAM_HTTP_PORT=7484 python -m bench.perf
        [--scales 10000,100000] [--scale 1000000 --agents 100] [--cell-seconds 8] [--ingest-threads 3] [--keep]

Empties the benchmark Neo4j, creates 20 agents (--agents) with API keys, starts `engram serve` in a child process
(periodic analysis/retention off) and talks to it over GraphQL/HTTP as those agents. In one run:

1. ingest: `recordMemories` batches of 100 (one agent per call, several client threads) for the first
   scale, against the model's raw `embed` throughput on the same texts, measured in-process just before;
2. then grows to each further scale through the same API; at every scale it measures
   `retrieveMemories(k: 10)` and `suggest` latency (p50/p95/p99) and throughput with 1, 8 and 32
   concurrent clients on fresh query texts (no embedding cache hits), next to the bare cost of one
   query embedding plus one vector-index query in-process;
3. recall@10 for an agent with live domain grants: the retriever's own code (`retrieve_explained`, which
   reports what its sharded vector stage did) against exact cosine over that agent's visible set computed
   with numpy (bench.perf_recall; `python -m bench.perf_recall --scale N` measures only that);
4. peak memory of the service and of Neo4j (VmHWM, and RSS sampled every 0.5 s).

Writes bench/results/perf.md, perf_latency.png and perf_throughput.png. Wipes the benchmark database
at the start and (unless --keep) at the end. `--scales 2000,5000 --cell-seconds 2` is a quick check.
"""

from __future__ import annotations

import argparse
import itertools
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime


from bench import embedding_rates, perf_mem0
from bench.perf_cells import Cell, HealthProbe, bare_cell, percentiles_ms, time_boxed
from bench.perf_data import GRANTS, agent_names, fresh_query, make_inputs
from bench.perf_recall import measure_recall, recall_section
from bench.perf_render import embedding_section, goals_section, mem0_section, plot_vs_concurrency, table
from bench.report import pyplot, write_plot, write_report
from bench.service import GraphQLClient, RunningService, peak_rss_mb, process_family, rss_mb, wipe_database
from engram.auth.service import ApiKeyService
from engram.config import Settings
from engram.dbserver.process import ManagedNeo4j
from engram.embedding.batching import MicroBatcher
from engram.embeddings import CachingEmbedder, build_embedder
from engram.storage.connection import open_driver
from engram.storage.shards import ShardLayout
from engram.storage.schema import apply_schema

RATIO_N = 10_000  # the ingest ÷ raw-embedding ratio is taken on the first this many memories
CONCURRENCY = (1, 8, 32)
K = 10
RETRIEVE = "query($c: String!) { retrieveMemories(context: $c, k: 10) { similarity memory { id } } }"
SUGGEST = "query($c: String!) { suggest(context: $c) { recommended actions { action successRate } } }"
RECORD = "mutation($inputs: [RecordMemoryInput!]!) { recordMemories(inputs: $inputs) { created redactions } }"
GRANT = "mutation($to: String!, $d: String!) { grantAccess(grantee: $to, scope: DOMAIN, value: $d) { id live } }"


# ---- database
def memory_count(driver, settings: Settings) -> int:
    records, _, _ = driver.execute_query("MATCH (m:Memory) RETURN count(m) AS n", database_=settings.neo4j_database)
    return records[0]["n"]


class RssSampler(threading.Thread):
    """Peak VmRSS of some processes, sampled every 0.5 s."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.pids: dict[str, int] = {}
        self.peak: dict[str, float] = {}
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(0.5):
            for name, pid in list(self.pids.items()):
                try:
                    self.peak[name] = max(self.peak.get(name, 0.0), sum(rss_mb(p) for p in process_family(pid)))
                except (OSError, RuntimeError):
                    pass


# ---- phases
def ingest(clients: dict[str, GraphQLClient], inputs: list[tuple[str, dict]], threads: int,
           batch: int) -> tuple[float, int]:
    """Seconds (and redactions) to record `inputs` via recordMemories, one agent per call, `threads` in flight."""
    by_agent: dict[str, list[dict]] = {}
    for agent, item in inputs:
        by_agent.setdefault(agent, []).append(item)
    calls = [(agent, items[i:i + batch]) for agent, items in by_agent.items() for i in range(0, len(items), batch)]
    calls.sort(key=lambda c: c[1][0]["id"])  # interleave the agents

    def send(call: tuple[str, list[dict]]) -> tuple[int, int]:
        payload = clients[call[0]](RECORD, {"inputs": call[1]})["recordMemories"]
        return payload["created"], payload["redactions"]

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(send, calls))
    elapsed = time.perf_counter() - started
    created = sum(c for c, _ in results)
    if created != len(inputs):
        raise RuntimeError(f"recordMemories created {created} of {len(inputs)} memories")
    return elapsed, sum(r for _, r in results)


def latency_cell(clients: dict[str, GraphQLClient], op: str, concurrency: int, seconds: float, scale: int) -> Cell:
    """Time-boxed: `concurrency` HTTP clients send requests back to back for `seconds`, after a warm-up."""
    document = RETRIEVE if op == "retrieve" else SUGGEST
    counter = itertools.count()
    agents = list(clients)

    def call() -> float:
        agent = agents[next(counter) % len(agents)]
        variables = {"c": fresh_query()}
        started = time.perf_counter()
        clients[agent](document, variables)
        return time.perf_counter() - started

    return time_boxed(call, concurrency, seconds, scale, op)


# ---- output
def plot(cells: list[Cell], metric: str, name: str, ylabel: str) -> None:
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    for ax, op in zip(axes, ("retrieve", "suggest")):
        for scale in sorted({c.scale for c in cells}):
            rows = sorted((c for c in cells if c.op == op and c.scale == scale), key=lambda c: c.clients)
            x = [c.clients for c in rows]
            if metric == "latency":
                line = ax.plot(x, [c.p50 for c in rows], marker="o", label=f"{scale:,} p50")[0]
                ax.plot(x, [c.p99 for c in rows], marker="^", ls="--", color=line.get_color(), label=f"{scale:,} p99")
            else:
                ax.plot(x, [c.rps for c in rows], marker="o", label=f"{scale:,} memories")
        ax.set(xscale="log", yscale="log" if metric == "latency" else "linear", xticks=list(CONCURRENCY),
               xticklabels=[str(c) for c in CONCURRENCY], xlabel="concurrent clients", title=op)
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
    axes[0].set_ylabel(ylabel)
    write_plot(name, fig)


def render(r: dict) -> str:
    ing = r["ingest"]
    lines = [f"# Service performance at {', '.join(f'{s:,}' for s in r['scales'])} memories", "",
             f"{r['date']} · {os.cpu_count()} cores · Neo4j heap {r['heap']}, page cache {r['pagecache']} · "
             f"{r['agents']} agents, {len(GRANTS)} live domain grants · whole benchmark {r['total_s'] / 60:.1f} min.",
             "", "## Ingest (`recordMemories`, ≤ 100 per call, over HTTP)", ""]
    lines += table(["path", "memories", "seconds", "memories/s", "÷ raw embedding"], [
        [f"raw embedding, in-process (`embed`, same texts, {r['backend']})", f"{ing['n']:,}", f"{ing['embed_s']:.1f}",
         f"{ing['n'] / ing['embed_s']:,.0f}", "1.00"]] + [
        [f"recordMemories, {r['threads']} client threads", f"{a:,} → {b:,}", f"{s:.1f}", f"{(b - a) / s:,.0f}",
         f"{(b - a) / s / (ing['n'] / ing['embed_s']):.2f}"] for a, b, s in ing["segments"]])
    lines += ["", f"The ratio is taken on the first {ing['n']:,} memories; later rows grow the graph to the next scale "
              f"(compared with the same raw rate). {ing['redactions']} redactions.", "",
              "## Latency over GraphQL/HTTP", "",
              f"Each cell runs {r['cell_s']:g} s after a warm-up of one request per client; req/s counts the wall time "
              "until the last request in flight returned. Each request goes as the next of the agents, with a query "
              "text not seen before; the service runs without its periodic analysis and retention jobs. *Bare* is one "
              "query embedding + one `db.index.vector.queryNodes(…, 10, …)` in-process (p50 with one caller).", ""]
    lines += table(["memories", "op", "clients", "requests", "p50 ms", "p95 ms", "p99 ms", "req/s", "bare p50 ms",
                    "p50 ÷ bare"],
                   [[f"{c.scale:,}", c.op, c.clients, c.requests, f"{c.p50:.0f}", f"{c.p95:.0f}", f"{c.p99:.0f}",
                     f"{c.rps:.1f}", f"{r['bare'][c.scale]:.1f}", f"{c.p50 / r['bare'][c.scale]:.1f}"]
                    for c in r["cells"] if c.op != "bare"])
    lines += ["", "![latency](perf_latency.png)", ""] + goals_section(r) + embedding_section(r) + mem0_section(r)
    lines += recall_section(r["recall"], r["shards"])
    lines += ["", "## Memory", ""]
    lines += table(["process", "peak RSS MiB (VmHWM)", "peak RSS MiB sampled in this run"], [
        ["engram serve (all its processes; VmHWM summed)", f"{r['service_hwm']:.0f}", f"{r['sampled'].get('service', 0):.0f}"],
        [f"Neo4j (heap {r['heap']}, page cache {r['pagecache']}; VmHWM since it started)", f"{r['neo4j_hwm']:.0f}",
         f"{r['sampled'].get('neo4j', 0):.0f}"]])
    lines += ["", "Memories stored at each scale: " + ", ".join(f"{s:,} → {n:,}" for s, n in r["counts"].items()) + "."]
    return "\n".join(lines)


# ---- main
def measure_scale(report: dict, clients: dict[str, GraphQLClient], embedder: CachingEmbedder, driver,
                  settings: Settings, scale: int, args: argparse.Namespace, service_url: str) -> None:
    report["counts"][scale] = memory_count(driver, settings)
    layout = ShardLayout(settings.memory_shards)
    own_indexes = [layout.indexes[layout.of(agent)] for agent in clients]  # the bare query: the caller's own shard
    batcher = MicroBatcher(embedder, settings.embedding_batch_window_ms / 1000, settings.embedding_batch_max)
    for concurrency in CONCURRENCY:  # the bare pipeline, with the service idle
        report["cells"].append(bare_cell(batcher, driver, settings.neo4j_database, concurrency, args.cell_seconds, scale,
                                         own_indexes))
        print(report["cells"][-1], flush=True)
    batcher.close()
    report["bare"][scale] = next(c.p50 for c in report["cells"] if c.op == "bare" and c.scale == scale and c.clients == 1)
    print(f"{scale:,}: {report['counts'][scale]:,} memories, bare p50 {report['bare'][scale]:.1f} ms", flush=True)
    for op in ("retrieve", "suggest"):
        for concurrency in CONCURRENCY:
            with HealthProbe(service_url) as probe:
                report["cells"].append(latency_cell(clients, op, concurrency, args.cell_seconds, scale))
            report["health"][(scale, op, concurrency)] = (percentiles_ms(probe.latencies), len(probe.latencies),
                                                         probe.failures)
            print(report["cells"][-1], "health", report["health"][(scale, op, concurrency)], flush=True)
    report["recall"][scale] = measure_recall(embedder, driver, settings, args.recall_queries)
    print(f"{scale:,}: recall {report['recall'][scale]}", flush=True)


def run(args: argparse.Namespace, settings: Settings, driver, sampler: RssSampler) -> dict:
    """Agents, service, ingest scale by scale, measure at each; the benchmark database must be empty."""
    scales = sorted({int(s) for s in args.scales.split(",")} | set(args.scale or []))
    agents = agent_names(args.agents)
    keys = ApiKeyService(driver, settings)
    tokens = {agent: keys.create_agent(agent).token for agent in agents}
    embedder = build_embedder(settings)  # the back-end the service uses
    inputs = make_inputs(0, scales[-1], agents)
    report: dict = {"scales": scales, "embedding_corpus": args.embedding_corpus, "recall_queries": args.recall_queries, "threads": args.ingest_threads, "cell_s": args.cell_seconds, "cells": [], "bare": {}, "recall": {}, "health": {},
                    "backend": settings.embedding_backend, "agents": len(agents), "shards": settings.memory_shards,
                    "counts": {}, "heap": settings.heap_size, "pagecache": settings.pagecache_size,
                    "date": datetime.now().strftime("%Y-%m-%d %H:%M")}
    env = {"ENGRAM_ANALYZE_INTERVAL_S": "0", "ENGRAM_RETENTION_INTERVAL_S": "0"}  # no background jobs
    report["embedding"] = embedding_rates.measure(settings, args.embedding_corpus, args.recall_queries, args.repeats)
    report["mem0"] = perf_mem0.measure(inputs[:args.mem0_n], CONCURRENCY, args.cell_seconds)
    with RunningService(env, log_name="bench-perf") as service:
        sampler.pids["service"] = service.pid
        clients = {agent: GraphQLClient(service.url, token) for agent, token in tokens.items()}
        for grantee, owner, domain in GRANTS:
            clients[owner](GRANT, {"to": grantee, "d": domain})
        for client in clients.values():
            client("{ viewer { agentId } }")
        boundaries = sorted({min(RATIO_N, scales[0]), *scales})
        first = [item["context"] for _, item in inputs[:boundaries[0]]]
        embedder.embed(["warm-up"])
        started = time.perf_counter()
        embedder.embed(first)  # before ingest starts: the service's model needs the same cores
        report["ingest"] = {"n": len(first), "embed_s": time.perf_counter() - started, "segments": [], "redactions": 0}
        print(f"raw embedding: {len(first):,} texts in {report['ingest']['embed_s']:.1f} s", flush=True)
        done = 0
        for boundary in boundaries:
            seconds, redactions = ingest(clients, inputs[done:boundary], args.ingest_threads, settings.api_max_batch)
            print(f"ingested {done:,} → {boundary:,} in {seconds:.1f} s", flush=True)
            report["ingest"]["segments"].append((done, boundary, seconds))
            report["ingest"]["redactions"] += redactions
            done = boundary
            driver.execute_query("CALL db.awaitIndexes(300)", database_=settings.neo4j_database)
            if boundary in scales:
                measure_scale(report, clients, embedder, driver, settings, boundary, args, service.url)
        report["service_hwm"] = sum(peak_rss_mb(p) for p in process_family(service.pid))
        for client in clients.values():
            client.close()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="10000,100000", help="memory counts to measure at, ascending")
    parser.add_argument("--scale", type=int, action="append", help="one more memory count to grow to and measure "
                        "at (opt-in: `--scale 1000000`, best with `--agents 100`); may repeat")
    parser.add_argument("--agents", type=int, default=20, help="agents the memories are dealt to in turn")
    parser.add_argument("--cell-seconds", type=float, default=8.0, help="time per (scale, op, clients) cell")
    parser.add_argument("--ingest-threads", type=int, default=3)
    parser.add_argument("--recall-queries", type=int, default=100)
    parser.add_argument("--keep", action="store_true", help="leave the data in the benchmark database")
    parser.add_argument("--embedding-corpus", type=int, default=5000, help="texts for the back-end rates and recall")
    parser.add_argument("--repeats", type=int, default=3, help="timed encodes per embedding back-end")
    parser.add_argument("--mem0-n", type=int, default=2000, help="memories the mem0 row ingests and searches")
    args = parser.parse_args()
    began = time.perf_counter()
    settings = Settings()
    driver = open_driver(settings)
    sampler = RssSampler()
    neo4j_pid = ManagedNeo4j(settings).pid()
    if neo4j_pid:
        sampler.pids["neo4j"] = neo4j_pid
    sampler.start()
    try:
        wipe_database(driver, settings)
        apply_schema(driver, settings)
        report = run(args, settings, driver, sampler)
    finally:
        sampler.stopping.set()
        if not args.keep:
            wipe_database(driver, settings)
        driver.close()
    report["sampled"] = sampler.peak
    report["neo4j_hwm"] = peak_rss_mb(neo4j_pid) if neo4j_pid else float("nan")
    plot(report["cells"], "latency", "perf_latency", "latency ms (p50 solid, p99 dashed)")
    plot_vs_concurrency(report["cells"])
    report["total_s"] = time.perf_counter() - began
    write_report("perf", render(report))


if __name__ == "__main__":
    main()
