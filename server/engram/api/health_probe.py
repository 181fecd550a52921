"""/health answers from a report a background task refreshes every second on threads of its own, so a
probe never waits behind engine work, a busy Neo4j or a slow model. A report older than `overdue`
(the check itself hangs, e.g. Neo4j stopped answering) makes /health say so and answer 503."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from engram.health import HealthReport

log = logging.getLogger("engram.api")


class HealthProbe:
    def __init__(self, check: Callable[[], HealthReport], *, interval_s: float = 1.0, overdue_s: float = 5.0,
                 down_reason: Callable[[], str | None] | None = None) -> None:
        self.check = check
        # The driver's breaker: once a request found Neo4j unreachable, /health says so at once instead of
        # serving the last report (taken before the failure) until it is overdue.
        self.down_reason = down_reason
        self.interval_s = interval_s
        self.overdue_s = overdue_s
        self.threads = ThreadPoolExecutor(max_workers=1, thread_name_prefix="engram-health")
        self._report: HealthReport | None = None
        self._checked_at = 0.0
        self._task: asyncio.Task | None = None

    async def refresh(self) -> HealthReport:
        report = await asyncio.get_running_loop().run_in_executor(self.threads, self.check)
        self._report, self._checked_at = report, time.monotonic()
        return report

    async def _loop(self) -> None:
        while True:
            try:
                await self.refresh()
            except Exception:  # a failing check is in the report; anything else must not end the probe
                log.exception("health check failed")
            await asyncio.sleep(self.interval_s)

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.threads.shutdown(wait=False)

    def fresh_report(self) -> HealthReport | None:
        """The latest report while it is current (not overdue, Neo4j not known down): what the GraphQL
        `health` field answers from, so asking it costs no check."""
        if self._report is None or time.monotonic() - self._checked_at > self.overdue_s:
            return None
        if self.down_reason is not None and self.down_reason():
            return None
        return self._report

    async def current(self) -> tuple[dict, int]:
        """The latest report as the /health body and status code (checked now if there is none yet)."""
        if self._report is None:
            await self.refresh()
        assert self._report is not None
        age = time.monotonic() - self._checked_at
        body = self._report.as_dict() | {"checked_s_ago": round(age, 3)}
        down = self.down_reason() if self.down_reason else None
        if down:
            body["status"] = "degraded"
            body["neo4j"] = body["neo4j"] | {"ok": False}
            body["errors"] = [*body["errors"], f"neo4j: {down}"]
            return body, 503
        if age > self.overdue_s:
            body["status"] = "degraded"
            body["errors"] = [*body["errors"], f"health check overdue: last finished {age:.0f} s ago"]
            return body, 503
        return body, 200 if self._report.ok else 503
