"""The record of a prevention check and the rule that keeps, promotes or retires it (pure logic)."""

from __future__ import annotations

import pytest

from engram.entities.learning import ActionCheck, CheckStatus, PreventionCheck, Verdict
from engram.learning.check_records import (
    MIN_REDUCTION, RecordCounts, counts_from_rows, followed, judge, reduction_bounds, with_records,
)
from engram.learning.prevention import derive_checks
from engram.learning.tasks import apply_check


def record(followed_: tuple[float, float] = (0, 0), ignored: tuple[float, float] = (0, 0),
           before: tuple[float, float] = (0, 0)):
    """Counts given as (successes, attempts)."""
    return RecordCounts(shown=int(followed_[1] + ignored[1]), followed=followed_, ignored=ignored,
                        before=before).record()


def test_without_followed_or_control_outcomes_a_check_stays_on_trial() -> None:
    assert judge(None) is CheckStatus.trial
    assert judge(record(before=(5, 20))) is CheckStatus.trial        # shown, never followed yet
    assert judge(record(followed_=(9, 10))) is CheckStatus.trial     # nothing to compare with


def test_a_check_whose_followers_fail_credibly_less_is_promoted() -> None:
    # Before: 14 of 20 failed; followed: 2 of 15 failed.
    assert judge(record(followed_=(13, 15), before=(6, 20))) is CheckStatus.promoted
    # Ignoring it counts as control too: 8 of 10 who ignored it failed.
    assert judge(record(followed_=(13, 15), ignored=(2, 10))) is CheckStatus.promoted


def test_little_evidence_either_way_keeps_a_check_on_trial() -> None:
    assert judge(record(followed_=(2, 3), before=(1, 3))) is CheckStatus.trial
    assert judge(record(followed_=(1, 3), before=(2, 3))) is CheckStatus.trial


def test_a_check_that_does_not_help_is_retired_once_the_evidence_rules_out_a_useful_reduction() -> None:
    # Followers fail as often as before (60%): with few outcomes that is not yet credible ...
    assert judge(record(followed_=(4, 10), before=(4, 10))) is CheckStatus.trial
    # ... with many it is: even optimistically the reduction is below MIN_REDUCTION of the failure rate.
    many = record(followed_=(40, 100), before=(40, 100))
    control, _, upper = reduction_bounds(many)
    assert upper < MIN_REDUCTION * control
    assert judge(many) is CheckStatus.retired
    # A check that makes things worse is retired sooner.
    assert judge(record(followed_=(1, 12), before=(8, 12))) is CheckStatus.retired


def test_the_rule_does_not_depend_on_how_the_control_splits_between_ignored_and_before() -> None:
    a = record(followed_=(13, 15), ignored=(3, 10), before=(3, 10))
    b = record(followed_=(13, 15), before=(6, 20))
    assert judge(a) is judge(b) is CheckStatus.promoted
    assert reduction_bounds(a) == pytest.approx(reduction_bounds(b))


def test_records_order_checks_promoted_first_and_retired_last() -> None:
    checks = [PreventionCheck(id=i, pattern_id="fp", name=i, description="", source="cause") for i in ("a", "b", "c")]
    ordered = with_records(checks, {"a": RecordCounts(10, (1, 12), (0, 0), (8, 12)),
                                    "c": RecordCounts(10, (13, 15), (0, 0), (6, 20))})
    assert [(c.id, c.status) for c in ordered] == [("c", CheckStatus.promoted), ("b", CheckStatus.trial),
                                                   ("a", CheckStatus.retired)]


def test_a_decision_follows_a_check_by_its_action_or_by_saying_so_for_a_step() -> None:
    assert followed(["apply-directly"], "online-change", "online-change", declared=False)
    assert not followed(["apply-directly"], "online-change", "apply-directly", declared=True)
    assert not followed(["apply-directly"], "online-change", "maintenance-window", declared=False)
    assert followed(["apply-directly"], None, "maintenance-window", declared=False)
    assert followed([], None, "anything", declared=True) and not followed([], None, "anything", declared=False)


def test_counts_come_from_the_visible_rows_and_a_decision_counts_once() -> None:
    guard = {"guards": ["apply-directly"], "better": "online-change", "declared": []}
    acted = [{"showing": "s1", "id": "d10", "agent_id": "alice", "action": "online-change", "quality": 1.0, **guard},
             {"showing": "s2", "id": "d11", "agent_id": "bob", "action": "apply-directly", "quality": 0.0, **guard},
             {"showing": "s3", "id": "d11", "agent_id": "bob", "action": "apply-directly", "quality": 0.0, **guard}]
    before = [{"id": "d1", "agent_id": "alice", "quality": 0.0}, {"id": "d2", "agent_id": "bob", "quality": 1.0},
              {"id": "d10", "agent_id": "alice", "quality": 1.0}]  # acted on it: not "before"
    counts, others = counts_from_rows([{"check_id": "chk", "shown": 3, "acted": acted, "before": before}], "alice")
    c = counts["chk"]
    assert c.shown == 3
    assert c.followed == (1.0, 1) and c.ignored == (0.0, 1) and c.before == (1.0, 2)
    assert others == {"bob": ["d11", "d2"]}  # other agents' decisions it was computed from: audited
    step = {"showing": "s4", "id": "d12", "agent_id": "alice", "action": "x", "quality": 1.0, "guards": [],
            "better": None, "declared": ["chk"]}
    counts, others = counts_from_rows([{"check_id": "chk", "shown": 1, "acted": [step], "before": []}], None)
    assert counts["chk"].followed == (1.0, 1) and others == {"alice": ["d12"]}


def test_a_cause_check_guards_the_action_that_raised_the_pattern_and_names_the_fix_that_worked() -> None:
    checks = derive_checks("fp-1", [("online-change", True), ("online-change", True), ("retry", False)], [], [],
                           causes=["apply-directly", "apply-directly", "apply-directly", "retry"])
    cause = next(c for c in checks if c.source == "cause")
    assert cause.guards_actions == ["apply-directly"] and cause.better_action == "online-change"
    assert cause.step == "do online-change instead of apply-directly"
    assert "apply-directly raised fp-1 3 times" in cause.description
    assert not any(c.source == "cause" and "retry" in c.guards_actions for c in checks)  # raised it once only
    solution = next(c for c in checks if c.source == "solution")
    assert solution.better_action == "online-change" and solution.step == "online-change"
    assert derive_checks("fp-1", [], [], [], causes=["x", "x"])[0].step == "do not x here"


def _check(guards: list[str], better: str | None, verdict: Verdict = Verdict.warn) -> ActionCheck:
    shown = [PreventionCheck(id="chk", pattern_id="fp", name="avoid", description="", source="cause",
                             guards_actions=guards, better_action=better)]
    return ActionCheck(verdict, "apply-directly", [], checks=shown, better_action=better)


def test_execute_with_memory_applies_a_guarding_check_when_the_task_offers_its_better_action() -> None:
    assert apply_check("apply-directly", _check(["apply-directly"], "online-change"), ()) == "online-change"
    assert apply_check("apply-directly", _check(["apply-directly"], "online-change"),
                       ["apply-directly", "online-change"]) == "online-change"
    assert apply_check("apply-directly", _check(["apply-directly"], "online-change"), ["apply-directly"]) \
        == "apply-directly"
    assert apply_check("apply-directly", _check(["other"], "online-change"), ()) == "apply-directly"
    assert apply_check("apply-directly", _check([], "online-change", Verdict.block), ()) == "online-change"
