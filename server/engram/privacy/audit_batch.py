"""Group commit for audit events: concurrent callers' events go into one transaction under one head lock.

The chain has one head, so every audited write holds the same lock from appending until its commit:
under concurrency, writers queue on it one commit at a time. Events that stand alone (cross-agent
reads, exports, deletions; not the change+event writes of `run_audited`, which must commit with their
change) need not each pay for that. The first caller to arrive leads: it takes every entry queued
while the previous batch was committing and appends them all in one transaction; the others wait
until that commit and get their own events back. Nobody returns before its events are committed, and
the chain is the same single line, in queue order, that `verify()` checks.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from engram import deadline

E = TypeVar("E")  # an entry to append
R = TypeVar("R")  # what appending one entry returns

MAX_BATCH = 500


class _Waiter(Generic[E, R]):
    def __init__(self, entries: Sequence[E]) -> None:
        self.entries = list(entries)
        self.results: list[R] | None = None
        self.error: BaseException | None = None
        self.finished = False
        self.wake = threading.Event()  # set when its batch committed, or when it is to lead the next one
        self.deadline = deadline.current()  # its request's (engram.deadline), None outside a request


class GroupCommit(Generic[E, R]):
    """`submit(entries)` → `append(entries queued by every caller)`, one leader (and commit) at a time.
    A leader commits one batch, the one holding its own entries, and hands over to the next in line,
    so no caller commits for longer than its own batch."""

    def __init__(self, append: Callable[[list[E]], list[R]], max_batch: int = MAX_BATCH) -> None:
        self._append = append
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: list[_Waiter[E, R]] = []
        self._leading = False
        self.batches = 0  # commits made, for measuring

    def submit(self, entries: Sequence[E]) -> list[R]:
        waiter: _Waiter[E, R] = _Waiter(entries)
        with self._lock:
            self._queue.append(waiter)
            if not self._leading:
                self._leading = True
                waiter.wake.set()
        while True:
            waiter.wake.wait()
            if waiter.finished:
                break
            waiter.wake.clear()
            self._commit_next_batch()  # it holds this waiter: it is first in the queue
        if waiter.error is not None:
            raise waiter.error
        assert waiter.results is not None
        return waiter.results

    def _commit_next_batch(self) -> None:
        with self._lock:
            batch, size = [], 0
            while self._queue and (not batch or size + len(self._queue[0].entries) <= self._max_batch):
                batch.append(self._queue.pop(0))
                size += len(batch[-1].entries)
        # The batch commits within the latest deadline of its callers (none if one has none), so a leader
        # short of time does not fail the others' events.
        ends = [w.deadline for w in batch]
        latest = None if None in ends else max(e for e in ends if e is not None)
        try:
            results = deadline.call_within(latest, self._append, [e for w in batch for e in w.entries])
            self.batches += 1
            at = 0
            for w in batch:
                w.results = results[at:at + len(w.entries)]
                at += len(w.entries)
        except BaseException as exc:  # every caller in the batch sees the failure
            for w in batch:
                w.error = exc
        finally:
            with self._lock:
                if self._queue:
                    self._queue[0].wake.set()  # the next in line leads
                else:
                    self._leading = False
            for w in batch:
                w.finished = True
                w.wake.set()
