"""Pure parts of the request bounds: the Neo4j transaction timeout a deadline gives, the cost a cursor's
offset adds, the deepest cursor, and the per-memory size cap."""

from __future__ import annotations

import time

import pytest

from engram import deadline
from engram.api.gql.cost import SKIPPED_PER_UNIT, field_weight
from engram.api.gql.pagination import MAX_POSITION, decode_cursor, encode_cursor
from engram.config import Settings
from engram.errors import BadInputError, DeadlineExceededError
from engram.memory.builder import build_memory
from engram.memory.store import check_sizes, memory_chars
from engram.storage.timeouts import transaction_timeout


def test_a_transaction_gets_what_is_left_of_the_deadline_or_the_cap_outside_one() -> None:
    settings = Settings(neo4j_tx_timeout_s=600)
    assert transaction_timeout(settings) == 600  # CLI, jobs: the configured cap
    assert transaction_timeout(Settings(neo4j_tx_timeout_s=0)) is None  # no cap: the server's default
    left = deadline.call_within(time.monotonic() + 2.0, transaction_timeout, settings)
    assert 1.5 < left <= 2.0
    short_cap = Settings(neo4j_tx_timeout_s=0.5)
    assert deadline.call_within(time.monotonic() + 30, transaction_timeout, short_cap) == 0.5
    with pytest.raises(DeadlineExceededError):  # past the deadline no transaction starts
        deadline.call_within(time.monotonic() - 0.1, transaction_timeout, settings)
    assert deadline.remaining() is None  # the deadline does not outlive the call


def test_a_cursor_is_charged_for_the_rows_it_skips() -> None:
    plain = field_weight("memories", root=True, leaf=False, args={"first": 10, "after": None})
    near = field_weight("memories", root=True, leaf=False, args={"first": 10, "after": encode_cursor(40)})
    deep = field_weight("memories", root=True, leaf=False, args={"first": 10, "after": encode_cursor(90_000)})
    assert near == plain  # a normal page costs what it did
    assert deep == plain + 90_000 // SKIPPED_PER_UNIT


def test_cursors_reach_at_most_max_position_and_say_so() -> None:
    assert decode_cursor(encode_cursor(MAX_POSITION)) == MAX_POSITION
    with pytest.raises(BadInputError, match=f"at most {MAX_POSITION} items"):
        decode_cursor(encode_cursor(MAX_POSITION + 1))
    with pytest.raises(BadInputError, match="Invalid cursor"):
        decode_cursor(encode_cursor(10 ** 12))


def _collaboration(lessons: list[str]):
    return build_memory(agent="alice", kind="collaboration", context="pairing on the deploy", partners=["bob"],
                        lessons=lessons, tags=["deploy"])


def test_a_memory_is_measured_across_all_its_text_and_list_fields() -> None:
    memory = _collaboration(["a" * 100, "b" * 50])
    assert memory_chars(memory) == (len("pairing on the deploy") + len(memory.id) + len("deploy") + len("bob")
                                    + len("collaboration") + 150)


def test_a_memory_over_the_cap_is_refused_naming_the_limit() -> None:
    fits = _collaboration(["x" * 9_000] * 7)  # 63,000 characters of lessons
    over = _collaboration(["x" * 9_000] * 8)  # 72,000
    check_sizes([fits], 65_536)
    with pytest.raises(BadInputError, match="limit is 65536 per memory") as refused:
        check_sizes([fits, over], 65_536)
    assert "Memory 1 of the batch" in refused.value.message


def test_a_group_commit_runs_within_the_latest_deadline_of_its_callers() -> None:
    """The leader of an audit group commit must not impose its own, nearer deadline on the others' events."""
    import threading

    from engram.privacy.audit_batch import GroupCommit

    seen: list[float | None] = []
    release = threading.Event()

    def append(entries: list[str]) -> list[str]:
        if entries == ["first"]:
            release.wait(5)  # hold the lead while the others queue
        seen.append(deadline.current())
        return entries

    group: GroupCommit[str, str] = GroupCommit(append)
    now = time.monotonic()
    first = threading.Thread(target=deadline.call_within, args=(now + 50, group.submit, ["first"]))
    first.start()
    time.sleep(0.2)
    late = [threading.Thread(target=deadline.call_within, args=(now + at, group.submit, [name]))
            for at, name in ((1.0, "near"), (100.0, "far"))]
    for t in late:
        t.start()
    time.sleep(0.2)
    release.set()
    for t in (first, *late):
        t.join(5)
    assert seen == [now + 50, now + 100]  # the second batch ("near", "far") runs within the far deadline
    deadline.call_within(None, group.submit, ["cli"])
    assert seen[-1] is None
