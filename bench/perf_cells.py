"""Time-boxed load cells for bench.perf: `concurrency` callers back to back for some seconds (over HTTP, or
the bare pipeline in-process), and a /health prober that runs beside them in a process of its own."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import neo4j
import numpy as np

from bench.perf_data import fresh_query
from bench.probe import Prober

VECTOR_QUERY = ("CALL db.index.vector.queryNodes($index, 10, $v) YIELD node, score "
                "RETURN node.id, score")  # one memory shard's index: the calling agent's own


@dataclass
class Cell:
    scale: int
    op: str
    clients: int
    requests: int
    p50: float
    p95: float
    p99: float
    rps: float


def percentiles_ms(seconds: list[float]) -> tuple[float, float, float]:
    p50, p95, p99 = np.percentile(np.array(seconds) * 1000, [50, 95, 99])
    return float(p50), float(p95), float(p99)


def time_boxed(call: Callable[[], float], concurrency: int, seconds: float, scale: int, op: str) -> Cell:
    """`concurrency` threads call back to back for `seconds` after a warm-up (every caller once); req/s counts
    the wall time until the last call in flight returned. `call` returns its own latency in seconds."""

    def worker(deadline: float) -> list[float]:
        latencies = [call()]
        while time.perf_counter() < deadline:
            latencies.append(call())
        return latencies

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(lambda _: call(), range(max(5, concurrency))))
        started = time.perf_counter()
        latencies = [x for part in pool.map(worker, [started + seconds] * concurrency) for x in part]
        wall = time.perf_counter() - started
    return Cell(scale, op, concurrency, len(latencies), *percentiles_ms(latencies), len(latencies) / wall)


def bare_cell(embedder, driver: neo4j.Driver, database: str, concurrency: int, seconds: float, scale: int,
              indexes: list[str]) -> Cell:
    """The bare pipeline under the same concurrency: one query embedding (through the same micro-batching
    queue the service uses) and one vector-index query, in-process — on the shard index of the next agent
    in `indexes` (one per agent, in turn)."""
    turn = itertools.count()

    def call() -> float:
        text = fresh_query()
        index = indexes[next(turn) % len(indexes)]
        started = time.perf_counter()
        vector = embedder.embed([text])[0]
        driver.execute_query(VECTOR_QUERY, v=vector, index=index, database_=database,
                             routing_=neo4j.RoutingControl.READ)
        return time.perf_counter() - started

    return time_boxed(call, concurrency, seconds, scale, "bare")


class HealthProbe(Prober):
    """GET /health every `every_s` (from a process of its own, bench.probe) while the cell runs; `latencies` in
    seconds."""

    def __init__(self, url: str, every_s: float = 0.1) -> None:
        super().__init__(url, ["/health"], every_s)

    def __exit__(self, *exc: object) -> None:
        super().__exit__(*exc)
        self.latencies = self.latencies["/health"]
