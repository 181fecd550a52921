"""Learning: record decisions, learn from failures, suggest, predict, check actions, patterns, failures,
statistics, prevention checks, solutions across agents, tasks and applying patterns. Resolvers call
LearningEngine with the acting agent, so every answer draws only on memories that agent may see."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from engram.api.context import RequestContext
from engram.api.gql.learning_types import (
    ActionCheck, CalibrationBin, Estimate, LearningStats, Pattern, PatternKind, Prediction, PreventionCheck,
    SimilarFailure, Solution, Suggestion, action_check, action_estimate, estimate, pattern, prevention_check,
    decision_branch, similar_failures, solution,
)
from engram.api.gql.memory import own_memory
from engram.api.gql.pagination import Connection, connection, window
from engram.api.gql.permissions import AUTHENTICATED, OPERATOR, AsAgent, acting_agent
from engram.api.gql.types import Memory, Outcome
from engram.entities.learning import Task as EngineTask

MAX_PATTERNS = 1000
FACTS_HELP = ("Structured details of the context, e.g. {env: \"production\", rows: 80000000}: at most 32 flat keys "
              "with string, number or boolean values. Decisions split on them as on the context's own words and "
              "numbers, and advice answers from the branch they fall in.")
FactsArg = Annotated[JSON | None, strawberry.argument(description=FACTS_HELP)]


@strawberry.input
class RecordDecisionInput:
    context: str
    action: str
    outcome: Outcome
    alternatives: list[str] | None = None
    informed_by: list[str] | None = strawberry.field(default=None, description="Ids of memories that informed it.")
    task_id: str | None = None
    domain: str | None = None
    tags: list[str] | None = None
    confidence: float = 0.5
    predicted: float | None = strawberry.field(default=None, description="The success probability you expected.")
    id: str | None = None
    occurred_at: datetime | None = strawberry.field(
        default=None, description="When it happened, if not now (e.g. logged afterwards); never in the future.")
    check_token: str | None = strawberry.field(default=None, description=(
        "The token checkAction returned for this action: the decision counts in the record of the checks it "
        "showed (followed when it took the action a check asks for, ignored otherwise). Valid for "
        "ENGRAM_CHECK_TOKEN_TTL_HOURS (default 24) after checkAction first returned it."))
    followed_checks: list[str] | None = strawberry.field(default=None, description=(
        "Ids of shown checks that name only a step (no action) which you applied."))
    facts: JSON | None = strawberry.field(default=None, description=FACTS_HELP)


@strawberry.input
class LearnFromFailureInput:
    error_message: str
    context: str | None = None
    root_cause: str | None = None
    solution: str | None = None
    solution_worked: bool | None = None
    prevention: str | None = None
    task_id: str | None = None
    domain: str | None = None
    tags: list[str] | None = None
    id: str | None = None
    occurred_at: datetime | None = strawberry.field(
        default=None, description="When it happened, if not now (e.g. logged afterwards); never in the future.")
    failed_action: str | None = strawberry.field(default=None, description=(
        "The action that raised this error: prevention checks of its pattern then guard that action."))


@strawberry.type(description="What one run of pattern recognition found.")
class AnalysisReport:
    failures: int
    signature_groups: int
    patterns_before: int
    patterns_after: int
    merged_patterns: int = strawberry.field(description="Patterns merged into others by GDS kNN + WCC.")
    recurring_patterns: int
    success_patterns: int
    prevention_checks: int = strawberry.field(description="Prevention checks of the recurring patterns, derived again.")
    expired_check_showings: int = strawberry.field(
        description="Showings of prevention checks deleted because their checkAction tokens expired "
                    "(ENGRAM_CHECK_TOKEN_TTL_HOURS).")
    seconds: float


@strawberry.type
class DecisionRecord:
    memory_id: strawberry.ID
    template_id: str
    action: str
    branch: Estimate = strawberry.field(description="This action's record in this kind of context, now.")
    new_template: bool
    informed_by: list[str]
    agent_id: strawberry.Private[str]

    @strawberry.field
    async def memory(self, info: Info[RequestContext, None]) -> Memory | None:
        return await own_memory(info, str(self.memory_id), self.agent_id)


@strawberry.type
class FailureLearning:
    memory_id: strawberry.ID
    signature: str
    pattern_id: str
    new_pattern: bool
    occurrence_count: int
    similar_failures: list[SimilarFailure]
    solutions: list[Solution]
    prevention_checks: list[PreventionCheck]


@strawberry.type(description="A unit of work an agent carries out; applyPattern sets its strategy.")
class Task:
    id: strawberry.ID
    agent_id: str
    context: str
    workflow_stage: str
    status: str
    created_at: datetime | None
    available_actions: list[str]


def task_type(t: EngineTask) -> Task:
    return Task(id=strawberry.ID(t.id), agent_id=t.agent_id, context=t.context, workflow_stage=t.workflow_stage,
                status=t.status, created_at=t.created_at, available_actions=list(t.available_actions))


@strawberry.type
class AppliedPattern:
    task_id: str
    pattern_id: str
    kind: PatternKind
    action: str
    steps: list[str]
    estimate: Estimate | None
    prediction: Prediction


async def visible_patterns(info: Info[RequestContext, None], agent: str | None, kind: PatternKind | None = None,
                           min_success_rate: float | None = None, recurring: bool | None = None,
                           limit: int = MAX_PATTERNS, via: str = "patterns") -> list[Pattern]:
    engine = info.context.resources.learning
    views = await info.context.run(engine.patterns, agent, kind.value if kind else None, min_success_rate,
                                   recurring, limit, via=via)
    return [pattern(v, agent) for v in views]


@strawberry.type
class LearningQuery:
    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="Actions that worked in similar contexts, best estimated success first.")
    async def suggest(self, info: Info[RequestContext, None], context: str, k: int = 5,
                      candidates: list[str] | None = None, facts: FactsArg = None,
                      as_agent: AsAgent = None) -> Suggestion:
        agent = await acting_agent(info, as_agent)
        s = await info.context.run(info.context.resources.learning.suggest, agent, context, k, candidates or (),
                                   facts)
        return Suggestion(context=s.context, actions=[action_estimate(a) for a in s.actions],
                          recommended=s.recommended, explore=s.explore, rationale=s.rationale,
                          branch=decision_branch(s.branch))

    @strawberry.field(permission_classes=AUTHENTICATED, description="How likely an action is to succeed here.")
    async def predict_outcome(self, info: Info[RequestContext, None], context: str, action: str,
                              facts: FactsArg = None, as_agent: AsAgent = None) -> Prediction:
        agent = await acting_agent(info, as_agent)
        p = await info.context.run(info.context.resources.learning.predict_outcome, agent, context, action, facts)
        return Prediction(context=p.context, action=p.action, probability=p.probability, lower=p.lower,
                          upper=p.upper, attempts=p.attempts, branch=decision_branch(p.branch))

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="Should I do this? allow / warn / block, with evidence and prevention checks.")
    async def check_action(self, info: Info[RequestContext, None], context: str, intended_action: str,
                           facts: FactsArg = None, as_agent: AsAgent = None) -> ActionCheck:
        agent = await acting_agent(info, as_agent)
        return action_check(await info.context.run(info.context.resources.learning.check_action, agent, context,
                                                   intended_action, facts=facts))

    @strawberry.field(permission_classes=AUTHENTICATED, description="Learned patterns over what you may see.")
    async def patterns(self, info: Info[RequestContext, None], kind: PatternKind | None = None,
                       min_success_rate: float | None = None, recurring: bool | None = None,
                       first: int | None = None, after: str | None = None,
                       as_agent: AsAgent = None) -> Connection[Pattern]:
        agent = await acting_agent(info, as_agent)
        win = window(first, after, limit=MAX_PATTERNS)
        found = await visible_patterns(info, agent, kind, min_success_rate, recurring, min(win.end, MAX_PATTERNS))
        return connection(found, win, already_offset=False)

    @strawberry.field(permission_classes=AUTHENTICATED, description="One pattern you may see, by id.")
    async def pattern(self, info: Info[RequestContext, None], id: strawberry.ID, as_agent: AsAgent = None) -> Pattern:
        agent = await acting_agent(info, as_agent)
        return pattern(await info.context.run(info.context.resources.learning.pattern, agent, str(id)), agent)

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="Failure patterns (optionally only failures since a time), most frequent first.")
    async def failures(self, info: Info[RequestContext, None], since: datetime | None = None,
                       first: int | None = None, after: str | None = None,
                       as_agent: AsAgent = None) -> Connection[Pattern]:
        agent = await acting_agent(info, as_agent)
        win = window(first, after, limit=MAX_PATTERNS)
        views = await info.context.run(info.context.resources.learning.failures_since, agent, since,
                                       min(win.end, MAX_PATTERNS))
        return connection([pattern(v, agent) for v in views], win, already_offset=False)

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="Solutions used by similar failures across agents (only failures you may see).")
    async def solutions_for_error(self, info: Info[RequestContext, None], message: str,
                                  as_agent: AsAgent = None) -> list[Solution]:
        agent = await acting_agent(info, as_agent)
        return [solution(s) for s in await info.context.run(info.context.resources.learning.solutions_for_error, agent,
                                                            message)]

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="Prevention checks of the failure patterns you may see (or of one of them).")
    async def prevention_checks(self, info: Info[RequestContext, None], pattern_id: str | None = None,
                                as_agent: AsAgent = None) -> list[PreventionCheck]:
        agent = await acting_agent(info, as_agent)
        checks = await info.context.run(info.context.resources.learning.prevention_checks, agent, pattern_id)
        return [prevention_check(c) for c in checks]

    @strawberry.field(permission_classes=AUTHENTICATED, description="Your learning statistics.")
    async def learning_stats(self, info: Info[RequestContext, None], window_days: int = 7,
                             as_agent: AsAgent = None) -> LearningStats:
        agent = await acting_agent(info, as_agent)
        s = await info.context.run(info.context.resources.learning.stats, agent, window_days)
        return LearningStats(
            memories=s.memories, by_kind=s.by_kind, decisions=s.decisions, success=estimate(s.success),
            recent_success=estimate(s.recent_success), earlier_success=estimate(s.earlier_success),
            informed_share=s.informed_share, patterns=s.patterns, recurring_patterns=s.recurring_patterns,
            calibration=[CalibrationBin(lower=b.lower, upper=b.upper, count=b.count, mean_predicted=b.mean_predicted,
                                        observed_rate=b.observed_rate) for b in s.calibration],
            brier_score=s.brier_score)

    @strawberry.field(permission_classes=AUTHENTICATED, description="One of your tasks.")
    async def task(self, info: Info[RequestContext, None], id: strawberry.ID, as_agent: AsAgent = None) -> Task:
        agent = await acting_agent(info, as_agent)
        return task_type(await info.context.run(info.context.resources.learning.task, str(id), agent))


@strawberry.type
class LearningMutation:
    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="Record a decision and its outcome; updates the decision template it matches.")
    async def record_decision(self, info: Info[RequestContext, None], input: RecordDecisionInput,
                              as_agent: AsAgent = None) -> DecisionRecord:
        agent = await acting_agent(info, as_agent)
        r = await info.context.run(
            info.context.resources.learning.record_decision, agent, input.context, input.action, input.outcome.value,
            alternatives=input.alternatives or (), informed_by=input.informed_by or (), task_id=input.task_id,
            domain=input.domain, tags=input.tags or (), confidence=input.confidence, predicted=input.predicted,
            memory_id=input.id, created_at=input.occurred_at, check_token=input.check_token,
            followed_checks=input.followed_checks or (), facts=input.facts)
        return DecisionRecord(memory_id=strawberry.ID(r.memory_id), template_id=r.template_id, action=r.action,
                              branch=estimate(r.branch), new_template=r.new_template, informed_by=list(r.informed_by),
                              agent_id=agent)

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="Record a failure: its signature, similar failures across agents, the "
                                     "solutions they used, and prevention checks.")
    async def learn_from_failure(self, info: Info[RequestContext, None], input: LearnFromFailureInput,
                                 as_agent: AsAgent = None) -> FailureLearning:
        agent = await acting_agent(info, as_agent)
        r = await info.context.run(
            info.context.resources.learning.learn_from_failure, agent, input.error_message, context=input.context,
            root_cause=input.root_cause, solution=input.solution, solution_worked=input.solution_worked,
            prevention=input.prevention, task_id=input.task_id, domain=input.domain, tags=input.tags,
            memory_id=input.id, created_at=input.occurred_at, failed_action=input.failed_action)
        return FailureLearning(memory_id=strawberry.ID(r.memory_id), signature=r.signature, pattern_id=r.pattern_id,
                               new_pattern=r.new_pattern, occurrence_count=r.occurrence_count,
                               similar_failures=similar_failures(r.similar_failures, r.solutions),
                               solutions=[solution(s) for s in r.solutions],
                               prevention_checks=[prevention_check(c) for c in r.prevention_checks])

    @strawberry.mutation(permission_classes=OPERATOR,
                         description="Operators: run pattern recognition now (the service also runs it every "
                                     "ENGRAM_ANALYZE_INTERVAL_S): failure patterns, GDS merges, success patterns, "
                                     "prevention checks of recurring patterns.")
    async def analyze_patterns(self, info: Info[RequestContext, None]) -> AnalysisReport:
        r = await info.context.run(info.context.resources.learning.analyze)
        return AnalysisReport(failures=r.failures, signature_groups=r.signature_groups,
                              patterns_before=r.patterns_before, patterns_after=r.patterns_after,
                              merged_patterns=r.merged_patterns, recurring_patterns=r.recurring_patterns,
                              success_patterns=r.success_patterns, prevention_checks=r.prevention_checks,
                              expired_check_showings=r.expired_check_showings, seconds=r.seconds)

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="Create a task to work on (and apply patterns to).")
    async def create_task(self, info: Info[RequestContext, None], context: str, stage: str = "development",
                          available_actions: list[str] | None = None, id: str | None = None,
                          as_agent: AsAgent = None) -> Task:
        agent = await acting_agent(info, as_agent)
        return task_type(await info.context.run(info.context.resources.learning.create_task, agent, context, task_id=id,
                                                stage=stage, available_actions=available_actions or ()))

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="Apply a pattern you may see to one of your tasks: its action becomes the "
                                     "task's strategy, with steps and a prediction.")
    async def apply_pattern(self, info: Info[RequestContext, None], pattern_id: str, task_id: str,
                            as_agent: AsAgent = None) -> AppliedPattern:
        agent = await acting_agent(info, as_agent)
        r = await info.context.run(info.context.resources.learning.apply_pattern, agent, pattern_id, task_id)
        p = r.prediction
        return AppliedPattern(task_id=r.task_id, pattern_id=r.pattern_id, kind=PatternKind(r.kind),
                              action=r.action, steps=list(r.steps), estimate=estimate(r.estimate),
                              prediction=Prediction(context=p.context, action=p.action, probability=p.probability,
                                                    lower=p.lower, upper=p.upper, attempts=p.attempts,
                                                    branch=decision_branch(p.branch)))
