"""Tasks and their execution results as nodes, and execute_with_memory around a caller's function.

execute_with_memory does the spec's five steps: retrieve relevant memories → apply learned
patterns to choose the strategy (a prevention check guarding the chosen action is applied: its better
action is taken) → run → record decision and outcome (with the check token, so the checks' records
count it) → learn from the failure (naming the action that failed)."""

from __future__ import annotations

import asyncio
import inspect
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from engram.entities.learning import ActionCheck, Suggestion, Task, Verdict
from engram.entities.memory import RelevantMemory

INFORMED_BY = 10  # the most relevant evidence memories a decision records as having informed it


@dataclass
class Strategy:
    """What execute_with_memory decided before running the caller's function."""

    task: Task
    chosen_approach: str
    memories: list[RelevantMemory]
    suggestion: Suggestion
    check: ActionCheck | None
    predicted_success: float | None

    @property
    def informed_by(self) -> list[str]:
        return [m.memory.id for m in self.memories]

    @property
    def check_token(self) -> str | None:
        return self.check.token if self.check is not None else None


def apply_check(chosen: str, check: ActionCheck, available: Sequence[str]) -> str:
    """The action to take after check_action: the better action it names when a prevention check shown
    guards the chosen one or the verdict is block (and the task offers that action), else the chosen one."""
    guarded = any(chosen in c.guards_actions for c in check.checks)
    better = check.better_action
    if better and (guarded or check.verdict is Verdict.block) and (not available or better in available):
        return better
    return chosen


@dataclass
class ExecutionOutcome:
    task_id: str
    strategy: str
    succeeded: bool
    result: Any = None
    error: str | None = None
    duration_ms: int = 0
    decision_memory_id: str | None = None
    failure_pattern_id: str | None = None
    informed_by: list[str] = field(default_factory=list)


class TaskEngine(Protocol):
    """What execute_with_memory needs of the learning engine (LearningEngine is one)."""

    advisor: Any
    repository: Any
    memories: Any

    def evidence(self, agent_id: str | None, context: str, via: str) -> list[RelevantMemory]: ...

    def check_action(self, agent_id: str | None, context: str, intended_action: str,
                     relevant: Sequence[RelevantMemory] | None = None) -> ActionCheck: ...

    def record_decision(self, agent_id: str, context: str, action: str, outcome: str, **options: Any) -> Any: ...

    def learn_from_failure(self, agent_id: str, error_message: str, **options: Any) -> Any: ...


class TaskExecutor:
    """The spec's TaskExecutor: the five steps around the caller's function."""

    def __init__(self, engine: TaskEngine) -> None:
        self.engine = engine

    def plan(self, task: Task, default_action: str | None = None) -> Strategy:
        """Steps 1–2: one audited evidence read for the task's context, then the choice (highest posterior
        mean, advice.Advisor.choose) and the check of the chosen action against the same evidence."""
        engine = self.engine
        relevant = engine.evidence(task.agent_id, task.context, "execute_with_memory")
        chosen, suggestion = engine.advisor.choose(relevant, task.context, task.available_actions)
        check = None
        if chosen is not None:
            check = engine.check_action(task.agent_id, task.context, chosen, relevant=relevant)
            chosen = apply_check(chosen, check, task.available_actions)
        chosen = chosen or default_action or (task.available_actions[0] if task.available_actions else "default")
        estimate = next((a.estimate for a in suggestion.actions if a.action == chosen), None)
        return Strategy(task, chosen, list(relevant[:INFORMED_BY]), suggestion, check,
                        estimate.mean if estimate else None)

    def finish(self, strategy: Strategy, succeeded: bool, result: Any, error: BaseException | None,
               started: float, recover: Callable[[BaseException], str | None] | None) -> ExecutionOutcome:
        """Steps 4–5: record the decision and its outcome, and learn from the failure."""
        engine, task = self.engine, strategy.task
        duration_ms = int((time.perf_counter() - started) * 1000)
        decision = engine.record_decision(
            task.agent_id, task.context, strategy.chosen_approach, "success" if succeeded else "failure",
            alternatives=[a for a in task.available_actions if a != strategy.chosen_approach],
            informed_by=strategy.informed_by, task_id=task.id, predicted=strategy.predicted_success,
            check_token=strategy.check_token)
        pattern_id = None
        if error is not None:
            solution = recover(error) if recover else None
            learning = engine.learn_from_failure(task.agent_id, f"{type(error).__name__}: {error}",
                                                 context=task.context, solution=solution, task_id=task.id,
                                                 failed_action=strategy.chosen_approach)
            pattern_id = learning.pattern_id
        engine.repository.record_result(agent_id=task.agent_id, task_id=task.id, id=f"res-{uuid.uuid4().hex[:12]}",
                                        outcome="success" if succeeded else "failure", duration_ms=duration_ms,
                                        error=engine.memories.redactor.redact(str(error)).text if error else None,
                                        strategy=strategy.chosen_approach)
        return ExecutionOutcome(task.id, strategy.chosen_approach, succeeded, result,
                                f"{type(error).__name__}: {error}" if error else None, duration_ms,
                                decision.memory_id, pattern_id, strategy.informed_by)

    def run(self, task: Task, fn: Callable[[Strategy], Any], *,
            recover: Callable[[BaseException], str | None] | None = None,
            default_action: str | None = None) -> ExecutionOutcome:
        """Run `fn(strategy)` (step 3); an Exception it raises is the task's failure: recorded and learned
        from, and returned in the outcome. `recover(error)` may name the fix that resolved it."""
        strategy = self.plan(task, default_action)
        self.engine.repository.set_task_strategy(task.agent_id, task.id, strategy.chosen_approach, None)
        started = time.perf_counter()
        try:
            result = fn(strategy)
        except Exception as error:  # the task's own failure: learn from it
            return self.finish(strategy, False, None, error, started, recover)
        return self.finish(strategy, True, result, None, started, recover)

    async def run_async(self, task: Task, fn: Callable[[Strategy], Awaitable[Any]], *,
                        recover: Callable[[BaseException], str | None] | None = None,
                        default_action: str | None = None) -> ExecutionOutcome:
        """The same five steps around an async function; the engine's blocking IO runs in a thread."""
        strategy = await asyncio.to_thread(self.plan, task, default_action)
        await asyncio.to_thread(self.engine.repository.set_task_strategy, task.agent_id, task.id, strategy.chosen_approach, None)
        started = time.perf_counter()
        try:
            result = fn(strategy)
            if inspect.isawaitable(result):
                result = await result
        except Exception as error:
            return await asyncio.to_thread(self.finish, strategy, False, None, error, started, recover)
        return await asyncio.to_thread(self.finish, strategy, True, result, None, started, recover)
