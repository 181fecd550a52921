"""Pure learning logic: estimates, wording equality, calibration, check derivation, naming, filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engram.cli.learning import parse_rate_filter
from engram.entities.learning import Evidence
from engram.errors import BadInputError
from engram.learning.advice import age_weight, estimates_by_action
from engram.learning.stats import calibration
from engram.learning.estimates import estimate_rate
from engram.learning.naming import check_name, pattern_name, slugify
from engram.learning.pattern_recognizer import same_wording
from engram.learning.prevention import derive_checks


def test_estimates_are_beta_posteriors_with_honest_uncertainty() -> None:
    one = estimate_rate(1, 1)
    assert one.mean == pytest.approx(2 / 3) and one.lower < 0.25 and one.upper > 0.95
    many = estimate_rate(80, 100)
    assert many.mean == pytest.approx(81 / 102) and many.upper - many.lower < 0.15
    assert estimate_rate(0, 0).mean == 0.5
    assert estimate_rate(2.5, 5).mean == pytest.approx(0.5)  # partial outcomes count as halves
    with pytest.raises(ValueError):
        estimate_rate(3, 2)


def test_evidence_is_pooled_per_action_and_ranked_by_posterior_mean() -> None:
    def ev(action: str, occurrences: int = 1) -> Evidence:
        return Evidence("m", "alice", "decision", "c", action, None, 0.9, occurrences)

    ranked = estimates_by_action([(ev("a"), 1.0), (ev("b", 4), 1.0), (ev("b"), 0.0)])
    assert [r.action for r in ranked] == ["b", "a"]
    assert ranked[0].estimate.attempts == 5 and ranked[0].estimate.successes == 4


@pytest.mark.parametrize("a, b, same", [
    ("Deadlock detected while updating the orders table", "Deadlock detected updating orders table", True),
    ("machine state register: <HEX>", "Machine State Register: <HEX>", True),
    ("PAM <NUM> more authentication failures", "PAM <NUM> more authentication failure", False),
    ("Transitioned from RUNNING to CLEANUP", "Transitioned from CLEANUP to SUCCEEDED", False),
])
def test_same_wording_ignores_case_and_filler_words_only(a: str, b: str, same: bool) -> None:
    assert same_wording(a, b) is same


def test_calibration_bins_and_brier_score() -> None:
    bins, brier = calibration([(0.9, 1.0), (0.9, 1.0), (0.1, 0.0), (0.1, 1.0)])
    assert [b.count for b in bins] == [2, 2]
    assert bins[0].observed_rate == 0.5 and bins[1].observed_rate == 1.0
    assert brier == pytest.approx((0.01 + 0.01 + 0.01 + 0.81) / 4)
    assert calibration([]) == ([], None)


def test_checks_derive_from_working_fixes_failed_fixes_and_root_causes() -> None:
    uses = [("verify-npm-cache", True), ("rerun-pipeline", False), ("rerun-pipeline", False)]
    derived = derive_checks("fp-1", uses, ["cold cache"], [])
    checks = {c.name: c for c in derived}
    assert set(checks) == {"verify-npm-cache-status", "avoid-rerun-pipeline", "guard-cold-cache"}
    assert checks["avoid-rerun-pipeline"].guards_actions == ["rerun-pipeline"]
    assert {c.pattern_id for c in derived} == {"fp-1"}
    assert derive_checks("fp-1", uses, ["cold cache"], []) == derived  # stable ids: generating twice updates


def test_names_are_readable_and_stable() -> None:
    assert pattern_name("npm-install-timeout in CI", "npm ERR! <URL>") == "npm-install-timeout"
    assert pattern_name("api-auth-timeout: login", "x") == "api-auth-timeout"
    assert pattern_name("the nightly job broke", "Connection refused by <HOST>") == "connection-refused-by"
    assert check_name("verify npm cache") == "verify-npm-cache" and check_name("raise timeout") == "ensure-raise-timeout"
    assert slugify("  Hello, World!  ") == "hello-world"


def test_success_rate_filters() -> None:
    assert parse_rate_filter(">80%") == pytest.approx(0.8)
    assert parse_rate_filter("0.75") == pytest.approx(0.75)
    assert parse_rate_filter(None) is None
    with pytest.raises(BadInputError):
        parse_rate_filter("<5%")


def test_evidence_counts_fully_for_a_day_then_halves_per_half_life() -> None:
    now = datetime.now(UTC)
    assert age_weight(now - timedelta(hours=23), now, 14) == 1.0
    assert age_weight(now - timedelta(days=14), now, 14) == pytest.approx(0.5)
    assert age_weight(now - timedelta(days=28, hours=5), now, 14) == pytest.approx(0.25)
    assert age_weight(now - timedelta(days=400), now, 0) == 1.0  # 0: ageing off
    assert age_weight(None, now, 14) == 1.0


def test_slugs_stay_short_enough_to_index() -> None:
    # A prevention text of one 8 KB word made a check id Neo4j could not index (the fuzz test found it).
    long_word, other = "x" * 8200, "x" * 8199 + "y"
    assert slugify("retry with backoff") == "retry-with-backoff"  # short slugs (and the ids built on them) unchanged
    assert len(slugify(long_word)) <= 80 and slugify(long_word) != slugify(other)
    checks = derive_checks("fp-1", [(long_word, True), (long_word, True)], [long_word], [long_word], "development")
    assert checks and all(len(c.id) < 120 for c in checks)
