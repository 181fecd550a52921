"""The learning simulation's world and metrics (bench/), without the service: reproducible, fair, counted right."""

from __future__ import annotations

from bench import sim_world as world
from bench.learning_sim import Attempt, ArmResult, failures_before_first_success, recurring_failure_rates, run_baseline


def test_the_task_stream_is_reproducible_and_second_agents_start_late() -> None:
    first, again, other = world.task_stream(7, days=12), world.task_stream(7, days=12), world.task_stream(8, days=12)
    assert [t.context for t in first] == [t.context for t in again]
    assert [t.context for t in first] != [t.context for t in other]
    for agent, kind in world.followers():
        days = [t.day for t in first if t.agent == agent and t.type.name == kind]
        assert days and min(days) >= world.FOLLOWER_START


def test_every_arm_faces_the_same_luck_and_drift_changes_the_odds() -> None:
    task = next(t for t in world.task_stream(7, days=30) if t.type.name == "partner-api" and t.day >= world.DRIFT_DAY)
    assert world.succeeds(7, task, "increase-timeout") == world.succeeds(7, task, "increase-timeout")
    assert world.success_probability(task, "increase-timeout", day=1) > world.success_probability(task, "increase-timeout")
    kind, message = world.error_of(task, "retry-immediately")
    assert kind == "api-429" and "429 Too Many Requests" in message and "{" not in message


def test_failures_before_the_first_success_are_counted_per_follower_and_task_type() -> None:
    agent, kind = world.followers()[0]
    tasks = [t for t in world.task_stream(7, days=30) if t.agent == agent and t.type.name == kind]
    attempts = [Attempt(tasks[0], 1, "a", False, "x"), Attempt(tasks[0], 2, "b", False, "y"),
                Attempt(tasks[1], 1, "c", True), Attempt(tasks[2], 1, "a", False, "x")]
    counts = failures_before_first_success(attempts)
    assert counts[(agent, kind)] == 2
    assert all(n == 0 for pair, n in counts.items() if pair != (agent, kind))


def test_recurring_failure_rates_split_at_the_day_checks_appeared() -> None:
    one_per_day = {t.day: t for t in reversed(world.task_stream(7, days=30)) if t.type.name == "npm-install"}
    tasks = [one_per_day[d] for d in sorted(one_per_day)][:4]
    arm = ArmResult("x", [Attempt(t, 1, "npm-install", False, "npm-etimedout") for t in tasks[:2]]
                    + [Attempt(t, 1, "npm-ci-with-cache", True) for t in tasks[2:]])
    before, after, n_before, n_after = recurring_failure_rates(arm, {"npm-etimedout": tasks[2].day})
    assert (n_before, n_after) == (2, 2) and before == 1.0 and after == 0.0


def test_the_baseline_never_repeats_an_action_that_failed_on_the_same_task() -> None:
    result = run_baseline(world.task_stream(7, days=5), seed=7)
    by_task: dict[str, list[str]] = {}
    for a in result.attempts:
        by_task.setdefault(a.task.id, []).append(a.action)
    assert all(len(actions) == len(set(actions)) for actions in by_task.values())
    assert all(a.ok or a.error_kind for a in result.attempts)


def test_early_failures_count_the_first_five_tasks_of_a_follower() -> None:
    from bench.learning_sim import early_failures

    agent, kind = world.followers()[0]
    tasks = [t for t in world.task_stream(7, days=30) if t.agent == agent and t.type.name == kind][:7]
    attempts = [Attempt(t, 1, "a", False, "x") for t in tasks] + [Attempt(tasks[0], 2, "b", False, "y")]
    assert early_failures(attempts)[(agent, kind)] == 6
