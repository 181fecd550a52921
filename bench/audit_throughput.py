"""What the audit chain's single head costs: audited-write throughput at 1, 4 and 16 writers.

    ENGRAM_INSTANCE=bench ENGRAM_BOLT_PORT=7697 ENGRAM_HTTP_PORT=7484 python -m bench.audit_throughput
        [--seconds 10] [--writers 1,4,16] [--repeats 3]

In one run against the benchmark Neo4j (emptied first), for each writer count, threads in this process
call, for `--seconds` each:
- `audited (one tx per event)`: AuditLog.record without group commit — each event its own transaction,
  appended under the (:AuditHead) lock (the design before issue 15);
- `audited (group commit)`: AuditLog.record as the service runs it — events of concurrent callers share
  one transaction (privacy/audit_batch.py);
- `unaudited`: the same event's properties written as a plain node in its own transaction, no head lock
  (the same commit cost without the chain: the baseline the head is compared against);
- `grant+revoke`: ConsentService.grant then revoke (a real audited write path: change + event in one
  transaction).
Prints writes/s and p50/p99 latency per cell (median over repeats, with min-max), the audited ÷ unaudited
ratio, and verifies the chain at the end. Writes bench/results/audit_throughput.md.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
import uuid
from collections.abc import Callable

import numpy as np

from bench.report import write_report
from bench.service import wipe_database
from engram.config import Settings
from engram.privacy.audit import AuditLog
from engram.embeddings import SentenceTransformerEmbedder
from engram.privacy.redaction import Redactor
from engram.services import build_services
from engram.storage.connection import open_driver
from engram.storage.schema import apply_schema

UNAUDITED = """CREATE (e:BenchEvent) SET e = $row, e.at = datetime()"""


def measure(op: Callable[[int, int], None], writers: int, seconds: float) -> tuple[float, float, float]:
    """(writes/s, p50 ms, p99 ms) of `op(writer, n)` called in a loop by `writers` threads."""
    latencies: list[list[float]] = [[] for _ in range(writers)]
    stop = threading.Event()

    def loop(w: int) -> None:
        n = 0
        while not stop.is_set():
            started = time.perf_counter()
            op(w, n)
            latencies[w].append(time.perf_counter() - started)
            n += 1

    threads = [threading.Thread(target=loop, args=(w,)) for w in range(writers)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    flat = np.array([x for per in latencies for x in per]) * 1000
    return len(flat) / elapsed, float(np.percentile(flat, 50)), float(np.percentile(flat, 99))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--writers", default="1,4,16")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--label", default="", help="a note for the report (e.g. the design measured)")
    args = parser.parse_args()
    settings = Settings()
    driver = open_driver(settings)
    wipe_database(driver, settings)
    apply_schema(driver, settings)
    services = build_services(settings, driver, SentenceTransformerEmbedder(settings.embedding_model))
    audit, consent = services.audit, services.consent  # the service's own wiring (group commit on)
    unbatched = AuditLog(driver, settings, Redactor(), group_commit=False)  # one transaction (and head lock) per event
    run_id = uuid.uuid4().hex[:6]
    for w in range(max(int(n) for n in args.writers.split(","))):  # a grant names an agent that exists
        services.keys.create_agent(f"bench-grantee-{w}")

    def audited(w: int, n: int) -> None:
        unbatched.record("grant", f"bench-{w}", f"bench-{w}", [f"g-{run_id}-{w}-{n}"], {"scope": "domain", "value": "db"})

    def audited_grouped(w: int, n: int) -> None:
        audit.record("grant", f"bench-{w}", f"bench-{w}", [f"h-{run_id}-{w}-{n}"], {"scope": "domain", "value": "db"})

    def unaudited(w: int, n: int) -> None:
        driver.execute_query(UNAUDITED, row={"id": f"u-{run_id}-{w}-{n}", "type": "grant", "actor_id": f"bench-{w}",
                                             "owner_id": f"bench-{w}", "subject_ids": [f"g-{w}-{n}"],
                                             "details": '{"scope":"domain","value":"db"}', "hash": "0" * 64},
                             database_=settings.neo4j_database)

    def grant_revoke(w: int, n: int) -> None:
        grant = consent.grant(f"bench-owner-{w}", grantee=f"bench-grantee-{w}", scope="domain", value=f"d{n}")
        consent.revoke(f"bench-owner-{w}", grant.id)

    ops = {"audited (one tx per event)": audited, "audited (group commit)": audited_grouped,
           "unaudited": unaudited, "grant+revoke": grant_revoke}
    writer_counts = [int(x) for x in args.writers.split(",")]
    cells: dict[tuple[str, int], list[tuple[float, float, float]]] = {}
    try:
        for _ in range(args.repeats):
            for writers in writer_counts:
                for name, op in ops.items():
                    cells.setdefault((name, writers), []).append(measure(op, writers, args.seconds))
        report = audit.verify()
    finally:
        wipe_database(driver, settings)
        driver.close()

    lines = [f"# Audited-write throughput{(' — ' + args.label) if args.label else ''}", "",
             f"`python -m bench.audit_throughput --seconds {args.seconds:g} --writers {args.writers} "
             f"--repeats {args.repeats}`: {args.seconds:g} s per cell, median of {args.repeats} repeats (min–max).",
             "", "| operation | writers | writes/s | p50 ms | p99 ms |", "|---|---:|---:|---:|---:|"]
    for (name, writers), runs in cells.items():
        rates = [r[0] for r in runs]
        lines.append(f"| {name} | {writers} | {statistics.median(rates):.0f} ({min(rates):.0f}–{max(rates):.0f}) "
                     f"| {statistics.median(r[1] for r in runs):.1f} | {statistics.median(r[2] for r in runs):.1f} |")
    lines += ["", "| writers | audited ÷ unaudited, one tx per event | audited ÷ unaudited, group commit |",
              "|---:|---:|---:|"]
    for writers in writer_counts:
        u = statistics.median(r[0] for r in cells[("unaudited", writers)])
        a = statistics.median(r[0] for r in cells[("audited (one tx per event)", writers)])
        g = statistics.median(r[0] for r in cells[("audited (group commit)", writers)])
        lines.append(f"| {writers} | {a / u:.2f} | {g / u:.2f} |")
    lines += ["", f"Chain verified after the run: {'yes' if report.ok else 'NO'} ({report.checked} events"
              f"{'' if report.ok else '; ' + '; '.join(report.problems[:3])})."]
    write_report("audit_throughput", "\n".join(lines))


if __name__ == "__main__":
    main()
