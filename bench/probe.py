"""A prober in a process of its own: GETs some paths of the service at a fixed pace and times them.

The load of a benchmark comes from threads of the benchmark's own process; a prober among them would wait for
that process's GIL (a thread encoding a 950 KB request body holds it for tens of milliseconds) and charge the
wait to the service. In its own process it measures only the service (and the cores all of them share)."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Sequence
from typing import Any

import httpx


def _probe_loop(url: str, paths: Sequence[str], every_s: float, stop: Any, ready: Any, out: Any) -> None:
    latencies: dict[str, list[float]] = {path: [] for path in paths}
    failures = 0
    with httpx.Client(base_url=url, timeout=30) as http:
        http.get(paths[0])  # connect before measuring
        ready.set()
        while not stop.wait(every_s):
            for path, seen in latencies.items():
                started = time.perf_counter()
                try:
                    ok = http.get(path).status_code in (200, 307)
                except httpx.HTTPError:
                    ok = False
                seen.append(time.perf_counter() - started)
                failures += not ok
    out.put((latencies, failures))


class Prober:
    """`with Prober(url, ["/health"]) as probe: …` — then `probe.latencies[path]` (seconds) and `probe.failures`
    (answers other than 200/307, and transport errors)."""

    def __init__(self, url: str, paths: Sequence[str] = ("/health",), every_s: float = 0.1) -> None:
        self.url, self.paths, self.every_s = url, list(paths), every_s
        self.latencies: dict[str, list[float]] = {}
        self.failures = 0
        context = multiprocessing.get_context("spawn")  # no fork of a process that runs threads
        self._stop, self._ready, self._out = context.Event(), context.Event(), context.Queue()
        self._process = context.Process(target=_probe_loop, daemon=True,
                                        args=(url, self.paths, every_s, self._stop, self._ready, self._out))

    def __enter__(self) -> "Prober":
        self._process.start()
        if not self._ready.wait(120):
            self._process.kill()
            raise RuntimeError("the prober did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.latencies, self.failures = self._out.get(timeout=120)
        self._process.join(timeout=30)
