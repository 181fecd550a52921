"""Prevention checks derived from a failure pattern: fixes that worked, fixes that did not, root causes,
and the strategies agents reported. Deriving is a pure function of the evidence, so the same rule
renders a caller's checks from the failures it may see (learning/views.py) and stores the checks of
recurring patterns for operators (`engram prevention generate|list`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from engram.entities.learning import PreventionCheck
from engram.errors import BadInputError, NotFoundError
from engram.learning.estimates import estimate_rate
from engram.learning.naming import check_name, slugify
from engram.storage.learning import LearningRepository

WORKFLOW_STAGES = ("planning", "development", "review", "testing", "deployment", "operations")
DEFAULT_STAGE = "development"
# Sources of checks derived from the evidence (derive_checks); "reported" ones come from agents.
DERIVED_SOURCES = ["solution", "failed-fix", "cause", "root-cause"]


def derive_checks(pattern_id: str, uses: Iterable[tuple[str, bool]], root_causes: Iterable[str],
                  strategies: Iterable[str], stage: str | None = None,
                  causes: Iterable[str] = ()) -> list[PreventionCheck]:
    """Checks from a pattern's evidence: (fix, worked) uses, root causes, reported strategies, and the
    actions that raised its failures (`causes`, one per failure that names it). Ids are stable, so deriving
    twice gives the same checks. Each names the step it asks for and, where there is one, the better action:
    the fix that worked best."""
    pid = pattern_id
    outcomes_by_fix: dict[str, list[bool]] = defaultdict(list)
    for description, worked in uses:
        if description:
            outcomes_by_fix[description].append(bool(worked))
    working = sorted(((estimate_rate(sum(o), len(o)), fix) for fix, o in outcomes_by_fix.items()
                      if sum(o) >= 1 and estimate_rate(sum(o), len(o)).mean >= 0.5),
                     key=lambda t: (-t[0].mean, -t[0].attempts, t[1]))
    checks = []
    raised: dict[str, int] = defaultdict(int)
    for action in causes:
        if action:
            raised[action] += 1
    for action, count in sorted(raised.items()):
        if count < 2:
            continue
        better = next((fix for est, fix in working if fix != action), None)
        instead = (f"; {better} resolved it {_resolved(outcomes_by_fix[better])} — do that instead"
                   if better else "; prefer another action")
        checks.append(PreventionCheck(
            id=f"chk-{pid}-raised-by-{slugify(action, 6)}", pattern_id=pid, name=f"avoid-{slugify(action, 6)}",
            source="cause", guards_actions=[action], stage=stage, better_action=better,
            step=f"do {better} instead of {action}" if better else f"do not {action} here",
            description=f"{action} raised {pid} {count} times in these contexts{instead}."))
    for description, outcomes in sorted(outcomes_by_fix.items()):
        est = estimate_rate(sum(outcomes), len(outcomes))
        if est.mean >= 0.5 and sum(outcomes) >= 1:
            name = check_name(description)
            if not name.endswith(("status", "state")) and name.startswith(("verify", "check")):
                name += "-status"
            checks.append(PreventionCheck(
                id=f"chk-{pid}-{slugify(description, 6)}", pattern_id=pid, name=name, source="solution", stage=stage,
                step=description, better_action=description,
                description=f"Before acting, {description.replace('-', ' ')}: it resolved {pid} "
                            f"{sum(outcomes)} of {len(outcomes)} times ({est.describe()})."))
        elif len(outcomes) - sum(outcomes) >= 2:
            better = next((fix for _, fix in working if fix != description), None)
            checks.append(PreventionCheck(
                id=f"chk-{pid}-avoid-{slugify(description, 6)}", pattern_id=pid, name=f"avoid-{slugify(description, 6)}",
                source="failed-fix", guards_actions=[description], stage=stage, better_action=better,
                step=f"do {better} instead of {description}" if better else f"do not {description} here",
                description=f"{description} did not resolve {pid} in {len(outcomes) - sum(outcomes)} of "
                            f"{len(outcomes)} attempts; prefer a fix that worked."))
    for cause in sorted({c for c in root_causes if c}):
        checks.append(PreventionCheck(id=f"chk-{pid}-cause-{slugify(cause, 6)}", pattern_id=pid,
                                      name=f"guard-{slugify(cause, 5)}", source="root-cause", stage=stage,
                                      step=f"rule out: {cause}",
                                      description=f"Known root cause of {pid}: {cause}. Rule it out first."))
    for strategy in sorted({s for s in strategies if s}):
        checks.append(PreventionCheck(id=f"chk-{pid}-{slugify(strategy, 5)}", pattern_id=pid,
                                      name=check_name(strategy), source="reported", stage=stage, step=strategy,
                                      description=strategy))
    return checks


def _resolved(outcomes: list[bool]) -> str:
    return f"{sum(outcomes)} of {len(outcomes)} times"


def _profile_checks(repository: LearningRepository, pattern_id: str, stage: str) -> list[PreventionCheck]:
    profile = repository.pattern_profile(pattern_id)
    if profile is None:
        raise NotFoundError(f"No failure pattern {pattern_id!r} (see `engram learning patterns --type failure`).")
    uses = [(u["description"], bool(u["worked"])) for u in profile["uses"] if u and u.get("description")]
    return derive_checks(pattern_id, uses, profile["root_causes"], profile["strategies"], stage,
                         profile.get("causes") or [])


def generate_checks(repository: LearningRepository, pattern_id: str, stage: str = "development") -> list[PreventionCheck]:
    """Operators: derive a pattern's checks from all its failures and store them in a workflow stage."""
    if stage not in WORKFLOW_STAGES:
        raise BadInputError(f"Unknown workflow stage {stage!r}; use one of {', '.join(WORKFLOW_STAGES)}.")
    checks = _profile_checks(repository, pattern_id, stage)
    if not checks:
        raise BadInputError(f"Pattern {pattern_id} has no solutions, failed fixes or root causes to derive checks from yet.")
    return _replace_checks(repository, pattern_id, stage, checks)


def _replace_checks(repository: LearningRepository, pattern_id: str, stage: str,
                    checks: Sequence[PreventionCheck]) -> list[PreventionCheck]:
    """Save the derived checks and drop the derived ones the evidence no longer supports (a fix that
    stopped working must not keep being recommended)."""
    repository.prune_checks(pattern_id, DERIVED_SOURCES, [c.id for c in checks])
    return repository.save_checks(pattern_id, stage, checks) if checks else []


def refresh_recurring_checks(repository: LearningRepository) -> int:
    """Derive the checks of every recurring pattern again (the periodic analysis calls this), in the
    stage its checks already have, else DEFAULT_STAGE. Returns how many checks there are now."""
    total = 0
    for row in repository.recurring_patterns():
        stage = row["stage"] or DEFAULT_STAGE
        if repository.pattern_profile(row["pattern_id"]) is not None:
            total += len(_replace_checks(repository, row["pattern_id"], stage,
                                         _profile_checks(repository, row["pattern_id"], stage)))
    return total
