"""Whether a prevention check helps: its record, and the rule that keeps, promotes or retires it.

A check is shown when check_action (or execute_with_memory) returns it; the answer carries a token,
and the decision the agent then records for that action carries the token back (within
ENGRAM_CHECK_TOKEN_TTL_HOURS; analysis then deletes the showing, and the record keeps the agent's count of
showings and the decision's link to each check shown). The decision
followed the check when it took the action the check asks for (or avoided the actions it guards;
a check that names only a step counts as followed when the decision says so), and ignored it
otherwise. "Before" is the outcomes in its contexts before it was first acted on: the decisions of
similar contexts that the evidence held when the check was shown to an agent that had not acted on it
yet, older than the first decision taken with it in view. Every count is over the decisions the caller may see (storage applies the
visibility rule), so an agent's record of a check is its own view, and nobody can write into
another agent's: a decision links only to a showing of its own agent.

The rule compares the failure rate of decisions that followed the check with that of the control —
the decisions that ignored it or came before it — as the difference of two Beta posteriors
(normal approximation, as the decision tree's split test in learning/branches.py):

- promoted: following it lowers failures credibly (one-sided, level ALPHA);
- retired: the evidence rules out the reduction a check is for — even the optimistic end of the
  difference (one-sided, level ALPHA) is below MIN_REDUCTION of the control's failure rate. A check
  that makes things worse is retired the same way, once that is credible;
- trial otherwise (too little evidence either way): still shown.

MIN_REDUCTION is a policy, not a fit: a check costs the agent an action it would not have chosen, so it
must be able to cut its context's failures by at least a quarter to be worth showing. ALPHA is the
same 5% as the decision tree's.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from scipy.stats import norm

from engram.entities.learning import CheckRecord, CheckStatus, PreventionCheck
from engram.learning.estimates import estimate_rate

ALPHA = 0.05
MIN_REDUCTION = 0.25


@dataclass(frozen=True)
class RecordCounts:
    """Raw counts behind a CheckRecord: (successes, attempts) where successes sum outcome quality."""

    shown: int = 0
    followed: tuple[float, float] = (0.0, 0.0)
    ignored: tuple[float, float] = (0.0, 0.0)
    before: tuple[float, float] = (0.0, 0.0)

    def record(self) -> CheckRecord:
        return CheckRecord(self.shown, estimate_rate(*self.followed), estimate_rate(*self.ignored),
                           estimate_rate(*self.before))


def _failure_posterior(successes: float, attempts: float) -> tuple[float, float]:
    """Mean and variance of the failure rate's Beta(1 + f, 1 + n - f) posterior."""
    a, b = 1.0 + attempts - successes, 1.0 + successes
    return a / (a + b), a * b / ((a + b) ** 2 * (a + b + 1))


def reduction_bounds(record: CheckRecord) -> tuple[float, float, float] | None:
    """(control failure rate, lower, upper one-sided ALPHA bounds of control minus followed failure rate);
    None without followed or control outcomes."""
    followed = (record.followed.successes, record.followed.attempts)
    control = (record.ignored.successes + record.before.successes, record.ignored.attempts + record.before.attempts)
    if followed[1] <= 0 or control[1] <= 0:
        return None
    (mf, vf), (mc, vc) = _failure_posterior(*followed), _failure_posterior(*control)
    z = float(norm.ppf(1 - ALPHA))
    sd = math.sqrt(vf + vc)
    return mc, mc - mf - z * sd, mc - mf + z * sd


def judge(record: CheckRecord | None) -> CheckStatus:
    bounds = reduction_bounds(record) if record is not None else None
    if bounds is None:
        return CheckStatus.trial
    control, lower, upper = bounds
    if lower > 0:
        return CheckStatus.promoted
    if upper < MIN_REDUCTION * control:
        return CheckStatus.retired
    return CheckStatus.trial


def explain(check: PreventionCheck) -> str:
    """One line on the record behind a check's status."""
    r = check.record
    if r is None:
        return "not shown yet"
    def rate(e) -> str:  # noqa: E306
        return f"{1 - e.successes / e.attempts:.0%} failed of {e.attempts:g}" if e.attempts else "none"
    return (f"shown {r.shown}; followed: {rate(r.followed)}; ignored: {rate(r.ignored)}; "
            f"before: {rate(r.before)} → {check.status.value}")


def with_records(checks: list[PreventionCheck], counts: dict[str, RecordCounts]) -> list[PreventionCheck]:
    """The checks with their records and statuses, promoted first, retired last (stable otherwise)."""
    for check in checks:
        found = counts.get(check.id)
        check.record = found.record() if found is not None else None
        check.status = judge(check.record)
    order = {CheckStatus.promoted: 0, CheckStatus.trial: 1, CheckStatus.retired: 2}
    return sorted(checks, key=lambda c: order[c.status])


def counts_from_rows(rows: list[dict], agent_id: str | None) -> tuple[dict[str, RecordCounts], dict[str, list[str]]]:
    """RecordCounts per check from storage's rows (LearningRepository.check_record_rows: the showings the caller
    sees, the decisions it sees that acted on them, the decisions before), and the other agents' decisions they
    were computed from (owner -> ids: what reading the records is audited as)."""
    counts: dict[str, RecordCounts] = {}
    others: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        check_id = row["check_id"]
        acted: dict[tuple[str, str], tuple[bool, float]] = {}
        for d in row["acted"]:
            acted[(d["agent_id"], d["id"])] = (
                followed(list(d["guards"] or []), d["better"], d["action"] or "", check_id in (d["declared"] or [])),
                float(d["quality"]))
        before = {(b["agent_id"], b["id"]): float(b["quality"]) for b in row["before"]}
        before = {key: q for key, q in before.items() if key not in acted}
        outcomes = {flag: [q for f, q in acted.values() if f is flag] for flag in (True, False)}
        counts[check_id] = RecordCounts(int(row["shown"]), (sum(outcomes[True]), len(outcomes[True])),
                                        (sum(outcomes[False]), len(outcomes[False])),
                                        (sum(before.values()), len(before)))
        for owner, memory_id in (*acted.keys(), *before.keys()):
            if agent_id is None or owner != agent_id:
                others[owner].add(memory_id)
    return counts, {owner: sorted(ids) for owner, ids in others.items()}


def followed(check_guards: list[str], check_better: str | None, action: str, declared: bool) -> bool:
    """Whether a decision taking `action` followed a check (the same rule the storage query applies)."""
    if check_guards or check_better:
        return action not in check_guards and (check_better is None or action == check_better)
    return declared
