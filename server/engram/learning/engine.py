"""LearningEngine: the spec's learning API in one object, for the CLI, the GraphQL API, MCP and agents.

Every method that acts for an agent takes its id and enforces the rules itself — ownership of the
ids it is given, visibility of what it reads, audit of other agents' memories it uses — so every
front end gets the same answers. Evidence comes from one audited call on the memory service per
request; derived knowledge is rendered for the caller by learning/views.py.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime

from engram.config import Settings
from engram.embeddings import Embedder
from engram.entities.learning import (
    ActionCheck, AnalysisReport, AppliedPattern, CheckStatus, DecisionDetails, DecisionRecord, Evidence, FailureDetails,
    FailureLearning, PatternView, Prediction, PreventionCheck, SolutionView, SuccessDetails, Suggestion, Task,
)
from engram.entities.memory import Outcome, RelevantMemory
from engram.errors import BadInputError, NotFoundError
from engram.learning import prevention
from engram.learning.advice import EVIDENCE_K, MIN_SIMILARITY, Advisor
from engram.learning.decisions import DecisionLearner
from engram.learning.facts import checked_facts
from engram.learning.failures import PATTERN_MATCH_SCORE, FailureLearner
from engram.learning.naming import opaque_id
from engram.learning.pattern_recognizer import PatternRecognizer
from engram.learning.signature import extract_signature
from engram.learning.stats import LearningStats, learning_stats
from engram.learning.views import MAX_PATTERNS, KnowledgeViews
from engram.memory.service import MemoryService
from engram.storage.connection import Driver
from engram.storage.gds import GraphAlgorithms
from engram.storage.learning import LearningRepository

PATTERN_KINDS = ("failure", "decision", "success")
MAX_TASK_ACTIONS = 100


def _no_pattern(ref: str, agent_id: str | None) -> str:
    """The one answer for a pattern that does not exist and one the agent may not see."""
    return f"No pattern {ref!r} visible to {agent_id or 'the operator'}."


class LearningEngine:
    def __init__(self, driver: Driver, embedder: Embedder, settings: Settings, memories: MemoryService) -> None:
        self.settings = settings
        self.memories = memories
        self.embedder = embedder
        self.repository = LearningRepository(driver, settings)
        self.views = KnowledgeViews(self.repository, memories)
        self.decisions = DecisionLearner(memories, self.repository, embedder, self.views)
        self.failures = FailureLearner(memories, self.repository, embedder, self.views)
        self.advisor = Advisor(half_life_days=settings.evidence_half_life_days)
        self._analysis_lock = threading.Lock()  # one analysis at a time (periodic and on demand)
        self.recognizer = PatternRecognizer(self.repository, GraphAlgorithms(driver, settings), embedder)

    # ---- recording
    def record_decision(self, agent_id: str, context: str, action: str, outcome: Outcome | str, *,
                        alternatives: Sequence[str] = (), informed_by: Sequence[str] = (), task_id: str | None = None,
                        domain: str | None = None, tags: Sequence[str] = (), confidence: float = 0.5,
                        predicted: float | None = None, memory_id: str | None = None,
                        created_at: datetime | None = None, check_token: str | None = None,
                        followed_checks: Sequence[str] = (), facts: object = None) -> DecisionRecord:
        """`facts`: structured details of the context (learning/facts.py); `check_token`: the token check_action returned for this action — the decision then counts in the
        record of each check shown there (learning/check_records.py); `followed_checks`: checks that name
        only a step, which the agent applied."""
        if task_id:
            self.task(task_id, agent_id)
        if check_token is not None and not check_token.strip():
            raise BadInputError("checkToken, when given, is the token checkAction returned.")
        if check_token and not self.repository.showing_exists(check_token, agent_id):
            raise NotFoundError(f"No valid check token {check_token!r} of {agent_id} (checkAction returns one with "
                                "the checks it showed you, valid for ENGRAM_CHECK_TOKEN_TTL_HOURS). Nothing was "
                                "recorded.")
        record = self.decisions.record_decision(agent_id, context, action, outcome, alternatives=alternatives,
                                                informed_by=informed_by, task_id=task_id, domain=domain, tags=tags,
                                                confidence=confidence, predicted=predicted, memory_id=memory_id,
                                                created_at=created_at, facts=facts)
        if check_token and not self.repository.link_decision(token=check_token, agent_id=agent_id,
                                                             memory_id=record.memory_id,
                                                             followed_checks=list(dict.fromkeys(followed_checks))):
            raise BadInputError(f"Decision {record.memory_id} already acted on another check token (a decision "
                                "acts on one), or the token expired meanwhile. The decision itself is recorded.")
        return record

    def learn_from_failure(self, agent_id: str, error_message: str, *, context: str | None = None,
                           root_cause: str | None = None, solution: str | None = None,
                           solution_worked: bool | None = None, prevention: str | None = None,
                           task_id: str | None = None, domain: str | None = None, tags: list[str] | None = None,
                           memory_id: str | None = None, created_at: datetime | None = None,
                           failed_action: str | None = None) -> FailureLearning:
        """`failed_action`: the action that raised the error — prevention checks then guard it."""
        if task_id:
            self.task(task_id, agent_id)
        return self.failures.learn_from_failure(agent_id, error_message, context=context, root_cause=root_cause,
                                                solution=solution, solution_worked=solution_worked,
                                                prevention=prevention, task_id=task_id, domain=domain, tags=tags,
                                                memory_id=memory_id, created_at=created_at,
                                                failed_action=failed_action)

    # ---- advice
    def evidence(self, agent_id: str | None, context: str, via: str) -> list[RelevantMemory]:
        """What the agent may see that bears on `context`: one audited read per request."""
        return self.memories.evidence(agent_id, context, via=via, k=EVIDENCE_K, min_similarity=MIN_SIMILARITY)

    def suggest(self, agent_id: str | None, context: str, k: int = 5, candidates: Sequence[str] = (),
                facts: object = None) -> Suggestion:
        """`facts` (here and in predict_outcome, check_action): the context's structured details, which pick
        the branch of the decision tree the answer comes from (learning/branches.py)."""
        if not 1 <= k <= 50:
            raise BadInputError("k must lie between 1 and 50.")
        facts = checked_facts(facts)
        return self.advisor.suggest(self.evidence(agent_id, context, "suggest"), context, k, candidates, facts)

    def predict_outcome(self, agent_id: str | None, context: str, action: str, facts: object = None) -> Prediction:
        if not action or not action.strip():
            raise BadInputError("predict_outcome needs an action.")
        facts = checked_facts(facts)
        return self.advisor.predict_outcome(self.evidence(agent_id, context, "predict_outcome"), context, action,
                                            facts)

    def check_action(self, agent_id: str | None, context: str, intended_action: str,
                     relevant: Sequence[RelevantMemory] | None = None, facts: object = None) -> ActionCheck:
        """`relevant`: evidence fetched already for this context (execute_with_memory's plan). The checks
        shown are recorded as shown to the agent; the answer's token links the decision taken to them."""
        if not intended_action or not intended_action.strip():
            raise BadInputError("check_action needs the intended action.")
        facts = checked_facts(facts)
        if relevant is None:
            relevant = self.evidence(agent_id, context, "check_action")
        failures = [r.memory.ref for r in relevant if r.memory.kind.value == "failure"]
        pattern_ids = self.repository.patterns_of_failures(failures) if failures else []
        checks = self.views.checks(agent_id, pattern_ids, via="check_action") if pattern_ids else []
        result = self.advisor.check_action(relevant, intended_action,
                                           [c for c in checks if c.status is not CheckStatus.retired], context,
                                           facts)
        if agent_id is not None and result.checks:
            result.token = self._record_showing(agent_id, context, intended_action, result.checks, relevant)
        return result

    def _record_showing(self, agent_id: str, context: str, action: str, checks: Sequence[PreventionCheck],
                        relevant: Sequence[RelevantMemory]) -> str:
        ids = sorted(c.id for c in checks)
        token = opaque_id("show", "\n".join((agent_id, context, action, *ids)))
        saw = [r.memory.ref.row() for r in relevant if r.memory.kind.value == "decision" and r.memory.outcome]
        self.repository.record_showing(
            token=token, agent_id=agent_id, action=action, saw=saw,
            checks=[{"id": c.id, "guards": list(c.guards_actions), "better": c.better_action}
                    for c in sorted(checks, key=lambda c: c.id)])  # one lock order across writers
        return token

    def solutions_for_error(self, agent_id: str | None, message: str) -> list[SolutionView]:
        """Solutions used by similar failures across agents — only failures the agent may see count."""
        if not message or not message.strip():
            raise BadInputError("solutions_for_error needs an error message.")
        signature = extract_signature(self.memories.redactor.redact(message).text)
        pattern_id = self.repository.pattern_by_signature(agent_id, signature) or self.repository.nearest_pattern(
            agent_id, self.embedder.embed([signature])[0], PATTERN_MATCH_SCORE)
        view = self.views.pattern(agent_id, pattern_id, via="solutions_for_error") if pattern_id else None
        return view.details.solutions if view is not None and isinstance(view.details, FailureDetails) else []

    def similar_failures(self, agent_id: str | None, pattern_id: str) -> list[Evidence]:
        return self.failures.similar_failures(pattern_id, agent_id, via="pattern.similar_failures")

    # ---- patterns
    def analyze(self) -> AnalysisReport:
        """Pattern recognition, then the prevention checks of every recurring pattern derived again, and the
        showings of checks whose tokens expired deleted."""
        started = time.perf_counter()
        with self._analysis_lock:
            report = self.recognizer.analyze()
            report.prevention_checks = prevention.refresh_recurring_checks(self.repository)
            report.expired_check_showings = self.repository.prune_showings()
        report.seconds = time.perf_counter() - started
        return report

    def patterns(self, agent_id: str | None = None, kind: str | None = None, min_success_rate: float | None = None,
                 recurring: bool | None = None, limit: int = 50, *, via: str = "patterns") -> list[PatternView]:
        """Learned patterns as the agent sees them (agent_id None: the operator's view of all)."""
        if kind not in (None, *PATTERN_KINDS):
            raise BadInputError("Pattern type must be failure, decision or success.")
        if not 1 <= limit <= MAX_PATTERNS:
            raise BadInputError(f"limit must lie between 1 and {MAX_PATTERNS}.")
        views: list[PatternView] = []
        if kind in (None, "failure"):
            views += self.views.failure_patterns(agent_id, via=via, recurring=recurring, limit=limit)
        if kind in (None, "decision") and recurring is None:
            views += self.views.templates(agent_id, via=via, limit=limit)
        if kind in (None, "success") and recurring is None:
            views += self.views.success_patterns(agent_id, via=via, limit=limit)
        if min_success_rate is not None:
            views = [v for v in views if v.estimate is not None and v.estimate.mean >= min_success_rate]
        return views[:limit]

    def pattern(self, agent_id: str | None, ref: str) -> PatternView:
        """A pattern by id, or by the name the agent sees it under (`npm-install-timeout`)."""
        found = self.views.pattern(agent_id, self.resolve_pattern(agent_id, ref), via="pattern")
        if found is None:
            raise NotFoundError(_no_pattern(ref, agent_id))
        return found

    def resolve_pattern(self, agent_id: str | None, ref: str) -> str:
        """The id of the pattern `ref` names: an id as it is, else the one visible pattern of that name.
        Names are rendered for the caller, so they resolve only among what it may see."""
        if not ref or not ref.strip():
            raise BadInputError("Name a pattern by id or name.")
        if self.repository.pattern_kind(ref) is not None:
            return ref
        named = {v.id for v in self.patterns(agent_id, limit=MAX_PATTERNS, via="resolve_pattern") if v.name == ref}
        if len(named) > 1:
            raise BadInputError(f"Several patterns you see are named {ref!r}; use the id (`engram learning patterns`).")
        if not named:
            raise NotFoundError(_no_pattern(ref, agent_id))
        return named.pop()

    def failures_since(self, agent_id: str | None, since: datetime | None, limit: int = 50) -> list[PatternView]:
        if not 1 <= limit <= MAX_PATTERNS:
            raise BadInputError(f"limit must lie between 1 and {MAX_PATTERNS}.")
        return self.views.failure_patterns(agent_id, via="failures", since=since, limit=limit)

    def generate_prevention(self, pattern_id: str, stage: str = "development") -> list[PreventionCheck]:
        """Operators: derive and store a pattern's checks from all of its failures."""
        return prevention.generate_checks(self.repository, self.resolve_pattern(None, pattern_id), stage)

    def prevention_checks(self, agent_id: str | None, pattern_id: str | None = None) -> list[PreventionCheck]:
        """The checks of the failure patterns the agent sees (or of one of them), derived from what it sees;
        the operator (agent_id None) reads the stored checks of every pattern."""
        if pattern_id is not None:
            pattern_id = self.resolve_pattern(agent_id, pattern_id)
        if agent_id is None:
            return self.views.with_records(None, self.repository.list_checks(pattern_id), via="prevention_checks")
        if pattern_id is not None and self.views.pattern(agent_id, pattern_id, via="prevention_checks") is None:
            raise NotFoundError(_no_pattern(pattern_id, agent_id))
        return self.views.checks(agent_id, [pattern_id] if pattern_id else None, via="prevention_checks")

    # ---- statistics
    def stats(self, agent_id: str, window_days: int = 7) -> LearningStats:
        return learning_stats(self.repository, agent_id, window_days)

    # ---- tasks
    def create_task(self, agent_id: str, context: str, *, task_id: str | None = None, stage: str = "development",
                    available_actions: Sequence[str] = ()) -> Task:
        """Idempotent on the agent's own task id. Task ids are per agent: another agent's id is just a new id."""
        if not context or not context.strip():
            raise BadInputError("A task needs a context.")
        if stage not in prevention.WORKFLOW_STAGES:
            raise BadInputError(f"Unknown workflow stage {stage!r}; use one of {', '.join(prevention.WORKFLOW_STAGES)}.")
        if len(available_actions) > MAX_TASK_ACTIONS:
            raise BadInputError(f"A task lists at most {MAX_TASK_ACTIONS} actions.")
        context = self.memories.redactor.redact(context).text
        actions = [self.memories.redactor.redact(a).text for a in available_actions]
        return self.repository.create_task(task_id or f"task-{uuid.uuid4().hex[:10]}", agent_id, context, stage,
                                           actions)

    def task(self, task_id: str, agent_id: str | None = None) -> Task:
        """The agent's task with this id (ids are per agent). The operator (agent_id None) names any agent's task;
        an id that several agents use must then be qualified with the agent."""
        found = self.repository.get_tasks(task_id, agent_id)
        if not found:
            owner = f" of {agent_id}" if agent_id else ""
            raise NotFoundError(f"No task {task_id!r}{owner} (create it with `engram task create`).")
        if len(found) > 1:
            raise BadInputError(f"Task id {task_id!r} is used by {', '.join(t.agent_id for t in found)}; "
                                "name the agent whose task it is.")
        return found[0]

    def tasks(self, agent_id: str | None = None, status: str | None = None, limit: int = 50) -> list[Task]:
        return self.repository.list_tasks(agent_id, status, limit)

    def apply_pattern(self, agent_id: str | None, pattern_id: str, task_id: str) -> AppliedPattern:
        """Apply a learned pattern to a task: its action becomes the task's strategy, with the steps,
        solutions and checks it carries — all as the agent sees the pattern."""
        task = self.task(task_id, agent_id)
        agent_id = agent_id or task.agent_id
        pattern_id = self.resolve_pattern(agent_id, pattern_id)
        view = self.views.pattern(agent_id, pattern_id, via="apply_pattern")
        if view is None:
            raise NotFoundError(_no_pattern(pattern_id, agent_id))
        details = view.details
        if isinstance(details, SuccessDetails):
            action, steps = details.action, list(details.steps)
        elif isinstance(details, DecisionDetails):
            action, steps = details.best_action, []
        else:
            if not details.solutions:
                raise BadInputError(f"Failure pattern {pattern_id} has no known solution to apply yet.")
            action, steps = details.solutions[0].description, [c.description for c in details.checks]
        self.repository.set_task_strategy(task.agent_id, task.id, action, pattern_id)
        prediction = self.predict_outcome(agent_id, task.context, action)
        return AppliedPattern(task_id=task.id, pattern_id=pattern_id, kind=view.kind, action=action, steps=steps,
                              estimate=view.estimate, prediction=prediction, agents=view.agents)

    def execute_with_memory(self, task: Task | str, fn: Callable, **options):
        from engram.learning.tasks import TaskExecutor

        return TaskExecutor(self).run(self.task(task) if isinstance(task, str) else task, fn, **options)

    async def execute_with_memory_async(self, task: Task | str, fn: Callable, **options):
        import asyncio

        from engram.learning.tasks import TaskExecutor

        resolved = await asyncio.to_thread(self.task, task) if isinstance(task, str) else task
        return await TaskExecutor(self).run_async(resolved, fn, **options)
