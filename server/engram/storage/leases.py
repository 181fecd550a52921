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
    slot: int
    holder: str
    claimed_at: datetime | None
    claims: int


class LeaseRepository(Repository):
    def claim(self, name: str, holder: str, slot: int) -> bool:
        """True for the first caller that claims interval `slot` of job `name`; false for every later one
        and for any slot at or before the last claimed."""
        return bool(self._write("lease/claim", name=name, holder=holder, slot=slot)[0]["claimed"])

    def show(self, name: str) -> Lease | None:
        records = self._read("lease/show", name=name)
        if not records:
            return None
        r = records[0]
        claimed_at = r["claimed_at"].to_native() if r["claimed_at"] is not None else None
        return Lease(name, r["slot"], r["holder"], claimed_at, r["claims"])


def slot_claim(repository: LeaseRepository, name: str, holder: str) -> Callable[[int], bool]:
    """A PeriodicJob's `claim`: this process runs job `name` in an interval only if it claims it first."""
    return lambda slot: repository.claim(name, holder, slot)
