"""execute_with_memory over HTTP: the spec's TaskExecutor for agents that reach Engram remotely, with the same five
steps as the in-process one (engram.learning.tasks): retrieve relevant memories → apply what was learned (a
suggestion among the available actions, then check_action with its prevention checks) → run → record the decision
and its outcome → learn from the failure."""

from __future__ import annotations

import inspect
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from engram.client.generated import (
    CheckAction, CheckActionCheckAction, LearnFromFailureInput, Outcome, RecordDecision, RecordDecisionInput,
    RetrieveMemories, RetrieveMemoriesRetrieveMemories, SuggestAction, SuggestActionSuggest, Verdict,
)
from engram.learning.tasks import ExecutionOutcome

if TYPE_CHECKING:
    from engram.client import AsyncEngramClient, EngramClient

Policy = Literal["thompson", "best"]


@dataclass(frozen=True)
class Task:
    """What the agent is about to do: its context and the actions it could take."""

    context: str
    available_actions: Sequence[str] = ()
    id: str | None = None
    domain: str | None = None


@dataclass
class RemoteStrategy:
    """What execute_with_memory decided before running the caller's function."""

    task_id: str
    context: str
    chosen_approach: str
    memories: list[RetrieveMemoriesRetrieveMemories]
    suggestion: SuggestActionSuggest
    check: CheckActionCheckAction | None
    predicted_success: float | None

    @property
    def informed_by(self) -> list[str]:
        return [m.memory.id for m in self.memories]


# The same five steps end in the same outcome as the in-process TaskExecutor's.
RemoteOutcome = ExecutionOutcome


def choose(suggestion: SuggestActionSuggest, policy: Policy, rng: random.Random) -> str | None:
    """Thompson sampling over the Beta posteriors the service reports (mean = (1+s)/(2+n)), as the in-process
    executor draws; or the highest posterior mean ("best", deterministic)."""
    if not suggestion.actions:
        return None
    if policy == "best":
        return suggestion.actions[0].action
    draws = {}
    for a in suggestion.actions:
        total = a.estimate.attempts + 2
        alpha = max(a.estimate.mean * total, 1e-6)
        draws[a.action] = rng.betavariate(alpha, max(total - alpha, 1e-6))
    return max(draws, key=lambda action: (draws[action], action))


def _decide(task: Task, suggestion: SuggestActionSuggest, policy: Policy, rng: random.Random) -> str | None:
    chosen = choose(suggestion, policy, rng)
    if task.available_actions and chosen not in task.available_actions:
        chosen = None
    return chosen


def _after_check(chosen: str, check: CheckActionCheckAction | None, task: Task) -> str:
    """Apply what checkAction says, as the in-process executor does (engram.learning.tasks.apply_check): the
    better action it names when a prevention check shown guards the chosen action, or on BLOCK."""
    if check is None or not check.better_action:
        return chosen
    guarded = any(chosen in c.guards_actions for c in check.prevention_checks)
    if (guarded or check.verdict is Verdict.BLOCK) and (
            not task.available_actions or check.better_action in task.available_actions):
        return check.better_action
    return chosen


def _predicted(suggestion: SuggestActionSuggest, chosen: str) -> float | None:
    return next((a.estimate.mean for a in suggestion.actions if a.action == chosen), None)


def _decision_input(strategy: RemoteStrategy, task: Task, succeeded: bool) -> RecordDecisionInput:
    return RecordDecisionInput(
        context=task.context, action=strategy.chosen_approach,
        outcome=Outcome.SUCCESS if succeeded else Outcome.FAILURE,
        alternatives=[a for a in task.available_actions if a != strategy.chosen_approach] or None,
        informed_by=strategy.informed_by or None, task_id=strategy.task_id, predicted=strategy.predicted_success,
        domain=task.domain, check_token=strategy.check.token if strategy.check else None)


def _failure_input(strategy: RemoteStrategy, task: Task, error: BaseException,
                   solution: str | None) -> LearnFromFailureInput:
    return LearnFromFailureInput(error_message=f"{type(error).__name__}: {error}", context=task.context,
                                 solution=solution, solution_worked=True if solution else None,
                                 task_id=strategy.task_id, domain=task.domain, failed_action=strategy.chosen_approach)


def _strategy(task: Task, task_id: str, retrieved: RetrieveMemories, suggestion: SuggestAction,
              check: CheckAction | None, chosen: str) -> RemoteStrategy:
    return RemoteStrategy(task_id, task.context, chosen, list(retrieved.retrieve_memories), suggestion.suggest,
                          check.check_action if check else None, _predicted(suggestion.suggest, chosen))


def _final_action(task: Task, chosen: str | None, check: CheckAction | None, default_action: str | None) -> str:
    """The suggested action as checkAction leaves it; with no suggestion, the caller's default or the first."""
    if chosen:
        return _after_check(chosen, check.check_action if check else None, task)
    return default_action or (task.available_actions[0] if task.available_actions else "default")


def _outcome(strategy: RemoteStrategy, result: Any, error: BaseException | None, duration_ms: int,
             decision: RecordDecision, pattern_id: str | None) -> RemoteOutcome:
    return RemoteOutcome(strategy.task_id, strategy.chosen_approach, error is None, result,
                         f"{type(error).__name__}: {error}" if error else None, duration_ms,
                         decision.record_decision.memory_id, pattern_id, strategy.informed_by)


def _suggest_k(task: Task) -> int:
    """Enough actions for a posterior per candidate (Thompson draw), within the API's cost limit."""
    return min(20, max(5, len(task.available_actions)))


def execute_with_memory(client: EngramClient, task: Task, fn: Callable[[RemoteStrategy], Any], *,
                        recover: Callable[[BaseException], str | None] | None = None,
                        default_action: str | None = None, policy: Policy = "thompson",
                        rng: random.Random | None = None) -> RemoteOutcome:
    """Run `fn(strategy)` with the five steps around it. An Exception it raises is the task's failure: recorded,
    learned from and returned in the outcome (not raised). `recover(error)` may name the fix that resolved it.
    Errors of the service itself (EngramClientError) are raised."""
    rng = rng or random.Random()
    created = client.create_task(task.context, id=task.id, available_actions=list(task.available_actions) or None)
    task_id = created.create_task.id
    retrieved = client.retrieve_memories(task.context, k=10)                                       # 1. retrieve
    suggestion = client.suggest_action(task.context, candidates=list(task.available_actions) or None,
                                        k=_suggest_k(task))  # 2.
    chosen = _decide(task, suggestion.suggest, policy, rng)
    check = client.check_action(task.context, chosen) if chosen else None
    chosen = _final_action(task, chosen, check, default_action)
    strategy = _strategy(task, task_id, retrieved, suggestion, check, chosen)
    started = time.perf_counter()
    error: BaseException | None = None
    result = None
    try:
        result = fn(strategy)                                                                       # 3. run
    except Exception as exc:  # the task's own failure: learn from it
        error = exc
    duration_ms = int((time.perf_counter() - started) * 1000)
    decision = client.record_decision(_decision_input(strategy, task, error is None))             # 4. record
    pattern_id = None
    if error is not None:                                                                           # 5. learn
        solution = recover(error) if recover else None
        pattern_id = client.learn_from_failure(_failure_input(strategy, task, error, solution)).learn_from_failure.pattern_id
    return _outcome(strategy, result, error, duration_ms, decision, pattern_id)


async def execute_with_memory_async(client: AsyncEngramClient, task: Task,
                                    fn: Callable[[RemoteStrategy], Awaitable[Any] | Any], *,
                                    recover: Callable[[BaseException], str | None] | None = None,
                                    default_action: str | None = None, policy: Policy = "thompson",
                                    rng: random.Random | None = None) -> RemoteOutcome:
    """The same five steps with the async client; `fn` may be sync or async."""
    rng = rng or random.Random()
    created = await client.create_task(task.context, id=task.id,
                                       available_actions=list(task.available_actions) or None)
    task_id = created.create_task.id
    retrieved = await client.retrieve_memories(task.context, k=10)
    suggestion = await client.suggest_action(task.context, candidates=list(task.available_actions) or None,
                                        k=_suggest_k(task))
    chosen = _decide(task, suggestion.suggest, policy, rng)
    check = await client.check_action(task.context, chosen) if chosen else None
    chosen = _final_action(task, chosen, check, default_action)
    strategy = _strategy(task, task_id, retrieved, suggestion, check, chosen)
    started = time.perf_counter()
    error: BaseException | None = None
    result = None
    try:
        result = fn(strategy)
        if inspect.isawaitable(result):
            result = await result
    except Exception as exc:
        error = exc
    duration_ms = int((time.perf_counter() - started) * 1000)
    decision = await client.record_decision(_decision_input(strategy, task, error is None))
    pattern_id = None
    if error is not None:
        solution = recover(error) if recover else None
        learned = await client.learn_from_failure(_failure_input(strategy, task, error, solution))
        pattern_id = learned.learn_from_failure.pattern_id
    return _outcome(strategy, result, error, duration_ms, decision, pattern_id)
