"""Recurring-failure recognition on LogHub, through the real pipeline, next to drain3.

    python -m bench.patterns --loghub ../shared/data/loghub [--scale 10000,100000]

For every `*_2k.log_structured.csv` (columns Content, EventId): each line is stored as a failure
memory through the batch store path (redaction, all-MiniLM-L6-v2 embeddings, Neo4j), pattern
recognition runs (`LearningEngine.analyze`: signature grouping, GDS kNN + WCC merges), and the
failure → FailurePattern links are read back from the graph. Grouping accuracy follows Zhu et al.
(ICSE-SEIP 2019): a message is correct when its predicted group has exactly the members of its
ground-truth group. drain3 runs with its default configuration on the same lines, in the same run.

`--scale` times `analyze` on N failures sampled (with replacement) from all systems' lines.
The benchmark runs its own Neo4j instance (`.engram/neo4j-bench`), never the development data.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from bench.grouping_offline import DEVELOPED_ON, drain3_groups, load_systems
from bench.report import write_report
from bench.service import free_port, wipe_database
from engram.config import Settings
from engram.dbserver.process import ManagedNeo4j
from engram.embeddings import SentenceTransformerEmbedder
from engram.learning.engine import LearningEngine
from engram.services import build_services
from engram.learning.grouping_metrics import grouping_accuracy
from engram.memory.builder import build_memory
from engram.storage.connection import open_driver
from engram.storage.schema import apply_schema


def store_failures(engine: LearningEngine, lines: list[str], prefix: str) -> list[str]:
    memories = [build_memory(agent=f"loghub-agent-{i % 5}", kind="failure", context=line, error=line,
                             memory_id=f"{prefix}-{i}") for i, line in enumerate(lines)]
    engine.memories.record_many(memories)
    return [m.id for m in memories]


def predicted_groups(driver, ids: list[str]) -> list[str]:
    records = driver.execute_query(
        "UNWIND $ids AS id MATCH (f:Memory {id: id}) OPTIONAL MATCH (f)-[:INSTANCE_OF]->(p:FailurePattern) "
        "RETURN f.id AS id, p.id AS pattern", ids=ids).records
    by_id = {r["id"]: r["pattern"] or f"none-{r['id']}" for r in records}
    return [by_id[i] for i in ids]


def accuracy_table(rows: list[tuple]) -> list[str]:
    """The per-system table with its average and held-out rows, as markdown lines."""
    header = ("| system | lines | ours | drain3 | signature groups | GDS merges | patterns | true templates "
              "| store s | analyze s |")
    lines_md = ["# Recurring-failure recognition on LogHub 2k (grouping accuracy, Zhu et al. 2019)", "",
                header, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines_md.append(f"| {r[0]} | {r[1]} | {r[2]:.4f} | {r[3]:.4f} | {r[4]} | {r[5]} | {r[6]} | {r[7]} | "
                        f"{r[8]:.0f} | {r[9]:.1f} |")
    avg_ours = sum(r[2] for r in rows) / len(rows)
    avg_drain = sum(r[3] for r in rows) / len(rows)
    lines_md.append(f"| **average** | | **{avg_ours:.4f}** | **{avg_drain:.4f}** | | | | | | |")
    held = [r for r in rows if r[0] not in DEVELOPED_ON]
    if held:
        lines_md.append(f"| **held out** ({', '.join(r[0] for r in held)}) | | "
                        f"**{sum(r[2] for r in held) / len(held):.4f}** | **{sum(r[3] for r in held) / len(held):.4f}** "
                        "| | | | | | |")
        lines_md += ["", f"The grouping's one parameter (`min_variants`) was chosen on {', '.join(DEVELOPED_ON)} only "
                     "(bench/grouping_offline.py, seeded 4/4 split); the held-out row is the other systems. "
                     "grouping_offline.md has the leave-one-system-out and reverse-split figures."]

    return lines_md


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loghub", type=Path, required=True)
    parser.add_argument("--scale", default="", help="Comma-separated failure counts to time analyze at.")
    parser.add_argument("--scale-only", action="store_true",
                        help="Skip the per-system accuracy, only time analyze (report: patterns_scale.md).")
    args = parser.parse_args()
    systems = load_systems(args.loghub)
    if not systems:
        raise SystemExit(f"No *_2k.log_structured.csv under {args.loghub}")

    settings = Settings(instance="neo4j-bench", bolt_port=free_port(), http_port=free_port(),
                        heap_size="2g", pagecache_size="1g")
    server = ManagedNeo4j(settings)
    server.start(log=print)
    driver = open_driver(settings)
    apply_schema(driver, settings)
    engine = build_services(settings, driver, SentenceTransformerEmbedder()).learning
    rows, lines_md = [], []
    try:
        for system in [] if args.scale_only else systems:
            wipe_database(driver, settings)
            started = time.perf_counter()
            ids = store_failures(engine, system.contents, system.name)
            stored_s = time.perf_counter() - started
            report = engine.analyze()
            ours = grouping_accuracy(predicted_groups(driver, ids), system.truth)
            drain = grouping_accuracy(drain3_groups(system.contents), system.truth)
            rows.append((system.name, len(ids), ours, drain, report.signature_groups, report.merged_patterns,
                         report.patterns_after, len(set(system.truth)), stored_s, report.seconds))
            print(f"{system.name:<10} ours {ours:.4f}  drain3 {drain:.4f}  ({report.patterns_after} patterns, "
                  f"{report.merged_patterns} merged by GDS; store {stored_s:.0f}s, analyze {report.seconds:.1f}s)", flush=True)
        lines_md = accuracy_table(rows) if rows else ["# Time of `analyze` on LogHub failures"]
        if args.scale:
            pool = [line for system in systems for line in system.contents]
            lines_md += ["", "## Time of `analyze` by number of failures", "",
                         "| failures | store s | analyze s | signature groups | patterns |", "|---:|---:|---:|---:|---:|"]
            for n in (int(x) for x in args.scale.split(",")):
                wipe_database(driver, settings)
                rnd = random.Random(n)
                sample = [rnd.choice(pool) for _ in range(n)]
                started = time.perf_counter()
                store_failures(engine, sample, f"scale{n}")
                stored_s = time.perf_counter() - started
                report = engine.analyze()
                lines_md.append(f"| {n:,} | {stored_s:.0f} | {report.seconds:.1f} | {report.signature_groups} | "
                                f"{report.patterns_after} |")
                print(f"scale {n}: analyze {report.seconds:.1f}s", flush=True)
    finally:
        engine.memories.close()
        driver.close()
        server.stop()
    write_report("patterns_scale" if args.scale_only else "patterns", "\n".join(lines_md))


if __name__ == "__main__":
    main()
