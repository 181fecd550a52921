"""LearningEngine: the spec's learning API in one object, for the CLI, the GraphQL API and agents."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import neo4j

from engram.config import Settings
from engram.embeddings import Embedder
from engram.entities.learning import (
    ActionCheck, AnalysisReport, DecisionRecord, FailureLearning, PatternView, Prediction, RateEstimate, SolutionView,
    Suggestion, Task,
)
from engram.entities.memory import Outcome
from engram.errors import BadInputError, NotFoundError
from engram.learning import prevention, tasks
from engram.learning.advice import Advisor
from engram.learning.decisions import DecisionLearner
from engram.learning.estimates import estimate_rate
from engram.learning.failures import FailureLearner
from engram.learning.pattern_recognizer import PatternRecognizer
from engram.learning.signature import extract_signature
from engram.memory.service import MemoryService
from engram.storage.gds import GraphAlgorithms
from engram.storage.learning import LearningRepository

CALIBRATION_BINS = 5


@dataclass
class CalibrationBin:
    lower: float
    upper: float
    count: int
    mean_predicted: float
    observed_rate: float


@dataclass
class LearningStats:
    agent_id: str
    memories: int
    by_kind: dict[str, int]
    decisions: int
    success: RateEstimate
    recent_success: RateEstimate
    earlier_success: RateEstimate
    informed_share: float
    patterns: int
    recurring_patterns: int
    calibration: list[CalibrationBin] = field(default_factory=list)
    brier_score: float | None = None


class LearningEngine:
    def __init__(self, driver: neo4j.Driver, embedder: Embedder, settings: Settings,
                 memories: MemoryService | None = None) -> None:
        self.settings = settings
        self.memories = memories or MemoryService(driver, embedder, settings)
        self.repository = LearningRepository(driver, settings)
        self.decisions = DecisionLearner(self.memories, self.repository, embedder)
        self.failures = FailureLearner(self.memories, self.repository, embedder)
        self.advisor = Advisor(self.memories, half_life_days=settings.evidence_half_life_days)
        self._analysis_lock = threading.Lock()  # one analysis at a time (periodic and on demand)
        self.recognizer = PatternRecognizer(self.repository, GraphAlgorithms(driver, settings), embedder)

    # ---- recording
    def record_decision(self, agent_id: str, context: str, action: str, outcome: Outcome | str, *,
                        alternatives: Sequence[str] = (), informed_by: Sequence[str] = (), task_id: str | None = None,
                        domain: str | None = None, tags: Sequence[str] = (), confidence: float = 0.5,
                        predicted: float | None = None, memory_id: str | None = None,
                        created_at: datetime | None = None) -> DecisionRecord:
        if task_id:
            self.task(task_id)
        return self.decisions.record_decision(agent_id, context, action, outcome, alternatives=alternatives,
                                              informed_by=informed_by, task_id=task_id, domain=domain, tags=tags,
                                              confidence=confidence, predicted=predicted, memory_id=memory_id,
                                              created_at=created_at)

    def learn_from_failure(self, agent_id: str, error_message: str, *, context: str | None = None,
                           root_cause: str | None = None, solution: str | None = None,
                           solution_worked: bool | None = None, prevention: str | None = None,
                           task_id: str | None = None, domain: str | None = None, tags: list[str] | None = None,
                           memory_id: str | None = None, created_at: datetime | None = None) -> FailureLearning:
        if task_id:
            self.task(task_id)
        return self.failures.learn_from_failure(agent_id, error_message, context=context, root_cause=root_cause,
                                                solution=solution, solution_worked=solution_worked,
                                                prevention=prevention, task_id=task_id, domain=domain, tags=tags,
                                                memory_id=memory_id, created_at=created_at)

    # ---- advice
    def suggest(self, agent_id: str | None, context: str, k: int = 5, candidates: Sequence[str] = ()) -> Suggestion:
        return self.advisor.suggest(agent_id, context, k, candidates)

    def predict_outcome(self, agent_id: str | None, context: str, action: str) -> Prediction:
        return self.advisor.predict_outcome(agent_id, context, action)

    def check_action(self, agent_id: str | None, context: str, intended_action: str) -> ActionCheck:
        relevant = self.memories.retriever.retrieve(agent_id, context, 30, min_similarity=0.55)
        failure_ids = [r.memory.id for r in relevant if r.memory.kind.value == "failure"]
        pattern_ids = self.repository.patterns_of_failures(failure_ids) if failure_ids else []
        checks = self.repository.checks_for_patterns(pattern_ids) if pattern_ids else []
        return self.advisor.check_action(agent_id, context, intended_action, checks)

    def solutions_for_error(self, agent_id: str | None, message: str) -> list[SolutionView]:
        """Solutions used by similar failures across agents — only failures the agent may see count."""
        if not message or not message.strip():
            raise BadInputError("solutions_for_error needs an error message.")
        signature = extract_signature(self.memories.redactor.redact(message).text)
        pattern_id = self.repository.pattern_by_signature(signature) or self.repository.nearest_pattern(
            self.failures.embedder.embed([signature])[0], 0.95)
        if pattern_id is None:
            return []
        return self.failures.pattern_evidence(pattern_id, agent_id)[1]

    # ---- patterns
    def analyze(self) -> AnalysisReport:
        """Pattern recognition, then the prevention checks of every recurring pattern derived again."""
        started = time.perf_counter()
        with self._analysis_lock:
            report = self.recognizer.analyze()
            report.prevention_checks = prevention.refresh_recurring_checks(self.repository)
        report.seconds = time.perf_counter() - started
        return report

    def patterns(self, agent_id: str | None = None, kind: str | None = None, min_success_rate: float | None = None,
                 recurring: bool | None = None, limit: int = 50) -> list[PatternView]:
        if kind not in (None, "failure", "decision", "success"):
            raise BadInputError("Pattern type must be failure, decision or success.")
        views: list[PatternView] = []
        if kind in (None, "failure"):
            views += [self._failure_view(row, agent_id) for row in
                      self.repository.failure_patterns(agent_id, None, recurring, limit)]
        if kind in (None, "decision") and recurring is None:
            for row in self.repository.decision_templates(agent_id, limit):
                branches = sorted(row["branches"], key=lambda b: -estimate_rate(b["successes"], b["attempts"]).mean)
                attempts = sum(b["attempts"] for b in branches)
                best = branches[0]
                views.append(PatternView(
                    id=row["template"]["id"], kind="decision", name=row["template"]["context_signature"],
                    occurrences=attempts, agents=sorted({a for b in branches for a in b["agents"]}), recurring=attempts >= 3,
                    estimate=estimate_rate(best["successes"], best["attempts"]), first_seen=row["first_seen"],
                    last_seen=row["last_seen"],
                    details={"best_action": best["action"], "branches": [
                        {"action": b["action"], "estimate": estimate_rate(b["successes"], b["attempts"]),
                         "agents": b["agents"]} for b in branches]}))
        if kind in (None, "success") and recurring is None:
            for row in self.repository.success_patterns(agent_id, limit):
                views.append(PatternView(
                    id=row["pattern"]["id"], kind="success", name=row["pattern"]["name"], occurrences=row["attempts"],
                    agents=row["agents"], recurring=row["attempts"] >= 3,
                    estimate=estimate_rate(row["successes"], row["attempts"]), first_seen=row["first_seen"],
                    last_seen=row["last_seen"],
                    details={"action": row["pattern"]["action"], "contexts": row["contexts"], "domains": row["domains"],
                             "steps": row["steps"] or []}))
        if min_success_rate is not None:
            views = [v for v in views if v.estimate is not None and v.estimate.mean >= min_success_rate]
        return views[:limit]

    def _failure_view(self, row: dict, agent_id: str | None) -> PatternView:
        pattern = row["pattern"]
        solutions = self.failures.pattern_evidence(pattern["id"], agent_id)[1]
        best = solutions[0].estimate if solutions else None
        return PatternView(
            id=pattern["id"], kind="failure", name=pattern.get("name") or pattern["id"], occurrences=row["occurrences"],
            agents=row["agents"], recurring=bool(pattern.get("recurring")), estimate=best,
            first_seen=row["first_seen"], last_seen=row["last_seen"],
            details={"signature": pattern.get("signature"), "contexts": row["contexts"], "domains": row["domains"],
                     "solutions": solutions, "checks": row["checks"]})

    def failures_since(self, agent_id: str | None, since: datetime | None, limit: int = 50) -> list[PatternView]:
        return [self._failure_view(row, agent_id) for row in self.repository.failure_patterns(agent_id, since, None, limit)]

    def generate_prevention(self, pattern_id: str, stage: str = "development") -> list[dict]:
        return prevention.generate_checks(self.repository, pattern_id, stage)

    def prevention_checks(self, pattern_id: str | None = None) -> list[dict]:
        return self.repository.list_checks(pattern_id)

    # ---- statistics
    def stats(self, agent_id: str, window_days: int = 7) -> LearningStats:
        row = self.repository.agent_stats(agent_id, window_days)
        by_kind: dict[str, int] = {}
        for kind in row["kinds"]:
            by_kind[kind] = by_kind.get(kind, 0) + 1
        patterns = self.repository.failure_patterns(agent_id, None, None, 1000)
        points = self.repository.calibration_points(agent_id)
        bins, brier = calibration(points)
        decisions = row["decisions"] or 0
        return LearningStats(
            agent_id=agent_id, memories=row["memories"], by_kind=by_kind, decisions=decisions,
            success=estimate_rate(row["decision_successes"] or 0.0, decisions),
            recent_success=estimate_rate(row["recent_successes"] or 0.0, row["recent_decisions"] or 0),
            earlier_success=estimate_rate(row["earlier_successes"] or 0.0, row["earlier_decisions"] or 0),
            informed_share=(row["informed_decisions"] or 0) / decisions if decisions else 0.0,
            patterns=len(patterns), recurring_patterns=sum(bool(p["pattern"].get("recurring")) for p in patterns),
            calibration=bins, brier_score=brier)

    # ---- tasks
    def create_task(self, agent_id: str, context: str, *, task_id: str | None = None, stage: str = "development",
                    available_actions: Sequence[str] = ()) -> Task:
        if not context or not context.strip():
            raise BadInputError("A task needs a context.")
        if stage not in prevention.WORKFLOW_STAGES:
            raise BadInputError(f"Unknown workflow stage {stage!r}; use one of {', '.join(prevention.WORKFLOW_STAGES)}.")
        context = self.memories.redactor.redact(context).text
        return self.repository.create_task(task_id or f"task-{uuid.uuid4().hex[:10]}", agent_id, context, stage,
                                           list(available_actions))

    def task(self, task_id: str) -> Task:
        found = self.repository.get_task(task_id)
        if found is None:
            raise NotFoundError(f"No task {task_id!r} (create it with `engram task create`).")
        return found

    def tasks(self, agent_id: str | None = None, status: str | None = None, limit: int = 50) -> list[Task]:
        return self.repository.list_tasks(agent_id, status, limit)

    def apply_pattern(self, agent_id: str | None, pattern_id: str, task_id: str) -> dict:
        """Apply a learned pattern to a task: its action becomes the task's strategy, with the steps,
        solutions and checks it carries, and a decision memory informed by the pattern's memories."""
        task = self.task(task_id)
        agent_id = agent_id or task.agent_id
        kind = self.repository.pattern_kind(pattern_id)
        if kind is None:
            raise NotFoundError(f"No pattern {pattern_id!r}.")
        view = next((p for p in self.patterns(agent_id, kind, limit=1000) if p.id == pattern_id), None)
        if view is None:
            raise NotFoundError(f"Pattern {pattern_id!r} is not visible to {agent_id} (ask its owner to share it).")
        if kind == "success":
            action, steps = view.details["action"], view.details["steps"]
        elif kind == "decision":
            action, steps = view.details["best_action"], []
        else:
            solutions = view.details["solutions"]
            if not solutions:
                raise BadInputError(f"Failure pattern {pattern_id} has no known solution to apply yet.")
            action, steps = solutions[0].description, [c["description"] for c in view.details["checks"]]
        self.repository.set_task_strategy(task.id, action, pattern_id)
        prediction = self.predict_outcome(agent_id, task.context, action)
        return {"task": task.id, "pattern": pattern_id, "kind": kind, "action": action, "steps": steps,
                "estimate": view.estimate, "prediction": prediction, "agents": view.agents}

    def execute_with_memory(self, task: Task | str, fn, **options) -> tasks.ExecutionOutcome:
        return tasks.execute_with_memory(self, self.task(task) if isinstance(task, str) else task, fn, **options)

    async def execute_with_memory_async(self, task: Task | str, fn, **options) -> tasks.ExecutionOutcome:
        import asyncio

        resolved = await asyncio.to_thread(self.task, task) if isinstance(task, str) else task
        return await tasks.execute_with_memory_async(self, resolved, fn, **options)


def calibration(points: list[tuple[float, float]]) -> tuple[list[CalibrationBin], float | None]:
    """Reliability bins of predicted success against observed outcome quality, and the Brier score."""
    if not points:
        return [], None
    bins = []
    for i in range(CALIBRATION_BINS):
        lo, hi = i / CALIBRATION_BINS, (i + 1) / CALIBRATION_BINS
        inside = [(p, o) for p, o in points if lo <= p < hi or (i == CALIBRATION_BINS - 1 and p == 1.0)]
        if inside:
            bins.append(CalibrationBin(lo, hi, len(inside), sum(p for p, _ in inside) / len(inside),
                                       sum(o for _, o in inside) / len(inside)))
    brier = sum((p - o) ** 2 for p, o in points) / len(points)
    return bins, brier
