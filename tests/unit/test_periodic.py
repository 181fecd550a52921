"""A periodic job that fails logs one line (no traceback) and runs again at the next interval."""

from __future__ import annotations

import asyncio
import logging

from engram.errors import DatabaseUnavailableError
from engram.periodic import PeriodicJob


def test_failed_run_logs_one_line_and_the_next_run_happens(caplog) -> None:
    calls: list[int] = []

    def run() -> str:
        calls.append(1)
        if len(calls) <= 2:
            raise DatabaseUnavailableError("Neo4j at bolt://127.0.0.1:1 is not reachable:\n  connection refused")
        return "ok"

    async def scenario() -> PeriodicJob:
        job = PeriodicJob("pattern analysis", run, 0.02)
        job.start()
        for _ in range(200):
            await asyncio.sleep(0.01)
            if job.runs >= 1:
                break
        await job.stop()
        return job

    with caplog.at_level(logging.ERROR, logger="engram.periodic"):
        job = asyncio.run(scenario())
    assert job.failures == 2 and job.runs >= 1
    failed = [r for r in caplog.records if r.name == "engram.periodic"]
    assert len(failed) == 2
    for record in failed:
        message = record.getMessage()
        assert "\n" not in message and record.exc_info is None
        assert message.startswith("pattern analysis failed (DATABASE_UNAVAILABLE: Neo4j at")
        assert "will try again in 0 s" in message
