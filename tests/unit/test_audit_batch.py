"""Group commit of audit events: every caller gets back exactly its own results, in order, after
one commit that held them; a failed commit fails every caller in it and the next batch still runs."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from engram.privacy.audit_batch import GroupCommit


def test_concurrent_callers_share_commits_and_get_their_own_results() -> None:
    committed: list[list[str]] = []
    lock = threading.Lock()

    def append(entries: list[str]) -> list[str]:
        time.sleep(0.01)  # a commit takes time: callers arriving meanwhile queue for the next batch
        with lock:
            committed.append(list(entries))
        return [f"event:{e}" for e in entries]

    group = GroupCommit(append)

    def call(n: int) -> list[str]:
        entries = [f"{n}-{j}" for j in range(n % 3 + 1)]
        return group.submit(entries)

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(call, range(200)))
    for n, got in enumerate(results):
        assert got == [f"event:{n}-{j}" for j in range(n % 3 + 1)]
    flat = [e for batch in committed for e in batch]
    assert sorted(flat) == sorted(f"{n}-{j}" for n in range(200) for j in range(n % 3 + 1))
    assert len(flat) == len(set(flat))
    assert group.batches == len(committed) < 200  # batching happened


def test_a_failed_commit_fails_its_callers_only() -> None:
    def append(entries: list[str]) -> list[str]:
        if "bad" in entries:
            raise RuntimeError("commit failed")
        return entries

    group = GroupCommit(append)
    with pytest.raises(RuntimeError):
        group.submit(["bad"])
    assert group.submit(["good"]) == ["good"]


def test_batches_are_bounded() -> None:
    sizes: list[int] = []
    gate = threading.Event()

    def append(entries: list[int]) -> list[int]:
        if not sizes:
            gate.wait(5)  # hold the first commit while the others queue
        sizes.append(len(entries))
        return entries

    group = GroupCommit(append, max_batch=10)
    with ThreadPoolExecutor(40) as pool:
        first = pool.submit(group.submit, [0])
        time.sleep(0.05)
        rest = [pool.submit(group.submit, [n, n]) for n in range(1, 30)]
        time.sleep(0.2)
        gate.set()
        assert first.result() == [0]
        assert [f.result() for f in rest] == [[n, n] for n in range(1, 30)]
    assert max(sizes) <= 10 and sum(sizes) == 1 + 2 * 29
