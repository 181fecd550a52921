"""Periodic jobs of the service (retention cleanup, pattern analysis): a worker thread per run,
once per interval of `interval_s` seconds (0 turns a job off); a failed run never stops the next one.

Intervals are counted on the wall clock from the epoch, so every process wakes in the same one. With a
`claim` (a lease held in Neo4j, engram.storage.leases) a process runs the job only in the intervals it
claims first, so several service processes run each job once per interval between them."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


class PeriodicJob:
    def __init__(self, name: str, run: Callable[[], Any], interval_s: float,
                 report: Callable[[Any], None] | None = None, claim: Callable[[int], bool] | None = None) -> None:
        self.name = name
        self.claim = claim
        self.run = run
        self.interval_s = interval_s
        self.report = report
        self._task: asyncio.Task | None = None
        self.runs = 0
        self.failures = 0

    def start(self) -> None:
        if self.interval_s > 0 and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._loop(), name=f"engram-{self.name}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s - time.time() % self.interval_s)  # to the next interval's start
            slot = int(time.time() // self.interval_s)
            try:
                if self.claim is not None and not await asyncio.to_thread(self.claim, slot):
                    continue  # another process runs it in this interval
                result = await asyncio.to_thread(self.run)
                self.runs += 1
                log.info("%s ran for interval %d", self.name, slot)
                if self.report is not None:
                    self.report(result)
            except Exception as exc:  # a failed run must not stop the next one (or the service)
                self.failures += 1
                # One line, not a traceback: while Neo4j is down this repeats every interval.
                reason = " ".join(str(exc).split()) or type(exc).__name__
                log.error("%s failed (%s: %s); will try again in %.0f s",
                          self.name, getattr(exc, "code", type(exc).__name__), reason[:300], self.interval_s)
