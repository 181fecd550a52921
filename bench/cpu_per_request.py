"""Where a request's CPU goes: CPU-ms per answered request in the service, Neo4j and the clients, while
`engram serve` answers retrieve and suggest.

    ENGRAM_INSTANCE=bench ENGRAM_BOLT_PORT=7697 ENGRAM_HTTP_PORT=7484 python -m bench.cpu_per_request
        [--memories 2000] [--clients 1,32] [--seconds 12] [--repeats 3]

Needs the benchmark Neo4j running (`engram db start` with the variables above); the benchmark database is
emptied first and at the end. It creates 20 agents with the domain grants of bench.perf, records `--memories`
memories through `recordMemories`, and starts `engram serve` (periodic jobs off). Each cell sends one operation
back to back from `--clients` HTTP clients for `--seconds` (bench.perf_cells.time_boxed) and reads the CPU time
(user + system, /proc/<pid>/stat) the service's processes, Neo4j and this process used meanwhile. On 2 cores,
throughput at saturation is bounded by the sum of the three, so the table says which part to make cheaper;
run it on two commits for a before/after. `--repeats` repeats every cell; the table gives the median and the
range over repeats.
"""

from __future__ import annotations

import argparse
import os
import statistics
from dataclasses import dataclass
from datetime import datetime

from bench.perf import GRANT, ingest, latency_cell
from bench.perf_data import GRANTS, agent_names, make_inputs
from bench.report import write_report
from bench.service import GraphQLClient, RunningService, process_family, wipe_database
from engram.auth.service import ApiKeyService
from engram.config import Settings
from engram.dbserver.process import ManagedNeo4j
from engram.storage.connection import open_driver
from engram.storage.schema import apply_schema

OPERATIONS = ("retrieve", "suggest")
PARTS = ("service", "neo4j", "clients")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process so far (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Sample:
    op: str
    clients: int
    requests: int
    rps: float
    p50_ms: float
    cpu_ms: dict[str, float]  # per answered request, by part


def measure(clients: dict[str, GraphQLClient], pids: dict[str, list[int]], op: str, concurrency: int,
            seconds: float, scale: int) -> Sample:
    before = {part: sum(cpu_seconds(p) for p in family) for part, family in pids.items()}
    cell = latency_cell(clients, op, concurrency, seconds, scale)
    after = {part: sum(cpu_seconds(p) for p in family) for part, family in pids.items()}
    # The warm-up calls of the cell ran inside the CPU window too: count them as requests.
    requests = cell.requests + max(5, concurrency)
    return Sample(op, concurrency, cell.requests, cell.rps, cell.p50,
                  {part: (after[part] - before[part]) * 1000 / requests for part in pids})


def spread(values: list[float], digits: int = 1) -> str:
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def render(samples: list[Sample], args: argparse.Namespace, date: str) -> str:
    lines = [
        "# CPU per request: service, Neo4j, clients",
        "",
        f"{date}. `python -m bench.cpu_per_request --memories {args.memories} --clients {args.clients} "
        f"--seconds {args.seconds:g} --repeats {args.repeats}`: {args.memories:,} memories over 20 agents (domain "
        f"grants as in bench.perf), `engram serve` with its defaults and periodic jobs off, {os.cpu_count()} cores. "
        "Median over repeats, range in brackets. CPU-ms per answered request, read from /proc.",
        "",
        "| operation | clients | req/s | p50 ms | service CPU-ms | Neo4j CPU-ms | clients CPU-ms | total CPU-ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    cells = sorted({(s.op, s.clients) for s in samples}, key=lambda c: (OPERATIONS.index(c[0]), c[1]))
    for op, n in cells:
        mine = [s for s in samples if (s.op, s.clients) == (op, n)]
        parts = [spread([s.cpu_ms[p] for s in mine]) for p in PARTS]
        total = spread([sum(s.cpu_ms.values()) for s in mine])
        lines.append(f"| {op} | {n} | {spread([s.rps for s in mine])} | {spread([s.p50_ms for s in mine], 0)} | "
                     f"{' | '.join(parts)} | {total} |")
    lines += ["", f"At saturation req/s × total CPU-ms ≈ {os.cpu_count()} cores × 1000: the parts say where the "
                  "cores go."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--memories", type=int, default=2000)
    parser.add_argument("--clients", default="1,32", help="concurrencies, comma-separated")
    parser.add_argument("--seconds", type=float, default=12.0, help="time per cell")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    settings = Settings()
    neo4j_pid = ManagedNeo4j(settings).pid()
    if neo4j_pid is None:
        raise SystemExit("The benchmark Neo4j is not running: `engram db start` with ENGRAM_INSTANCE=bench first.")
    driver = open_driver(settings)
    wipe_database(driver, settings)
    apply_schema(driver, settings)
    agents = agent_names(20)
    keys = ApiKeyService(driver, settings)
    tokens = {agent: keys.create_agent(agent).token for agent in agents}
    samples: list[Sample] = []
    try:
        with RunningService({"ENGRAM_ANALYZE_INTERVAL_S": "0", "ENGRAM_RETENTION_INTERVAL_S": "0"},
                            log_name="bench-cpu") as service:
            clients = {agent: GraphQLClient(service.url, token) for agent, token in tokens.items()}
            for grantee, owner, domain in GRANTS:
                clients[owner](GRANT, {"to": grantee, "d": domain})
            ingest(clients, make_inputs(0, args.memories, agents), 3, settings.api_max_batch)
            driver.execute_query("CALL db.awaitIndexes(300)", database_=settings.neo4j_database)
            pids = {"service": process_family(service.pid), "neo4j": [neo4j_pid], "clients": [os.getpid()]}
            for repeat in range(args.repeats):
                for op in OPERATIONS:
                    for concurrency in (int(c) for c in args.clients.split(",")):
                        sample = measure(clients, pids, op, concurrency, args.seconds, args.memories)
                        samples.append(sample)
                        print(f"repeat {repeat + 1}: {op} × {concurrency}: {sample.rps:.1f} req/s, "
                              f"p50 {sample.p50_ms:.0f} ms, CPU-ms {sample.cpu_ms}", flush=True)
            for client in clients.values():
                client.close()
    finally:
        wipe_database(driver, settings)
        driver.close()
    write_report("cpu_per_request", render(samples, args, datetime.now().strftime("%Y-%m-%d %H:%M")))


if __name__ == "__main__":
    main()
