"""Leases held in Neo4j, so a periodic job runs once per interval across every service process."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from engram.storage.base import Repository


def holder_id() -> str:
    """This process, as a lease holder: host, pid and a random suffix (pids repeat across hosts and restarts)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Lease:
    name: str
    holder: str | None
    claimed_at: datetime | None
    next_run_at: datetime | None
    claims: int


class LeaseRepository(Repository):
    def claim(self, name: str, holder: str, hold_s: float) -> bool:
        """True when this caller may run job `name` now; nobody else may for the next `hold_s` seconds."""
        records = self._write("lease/claim", name=name, holder=holder, hold_ms=int(hold_s * 1000))
        return bool(records[0]["claimed"])

    def show(self, name: str) -> Lease | None:
        records = self._read("lease/show", name=name)
        if not records:
            return None
        r = records[0]
        native = lambda v: v.to_native() if hasattr(v, "to_native") else v  # noqa: E731
        return Lease(name, r["holder"], native(r["claimed_at"]), native(r["next_run_at"]), r["claims"])


def interval_claim(repository: LeaseRepository, name: str, holder: str, interval_s: float) -> Callable[[], bool]:
    """A PeriodicJob's `claim`: held a little less than one interval, so the process whose timer fires
    first in each interval gets it even when the timers drift by a few milliseconds."""
    hold_s = interval_s - min(1.0, interval_s * 0.1)
    return lambda: repository.claim(name, holder, hold_s)
