"""Prevention checks derived from a failure pattern: fixes that worked, fixes that did not, root causes."""

from __future__ import annotations

from collections import defaultdict

from engram.errors import BadInputError, NotFoundError
from engram.learning.estimates import estimate_rate
from engram.learning.naming import check_name, slugify
from engram.storage.learning import LearningRepository

WORKFLOW_STAGES = ("planning", "development", "review", "testing", "deployment", "operations")
DEFAULT_STAGE = "development"
# Sources of checks derived from the evidence (derive_checks); "reported" ones come from agents.
DERIVED_SOURCES = ["solution", "failed-fix", "root-cause"]


def derive_checks(profile: dict) -> list[dict]:
    """Checks from a pattern profile (prevention/pattern_profile.cypher); ids are stable, so
    generating twice updates the same checks instead of adding new ones."""
    pattern = profile["pattern"]
    pid = pattern["id"]
    uses: dict[str, list[bool]] = defaultdict(list)
    for use in profile["uses"]:
        if use and use.get("description"):
            uses[use["description"]].append(bool(use["worked"]))
    checks = []
    for description, outcomes in sorted(uses.items()):
        est = estimate_rate(sum(outcomes), len(outcomes))
        if est.mean >= 0.5 and sum(outcomes) >= 1:
            name = check_name(description)
            if not name.endswith(("status", "state")) and name.startswith(("verify", "check")):
                name += "-status"
            checks.append({
                "id": f"chk-{pid}-{slugify(description, 6)}", "name": name, "source": "solution",
                "description": f"Before acting, {description.replace('-', ' ')}: it resolved {pid} "
                               f"{sum(outcomes)} of {len(outcomes)} times ({est.describe()}).",
                "guards_actions": [],
            })
        elif len(outcomes) - sum(outcomes) >= 2:
            checks.append({
                "id": f"chk-{pid}-avoid-{slugify(description, 6)}", "name": f"avoid-{slugify(description, 6)}",
                "source": "failed-fix", "guards_actions": [description],
                "description": f"{description} did not resolve {pid} in {len(outcomes) - sum(outcomes)} of "
                               f"{len(outcomes)} attempts; prefer a fix that worked.",
            })
    for cause in sorted(c for c in profile["root_causes"] if c):
        checks.append({"id": f"chk-{pid}-cause-{slugify(cause, 6)}", "name": f"guard-{slugify(cause, 5)}",
                       "source": "root-cause", "guards_actions": [],
                       "description": f"Known root cause of {pid}: {cause}. Rule it out first."})
    for strategy in sorted(s for s in profile["strategies"] if s):
        checks.append({"id": f"chk-{pid}-{slugify(strategy, 5)}", "name": check_name(strategy),
                       "source": "reported", "guards_actions": [], "description": strategy})
    return checks


def generate_checks(repository: LearningRepository, pattern_id: str, stage: str = "development") -> list[dict]:
    if stage not in WORKFLOW_STAGES:
        raise BadInputError(f"Unknown workflow stage {stage!r}; use one of {', '.join(WORKFLOW_STAGES)}.")
    profile = repository.pattern_profile(pattern_id)
    if profile is None:
        raise NotFoundError(f"No failure pattern {pattern_id!r} (see `engram learning patterns --type failure`).")
    checks = derive_checks(profile)
    if not checks:
        raise BadInputError(f"Pattern {pattern_id} has no solutions, failed fixes or root causes to derive checks from yet.")
    return _replace_checks(repository, pattern_id, stage, checks)


def _replace_checks(repository: LearningRepository, pattern_id: str, stage: str, checks: list[dict]) -> list[dict]:
    """Save the derived checks and drop the derived ones the evidence no longer supports (a fix that
    stopped working must not keep being recommended)."""
    repository.prune_checks(pattern_id, DERIVED_SOURCES, [c["id"] for c in checks])
    return repository.save_checks(pattern_id, stage, checks) if checks else []


def refresh_recurring_checks(repository: LearningRepository) -> int:
    """Derive the checks of every recurring pattern again (the periodic analysis calls this), in the
    stage its checks already have, else DEFAULT_STAGE. Returns how many checks there are now."""
    total = 0
    for row in repository.recurring_patterns():
        profile = repository.pattern_profile(row["pattern_id"])
        if profile is not None:
            total += len(_replace_checks(repository, row["pattern_id"], row["stage"] or DEFAULT_STAGE,
                                         derive_checks(profile)))
    return total
