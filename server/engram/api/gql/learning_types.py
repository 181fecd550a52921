"""GraphQL types for what the learning engine returns: estimates with their uncertainty, suggestions,
patterns, failures across agents with the solutions they used, prevention checks, statistics."""

from __future__ import annotations

import asyncio
import enum
from datetime import datetime

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from engram.api.context import RequestContext
from engram.api.gql.pattern_rendering import register as register_pattern_renderer
from engram.api.gql.types import Agent, count, load_agent
from engram.learning.estimates import estimate_rate
from engram.entities.learning import (
    ActionCheck as EngineCheck, ActionEstimate as EngineAction, DecisionBranch as EngineBranch, DecisionDetails,
    Evidence as EngineEvidence,
    FailureDetails, PatternView, PreventionCheck as EnginePreventionCheck, RateEstimate, SolutionView, SuccessDetails,
)


async def load_agents(info: Info[RequestContext, None], ids: list[str]) -> list[Agent]:
    return list(await asyncio.gather(*(load_agent(info, i) for i in ids)))


@strawberry.enum
class PatternKind(enum.Enum):
    FAILURE = "failure"
    DECISION = "decision"
    SUCCESS = "success"


@strawberry.enum(description="What check_action advises about an intended action.")
class Verdict(enum.Enum):
    ALLOW = "allow"
    WARN = "warn"
    BLOCK = "block"


@strawberry.type(description="A success rate with its uncertainty: Beta posterior mean and 90% interval, "
                             "from outcome quality summed over attempts.")
class Estimate:
    mean: float
    lower: float
    upper: float
    successes: float
    attempts: float


def estimate(e: RateEstimate | None) -> Estimate | None:
    return None if e is None else Estimate(mean=e.mean, lower=e.lower, upper=e.upper, successes=e.successes,
                                           attempts=e.attempts)


@strawberry.type(description="A memory that counts as evidence, and how similar its context is.")
class Evidence:
    memory_id: strawberry.ID
    kind: str
    context: str
    action: str
    outcome: str | None
    similarity: float
    occurrences: int
    owned: bool
    weight: float = strawberry.field(description=(
        "How much it counts in the estimate: 1, or halved per ENGRAM_EVIDENCE_HALF_LIFE_DAYS it is older "
        "than the newest evidence."))
    agent_id: strawberry.Private[str]

    @strawberry.field
    async def agent(self, info: Info[RequestContext, None]) -> Agent:
        return await load_agent(info, self.agent_id)


def evidence(e: EngineEvidence) -> Evidence:
    return Evidence(memory_id=strawberry.ID(e.memory_id), kind=e.kind, context=e.context, action=e.action,
                    outcome=e.outcome, similarity=e.similarity, occurrences=count(e.occurrences), owned=e.owned,
                    weight=e.weight, agent_id=e.agent_id)


@strawberry.type(description="An action and what similar past outcomes say about it.")
class ActionEstimate:
    action: str
    estimate: Estimate
    success_rate: float = strawberry.field(description="estimate.mean")
    evidence: list[Evidence]
    agent_ids: strawberry.Private[list[str]]

    @strawberry.field
    async def agents(self, info: Info[RequestContext, None]) -> list[Agent]:
        return await load_agents(info, self.agent_ids)


def action_estimate(a: EngineAction) -> ActionEstimate:
    return ActionEstimate(action=a.action, estimate=estimate(a.estimate), success_rate=a.estimate.mean,
                          evidence=[evidence(e) for e in a.evidence], agent_ids=list(a.agents))


@strawberry.type(description="A fix used for a kind of failure, with how often it worked (across agents).")
class Solution:
    id: strawberry.ID
    description: str
    pattern_id: str
    estimate: Estimate
    success_rate: float
    attempts: float
    agent_ids: strawberry.Private[list[str]]

    @strawberry.field(description="The agents that used it.")
    async def agents(self, info: Info[RequestContext, None]) -> list[Agent]:
        return await load_agents(info, self.agent_ids)


def solution(s: SolutionView) -> Solution:
    return Solution(id=strawberry.ID(s.id), description=s.description, pattern_id=s.pattern_id,
                    estimate=estimate(s.estimate), success_rate=s.estimate.mean, attempts=s.estimate.attempts,
                    agent_ids=list(s.agents))


@strawberry.type(description="A failure of the same pattern that the caller may see, and the solutions its "
                             "agent used for this pattern.")
class SimilarFailure:
    memory_id: strawberry.ID
    context: str
    occurrences: int
    owned: bool
    solutions: list[Solution]
    agent_id: strawberry.Private[str]

    @strawberry.field
    async def agent(self, info: Info[RequestContext, None]) -> Agent:
        return await load_agent(info, self.agent_id)


def similar_failures(found: list[EngineEvidence], solutions: list[SolutionView]) -> list[SimilarFailure]:
    return [SimilarFailure(memory_id=strawberry.ID(e.memory_id), context=e.context, occurrences=count(e.occurrences),
                           owned=e.owned, agent_id=e.agent_id,
                           solutions=[solution(s) for s in solutions if e.agent_id in s.agents]) for e in found]


@strawberry.enum(description="Whether a prevention check helps, from its record: TRIAL (not enough evidence "
                             "either way; shown), PROMOTED (following it credibly lowers failures in its contexts; "
                             "shown first, and a guard blocks), RETIRED (credibly does not help; no longer shown).")
class CheckStatus(enum.Enum):
    TRIAL = "trial"
    PROMOTED = "promoted"
    RETIRED = "retired"


@strawberry.type(description="A check that prevents a recurring failure, attached to a workflow stage, with its "
                             "record over the decisions the caller may see.")
class PreventionCheck:
    id: strawberry.ID
    name: str
    description: str
    pattern_id: str | None
    source: str | None
    stage: str | None
    guards_actions: list[str]
    step: str = strawberry.field(description="What it asks the agent to do.")
    better_action: str | None = strawberry.field(description="The action it asks for instead of a guarded one.")
    status: CheckStatus
    shown: int = strawberry.field(description="Times checkAction showed it (showings the caller may see).")
    followed: Estimate = strawberry.field(description="Outcomes of decisions that followed it when shown.")
    ignored: Estimate = strawberry.field(description="Outcomes of decisions that ignored it when shown.")
    before: Estimate = strawberry.field(description="Outcomes in its contexts before it was first acted on.")


def prevention_check(c: EnginePreventionCheck) -> PreventionCheck:
    none = estimate_rate(0, 0)
    r = c.record
    return PreventionCheck(id=strawberry.ID(c.id), name=c.name, description=c.description, pattern_id=c.pattern_id,
                           source=c.source, stage=c.stage, guards_actions=list(c.guards_actions), step=c.step,
                           better_action=c.better_action, status=CheckStatus(c.status.value),
                           shown=r.shown if r else 0, followed=estimate(r.followed if r else none),
                           ignored=estimate(r.ignored if r else none), before=estimate(r.before if r else none))


@strawberry.type(description="A learned pattern: a recurring failure, a decision template or a success pattern. "
                             "Counts cover only the memories the caller may see.")
class Pattern:
    id: strawberry.ID
    kind: PatternKind
    name: str
    occurrences: int
    recurring: bool
    estimate: Estimate | None
    success_rate: float | None
    first_seen: datetime | None
    last_seen: datetime | None
    signature: str | None = strawberry.field(description="Failure patterns: the normalised error signature.")
    contexts: list[str]
    domains: list[str]
    action: str | None = strawberry.field(description="Success: the approach; decision: the best action so far.")
    steps: list[str]
    branches: list[ActionEstimate] = strawberry.field(description="Decision templates: every action tried.")
    solutions: list[Solution] = strawberry.field(description="Failure patterns: fixes used, best first.")
    prevention_checks: list[PreventionCheck]
    agent_ids: strawberry.Private[list[str]]
    viewer: strawberry.Private[str | None]
    solution_views: strawberry.Private[list[SolutionView]]

    @strawberry.field(description="The agents whose (visible) memories make up this pattern.")
    async def agents(self, info: Info[RequestContext, None]) -> list[Agent]:
        return await load_agents(info, self.agent_ids)

    @strawberry.field(description="Failure patterns: the newest 100 failures of this pattern the caller may see, "
                                  "across agents, each with the solutions its agent used.")
    async def similar_failures(self, info: Info[RequestContext, None]) -> list[SimilarFailure]:
        if self.kind is not PatternKind.FAILURE:
            return []
        engine = info.context.resources.learning
        found = await info.context.run(engine.similar_failures, self.viewer, str(self.id))
        return similar_failures(found, self.solution_views)


def pattern(v: PatternView, viewer: str | None) -> Pattern:
    d = v.details
    failure = d if isinstance(d, FailureDetails) else None
    decision = d if isinstance(d, DecisionDetails) else None
    success = d if isinstance(d, SuccessDetails) else None
    branches = [ActionEstimate(action=b.action, estimate=estimate(b.estimate), success_rate=b.estimate.mean,
                               evidence=[], agent_ids=list(b.agents)) for b in (decision.branches if decision else [])]
    solutions = failure.solutions if failure else []
    return Pattern(
        id=strawberry.ID(v.id), kind=PatternKind(v.kind), name=v.name, occurrences=count(v.occurrences),
        recurring=v.recurring, estimate=estimate(v.estimate), success_rate=v.estimate.mean if v.estimate else None,
        first_seen=v.first_seen, last_seen=v.last_seen, signature=failure.signature if failure else None,
        contexts=list((failure or success).contexts) if (failure or success) else [],
        domains=list((failure or success).domains) if (failure or success) else [],
        action=success.action if success else (decision.best_action if decision else None),
        steps=list(success.steps) if success else [], branches=branches,
        solutions=[solution(s) for s in solutions],
        prevention_checks=[prevention_check(c) for c in (failure.checks if failure else [])],
        agent_ids=list(v.agents), viewer=viewer, solution_views=list(solutions))


@strawberry.type(description="The branch of the decision tree over the caller's visible evidence that a context "
                             "falls in: the conditions on its details that lead there, and the credible "
                             "difference behind the last split. No conditions: all similar contexts.")
class DecisionBranch:
    conditions: list[str]
    description: str
    why: str
    evidence: int = strawberry.field(description="Visible memories in the branch.")


def decision_branch(b: EngineBranch | None) -> DecisionBranch | None:
    return None if b is None else DecisionBranch(conditions=list(b.conditions), description=b.describe(), why=b.why,
                                                 evidence=b.evidence)


@strawberry.type(description="What similar past experience suggests doing in a context.")
class Suggestion:
    context: str
    actions: list[ActionEstimate]
    recommended: str | None
    explore: str | None = strawberry.field(description="An action with too few attempts to rule out.")
    rationale: str
    branch: DecisionBranch | None = None


@strawberry.type
class Prediction:
    context: str
    action: str
    probability: float
    lower: float
    upper: float
    attempts: float
    branch: DecisionBranch | None = None


@strawberry.type(description="allow / warn / block for an intended action, with the reasons and evidence.")
class ActionCheck:
    verdict: Verdict
    action: str
    reasons: list[str]
    evidence: list[Evidence]
    prevention_checks: list[PreventionCheck]
    better_action: str | None
    branch: DecisionBranch | None = None
    token: str | None = strawberry.field(default=None, description=(
        "Pass it as checkToken when you record the decision for this action: the decision then counts in the "
        "record of each check shown here (followed or ignored). Null when no check was shown."))


def action_check(c: EngineCheck) -> ActionCheck:
    return ActionCheck(verdict=Verdict(c.verdict.value), action=c.action, reasons=list(c.reasons),
                       evidence=[evidence(e) for e in c.evidence],
                       prevention_checks=[prevention_check(x) for x in c.checks], better_action=c.better_action,
                       branch=decision_branch(c.branch), token=c.token)


@strawberry.type
class CalibrationBin:
    lower: float
    upper: float
    count: int
    mean_predicted: float
    observed_rate: float


@strawberry.type(description="How an agent's decisions are going, and how well its predictions were calibrated.")
class LearningStats:
    memories: int
    by_kind: JSON
    decisions: int
    success: Estimate
    recent_success: Estimate
    earlier_success: Estimate
    informed_share: float = strawberry.field(description="Share of decisions informed by recalled memories.")
    patterns: int
    recurring_patterns: int
    calibration: list[CalibrationBin]
    brier_score: float | None


register_pattern_renderer(pattern)
