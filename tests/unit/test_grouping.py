"""Unit tests for template grouping and the grouping-accuracy metric (no database)."""

from __future__ import annotations

import random
import string

import pytest

from engram.learning.grouping import group_messages, learn_groups, skeleton
from engram.learning.grouping_metrics import grouping_accuracy
from tests.synthetic_logs import synthetic_system


def partition(labels: list[int]) -> set[frozenset[int]]:
    """Label-free view of a grouping: the set of member-index sets."""
    groups: dict[int, set[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(label, set()).add(index)
    return {frozenset(members) for members in groups.values()}


# --------------------------------------------------------------------- skeleton


def test_skeleton_keeps_words_and_folds_values() -> None:
    assert skeleton("Received block blk_-562725 of size 67108864 from /10.250.19.102") == (
        "Received", "block", "<*>", "of", "size", "<*>", "from", "<*>")
    assert skeleton("sent 1190 bytes (1.16 KB), took 5ms") == ("sent", "<*>", "took", "<*>")
    assert skeleton("user=alice retries=3") == ("user", "alice", "retries", "<*>")
    assert skeleton("--- ...") == ()


# --------------------------------------------------------------------- grouping


def test_same_cause_grouped_different_cause_separated() -> None:
    labels = group_messages([
        "Connection timed out after 30s to db-1",
        "Connection timed out after 12s to db-7",
        "Connection refused",
        "Connection timed out after 5s to 10.0.0.3:5432",
    ])
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
    assert partition(group_messages(messages)) == {
        frozenset({0, 2}), frozenset({1, 3}), frozenset({4, 5}), frozenset({6}), frozenset({7}),
    }


def test_optional_variable_parts_do_not_split() -> None:
    labels = group_messages([
        "host.example.com:80 close, 451 bytes sent, 353 bytes received, lifetime 00:01",
        "host.example.com:80 close, 1190 bytes (1.16 KB) sent, 1671 bytes (1.63 KB) received, lifetime <1 sec",
    ])
    assert labels[0] == labels[1]


def test_word_position_becomes_variable_after_enough_distinct_values() -> None:
    line = "Failed password for {} from 1.2.3.4 port 22 ssh2"
    three = [line.format(u) for u in ["root", "git", "ftp"]]
    assert len(set(group_messages(three, min_variants=4))) == 3  # only 3 values: an enumeration
    four = [*three, line.format("mysql")]
    grouping = learn_groups(four, min_variants=4)
    assert set(grouping.labels) == {0}
    assert grouping.templates == {0: "Failed password for <*> from <*> port <*>"}
    assert grouping.sizes() == {0: 4}


def test_few_alternatives_stay_apart() -> None:
    labels = group_messages(["Changing view acls to: yarn", "Changing modify acls to: yarn"] * 20)
    assert len(set(labels)) == 2


def test_leading_word_learned_either_way() -> None:
    """No position is special: a first word is a variable or a template word depending on the data."""
    keys = ["tickTime", "maxTimeout", "minTimeout", "purgeInterval", "snapCount"]
    settings = [f"{key} set to {n}" for n, key in enumerate(keys)]
    assert len(set(group_messages(settings))) == 5
    programs = [f"{name}.exe - connection opened" for name in string.ascii_lowercase[:8]]
    assert len(set(group_messages(programs))) == 1


def test_common_words_do_not_hide_a_rarer_template() -> None:
    """Two templates of one length sharing most words: the frequent one's word counts differ."""
    frequent = [f"task {i} finished in queue alpha" for i in range(50)]
    rare = [f"task {i} vanished from queue alpha" for i in range(3)]
    labels = group_messages(frequent + rare)
    assert partition(labels) == {frozenset(range(50)), frozenset(range(50, 53))}


def test_variable_found_above_stays_variable_below() -> None:
    messages = [f"job {verb} by {user}" for verb in ("started", "stopped") for user in
                ("ann", "bob", "cid", "dan", "eve", "fay", "gus")]
    # the user position (7 values) is a variable; splitting by the verb must not re-split it
    assert len(set(group_messages(messages * 3))) == 2


def test_deterministic_and_order_independent_partition() -> None:
    messages = [
        f"{verb} {user} from 10.0.{i}.1 after {i}ms"
        for i, (verb, user) in enumerate(
            [("Accepted", u) for u in ["alice", "bob", "carol", "dave", "erin", "frank", "gina"]]
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


def test_invalid_parameters() -> None:
    with pytest.raises(ValueError):
        group_messages(["x"], min_variants=1)


def test_empty_and_value_only_messages() -> None:
    assert group_messages([]) == []
    labels = group_messages(["", "42", "0x1f", "---"])
    assert labels[1] == labels[2]  # both are one value


# ------------------------------------------- a log system the design never saw


@pytest.mark.parametrize("seed", [11, 23, 37, 41, 59])
def test_groups_a_generated_system_it_never_saw(seed: int) -> None:
    messages, truth = synthetic_system(seed)
    accuracy = grouping_accuracy(group_messages(messages), truth)
    assert accuracy >= 0.9, accuracy


def test_generated_system_scores_low_when_values_are_not_learned() -> None:
    """The check above can fail: treating every distinct message as its own group scores far lower."""
    messages, truth = synthetic_system(11)
    assert grouping_accuracy(list(range(len(messages))), truth) < 0.2


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
