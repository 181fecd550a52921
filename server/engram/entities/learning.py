"""Learning entities: estimates with their uncertainty, suggestions, patterns, checks and tasks."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class RateEstimate:
    """A success rate estimated from `successes` (outcome quality summed) in `attempts`, with a
    Beta(1 + s, 1 + n − s) posterior: `mean` is the point estimate, [lower, upper] its 90% interval."""

    successes: float
    attempts: float
    mean: float
    lower: float
    upper: float

    def describe(self) -> str:
        return f"{self.mean:.0%} (90% CI {self.lower:.0%}–{self.upper:.0%}), {self.attempts:g} attempts"


@dataclass(frozen=True)
class Evidence:
    memory_id: str
    agent_id: str
    kind: str
    context: str
    action: str
    outcome: str | None
    similarity: float
    occurrences: int = 1
    owned: bool = True
    weight: float = 1.0  # how much it counts (1: fully; less the older it is, see learning/advice.py)
    facts: dict[str, str | float] = field(default_factory=dict)  # structured facts recorded with it


@dataclass
class ActionEstimate:
    action: str
    estimate: RateEstimate
    agents: list[str]
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(frozen=True)
class DecisionBranch:
    """The branch of a decision tree a context falls in (learning/branches.py): the conditions on the
    context's details that lead to it, the evidence inside it, and the credible difference behind the
    last split. No conditions: the whole pool of similar contexts."""

    conditions: tuple[str, ...] = ()
    evidence: int = 0
    why: str = ""

    def describe(self) -> str:
        return "contexts " + " and ".join(self.conditions) if self.conditions else "all similar contexts"


@dataclass
class Suggestion:
    context: str
    actions: list[ActionEstimate]
    recommended: str | None
    explore: str | None
    rationale: str
    branch: DecisionBranch | None = None


@dataclass(frozen=True)
class Prediction:
    context: str
    action: str
    probability: float
    lower: float
    upper: float
    attempts: float
    branch: DecisionBranch | None = None


class Verdict(str, enum.Enum):
    allow = "allow"
    warn = "warn"
    block = "block"


@dataclass
class ActionCheck:
    verdict: Verdict
    action: str
    reasons: list[str]
    evidence: list[Evidence] = field(default_factory=list)
    checks: list[PreventionCheck] = field(default_factory=list)
    better_action: str | None = None
    branch: DecisionBranch | None = None
    # The showing of these checks (learning/check_records.py): pass it with the decision taken for this action.
    token: str | None = None


@dataclass
class DecisionRecord:
    memory_id: str
    template_id: str
    action: str
    branch: RateEstimate
    new_template: bool
    informed_by: list[str]


@dataclass
class SolutionView:
    id: str
    description: str
    pattern_id: str
    estimate: RateEstimate
    agents: list[str]


@dataclass(frozen=True)
class CheckRecord:
    """What happened around one prevention check, over the decisions the caller may see: how often it was
    shown, the outcomes of decisions that followed it and of those that ignored it when shown, and the
    outcomes in its contexts before it was first acted on (learning/check_records.py)."""

    shown: int
    followed: RateEstimate
    ignored: RateEstimate
    before: RateEstimate


class CheckStatus(str, enum.Enum):
    trial = "trial"          # not enough evidence either way: shown
    promoted = "promoted"    # following it credibly lowers failures: shown first, a guard blocks
    retired = "retired"      # credibly does not help: no longer shown


@dataclass
class PreventionCheck:
    """A check that prevents a failure pattern, as the caller sees it (derived from its visible failures).
    `step` is what it asks the agent to do; `better_action` the action it asks for instead, if any."""

    id: str
    pattern_id: str
    name: str
    description: str
    source: str  # solution | failed-fix | cause | root-cause | reported
    guards_actions: list[str] = field(default_factory=list)
    stage: str | None = None
    step: str = ""
    better_action: str | None = None
    record: CheckRecord | None = None
    status: CheckStatus = CheckStatus.trial


@dataclass
class FailureLearning:
    memory_id: str
    signature: str
    pattern_id: str
    new_pattern: bool
    occurrence_count: int
    agents: list[str]
    similar_failures: list[Evidence]
    solutions: list[SolutionView]
    prevention_checks: list[PreventionCheck]


@dataclass
class FailureDetails:
    signature: str
    contexts: list[str]
    domains: list[str]
    solutions: list[SolutionView]
    checks: list[PreventionCheck]


@dataclass
class BranchView:
    """One action's record within a decision template."""

    action: str
    estimate: RateEstimate
    agents: list[str]


@dataclass
class DecisionDetails:
    best_action: str
    branches: list[BranchView]


@dataclass
class SuccessDetails:
    action: str
    contexts: list[str]
    domains: list[str]
    steps: list[str]


PatternDetails = FailureDetails | DecisionDetails | SuccessDetails


@dataclass
class PatternView:
    """A pattern as one caller sees it: every field derived from the memories that caller may see."""

    id: str
    kind: str  # failure | decision | success
    name: str
    occurrences: int
    agents: list[str]
    recurring: bool
    estimate: RateEstimate | None
    first_seen: datetime | None
    last_seen: datetime | None
    details: PatternDetails
    # Other agents' memories the view was derived from: owner -> ids (what reading it is audited as).
    read_from: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class AppliedPattern:
    task_id: str
    pattern_id: str
    kind: str
    action: str
    steps: list[str]
    estimate: RateEstimate | None
    prediction: Prediction
    agents: list[str]


# ---- what storage returns for rendering: one pattern's aggregates over the memories a caller may see

@dataclass(frozen=True)
class SolutionUse:
    solution_id: str
    description: str
    worked: bool
    agent_id: str


@dataclass
class VisibleFailurePattern:
    id: str
    occurrences: int
    agents: list[str]
    first_seen: datetime | None
    last_seen: datetime | None
    first_context: str
    first_signature: str
    contexts: list[str]
    domains: list[str]
    root_causes: list[str]
    strategies: list[str]
    uses: list[SolutionUse]
    others: dict[str, list[str]]  # owner -> ids of other agents' failures it aggregates
    stage: str | None = None
    causes: list[str] = field(default_factory=list)  # the failed action of each visible failure that names one


@dataclass
class VisibleBranch:
    action: str
    attempts: float
    successes: float
    agents: list[str]


@dataclass
class VisibleTemplate:
    id: str
    first_context: str
    first_seen: datetime | None
    last_seen: datetime | None
    branches: list[VisibleBranch]
    others: dict[str, list[str]]


@dataclass
class VisibleSuccessPattern:
    id: str
    action: str
    attempts: float
    successes: float
    agents: list[str]
    first_seen: datetime | None
    last_seen: datetime | None
    contexts: list[str]
    domains: list[str]
    steps: list[str]
    others: dict[str, list[str]]


@dataclass
class AnalysisReport:
    failures: int
    signature_groups: int
    patterns_before: int
    patterns_after: int
    merged_patterns: int
    recurring_patterns: int
    success_patterns: int
    seconds: float
    prevention_checks: int = 0
    expired_check_showings: int = 0


@dataclass
class Task:
    id: str
    agent_id: str
    context: str
    workflow_stage: str
    status: str
    created_at: datetime | None = None
    available_actions: list[str] = field(default_factory=list)
    results: list[dict] = field(default_factory=list)
