"""Unit tests for signature grouping and the grouping-accuracy metric (no database)."""

from __future__ import annotations

import random
import time

import pytest

from engram.learning.grouping import SignatureGrouper, group_messages
from engram.learning.grouping_metrics import grouping_accuracy


def partition(labels: list[int]) -> set[frozenset[int]]:
    """Label-free view of a grouping: the set of member-index sets."""
    groups: dict[int, set[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(label, set()).add(index)
    return {frozenset(members) for members in groups.values()}


# --------------------------------------------------------------------- grouping


def test_same_cause_grouped_different_cause_separated() -> None:
    labels = group_messages(
        [
            "Connection timed out after 30s to db-1",
            "Connection timed out after 12s to db-7",
            "Connection refused",
            "Connection timed out after 5s to 10.0.0.3:5432",
        ]
    )
    assert labels[0] == labels[1] == labels[3]
    assert labels[2] != labels[0]


def test_typical_agent_errors_group_by_cause() -> None:
    messages = [
        "ModuleNotFoundError: No module named 'pandas'",
        "FileNotFoundError: [Errno 2] No such file or directory: '/tmp/a/out.json'",
        "ModuleNotFoundError: No module named 'requests'",
        "FileNotFoundError: [Errno 2] No such file or directory: '/home/u/x.csv'",
        "Error: connect ECONNREFUSED 127.0.0.1:5432",
        "Error: connect ECONNREFUSED 10.1.2.3:6379",
        "HTTP 503 Service Unavailable after 30s",
        "HTTP 404 Not Found",
    ]
    labels = group_messages(messages)
    assert partition(labels) == {
        frozenset({0, 2}),
        frozenset({1, 3}),
        frozenset({4, 5}),
        frozenset({6}),
        frozenset({7}),
    }


def test_optional_variable_parts_do_not_split() -> None:
    labels = group_messages(
        [
            "host.example.com:80 close, 451 bytes sent, 353 bytes received, lifetime 00:01",
            "host.example.com:80 close, 1190 bytes (1.16 KB) sent, 1671 bytes (1.63 KB) received, lifetime <1 sec",
        ]
    )
    assert labels[0] == labels[1]


def test_word_position_becomes_variable_after_enough_distinct_values() -> None:
    grouper = SignatureGrouper(min_variants=4)
    users = ["root", "git", "ftp"]
    ids = [grouper.add(f"Failed password for {u} from 1.2.3.4 port 22 ssh2") for u in users]
    assert len({grouper.resolve(i) for i in ids}) == 3  # only 3 values: still an enumeration
    grouper.add("Failed password for mysql from 1.2.3.4 port 22 ssh2")
    assert len(set(grouper.assignments())) == 1
    (template,) = grouper.groups().values()
    assert template == "Failed password for <*> from <IP> port <*>"
    # a later, unseen value joins the merged group directly
    assert grouper.add("Failed password for oracle from 5.6.7.8 port 23 ssh2") == ids[0]


def test_few_alternatives_stay_apart() -> None:
    labels = group_messages(["Changing view acls to: yarn", "Changing modify acls to: yarn"])
    assert labels[0] != labels[1]


def test_first_word_is_never_generalised() -> None:
    messages = [f"{key} set to {n}" for n, key in enumerate(["tickTime", "maxTimeout", "minTimeout", "purgeInterval", "snapCount"])]
    assert len(set(group_messages(messages))) == 5
    one_word = ["LOOKING", "FOLLOWING", "LEADING", "OBSERVING", "SHUTDOWN"]
    assert len(set(group_messages(one_word))) == 5
    assert len(set(group_messages(messages, fixed_prefix=0))) == 1


def test_deterministic_and_order_independent_partition() -> None:
    messages = [
        f"{verb} {user} from 10.0.{i}.1 after {i}ms"
        for i, (verb, user) in enumerate(
            [("Accepted", u) for u in ["alice", "bob", "carol", "dave", "erin"]]
            + [("Rejected", u) for u in ["alice", "bob"]]
        )
    ] * 3
    first = group_messages(messages)
    assert group_messages(messages) == first
    order = list(range(len(messages)))
    random.Random(7).shuffle(order)
    shuffled = group_messages([messages[i] for i in order])
    unshuffled = [0] * len(messages)
    for position, original in enumerate(order):
        unshuffled[original] = shuffled[position]
    assert partition(unshuffled) == partition(first)


def test_online_ids_resolve_to_final_groups() -> None:
    grouper = SignatureGrouper(min_variants=2)
    a = grouper.add("Invalid user alice from 1.2.3.4")
    b = grouper.add("Unknown table orders in query")
    c = grouper.add("Unknown table users in query")
    assert grouper.resolve(a) == a
    assert grouper.resolve(b) == grouper.resolve(c) == b
    assert grouper.assignments() == [a, b, b]
    assert set(grouper.groups()) == {a, b}
    assert grouper.sizes() == {a: 1, b: 2}


def test_find_does_not_record() -> None:
    grouper = SignatureGrouper()
    gid = grouper.add("disk full on /dev/sda1")
    assert grouper.find("disk full on /dev/sdb2") == gid
    assert grouper.find("out of memory") is None
    assert grouper.sizes() == {gid: 1}


def test_embedding_hook_merge_pairs_and_similar() -> None:
    messages = ["Connection refused by peer", "ECONNREFUSED", "Disk quota exceeded"]
    assert len(set(group_messages(messages))) == 3
    merged = group_messages(messages, merge_pairs=[(0, 1)])
    assert merged[0] == merged[1] != merged[2]

    def similar(a: str, b: str) -> bool:
        return {"refused" in a.lower(), "refused" in b.lower()} == {True}

    via_similar = group_messages(messages, similar=similar)
    assert via_similar[0] == via_similar[1] != via_similar[2]

    online = SignatureGrouper(similar=similar)
    first = online.add("Connection refused by peer")
    assert online.add("ECONNREFUSED") == first
    assert online.add("Disk quota exceeded") != first


def test_invalid_parameters() -> None:
    with pytest.raises(ValueError):
        SignatureGrouper(min_variants=1)
    with pytest.raises(ValueError):
        SignatureGrouper(fixed_prefix=-1)


def test_two_thousand_lines_well_under_a_second() -> None:
    rng = random.Random(0)
    templates = [
        "Received block blk_{} of size {} from /10.0.{}.{}",
        "PacketResponder {} for block blk_{} terminating",
        "Failed password for invalid user u{} from 10.1.{}.{} port {} ssh2",
        "Timeout of {}ms exceeded while calling svc-{}",
    ]
    messages = [
        rng.choice(templates).format(*(rng.randint(0, 99999) for _ in range(4))) for _ in range(2000)
    ]
    start = time.perf_counter()
    labels = group_messages(messages)
    assert time.perf_counter() - start < 1.0
    assert len(set(labels)) == len(templates)


# ----------------------------------------------------------------------- metric


def test_metric_perfect_and_label_agnostic() -> None:
    truth = ["A", "A", "B", "C", "C"]
    assert grouping_accuracy([7, 7, 3, 9, 9], truth) == 1.0


def test_metric_over_merging_fails_both_groups() -> None:
    # predicted group {0,1,2} != {0,1} and != {2}: all three are wrong
    assert grouping_accuracy([1, 1, 1, 2], ["A", "A", "B", "C"]) == pytest.approx(1 / 4)


def test_metric_over_splitting_fails_whole_group() -> None:
    # truth A = {0,1,2}; predicted splits it, so none of A's messages count
    assert grouping_accuracy([1, 1, 2, 3], ["A", "A", "A", "B"]) == pytest.approx(1 / 4)


def test_metric_exact_membership_rule() -> None:
    # message 2 is in a group of the right size but with the wrong member
    predicted = [1, 1, 2, 2, 3]
    truth = ["A", "A", "B", "C", "C"]
    assert grouping_accuracy(predicted, truth) == pytest.approx(2 / 5)


def test_metric_edge_cases() -> None:
    assert grouping_accuracy([], []) == 0.0
    with pytest.raises(ValueError):
        grouping_accuracy([1], [1, 2])
