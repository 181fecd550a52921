"""`engram learning …`: stats, patterns, failures, suggest, predict, check, apply-pattern, analyze."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import typer

from engram.cli import from_service
from engram.cli.output import (
    FactsOption, FormatOption, OutputFormat, emit, emit_table, handle_errors, parse_duration, say,
)
from engram.cli.remote import client_errors, service_client
from engram.cli.render import pattern_lines, plain, print_patterns, rate
from engram.cli.services import learning_engine
from engram.entities.learning import AppliedPattern, PatternView, Suggestion
from engram.errors import BadInputError
from engram.learning.facts import parse_facts

if TYPE_CHECKING:
    from engram.learning.stats import LearningStats

# Over the service, --agent becomes asAgent (an operator's key may act for any agent, audited); left out, the
# command acts as the key's own agent. In-process, left out means every agent's memories (operator view).

app = typer.Typer(help="What agents learned: statistics, patterns, suggestions, predictions.", no_args_is_help=True)

_RATE = re.compile(r"^\s*(>=|>|<=|<)?\s*(\d+(?:\.\d+)?)\s*%?\s*$")


def parse_rate_filter(text: str | None) -> float | None:
    """'>80%' → 0.8 (patterns at or above); only lower bounds are supported."""
    if text is None:
        return None
    match = _RATE.match(text)
    if not match or match.group(1) in ("<", "<="):
        raise BadInputError(f"Cannot read success-rate filter {text!r}; use e.g. '>80%' or '0.8'.")
    value = float(match.group(2))
    return value / 100 if value > 1 or "%" in text else value


def _context_from(engine, context: str | None, task_id: str | None, agent: str | None) -> tuple[str, str | None]:
    if task_id:
        task = engine.task(task_id, agent)
        return context or task.context, agent or task.agent_id
    if not context:
        raise BadInputError("Give --context or --task.")
    return context, agent


@app.command()
@handle_errors
def stats(ctx: typer.Context, agent: str = typer.Option(..., "--agent", "-a", help="The agent."),
          window: int = typer.Option(7, "--window", help="Days counted as recent."),
          output: OutputFormat = FormatOption) -> None:
    """Learning statistics of an agent, with the calibration of its predictions."""
    client = service_client(ctx)
    if client is not None:
        with client, client_errors():
            s = from_service.learning_stats(client.learning_stats(window_days=window, as_agent=agent).learning_stats,
                                            agent)
    else:
        with learning_engine(ctx) as engine:
            s = engine.stats(agent, window)
    emit(output, plain(s), lambda: _print_stats(agent, window, s))


def _print_stats(agent: str, window: int, s: LearningStats) -> None:
    kinds = ", ".join(f"{v} {k}" for k, v in sorted(s.by_kind.items())) or "none"
    say((agent, "bold"), f": {s.memories} memories ({kinds})")
    say(f"  • Decisions: {s.decisions}, {rate(s.success)}")
    say(f"  • Last {window} days: {rate(s.recent_success)}; before: {rate(s.earlier_success)}")
    say(f"  • Decisions informed by memory: {s.informed_share:.0%}")
    say(f"  • Failure patterns it can see: {s.patterns} ({s.recurring_patterns} recurring)")
    if s.calibration:
        say(f"  • Calibration (Brier score {s.brier_score:.3f}; lower is better):")
        emit_table("", ["predicted", "decisions", "mean predicted", "observed"],
                   [(f"{b.lower:.0%}–{b.upper:.0%}", b.count, f"{b.mean_predicted:.0%}", f"{b.observed_rate:.0%}")
                    for b in s.calibration])
    else:
        say("  • Calibration: no decisions with a recorded prediction yet.")


@app.command()
@handle_errors
def patterns(ctx: typer.Context,
             kind: str = typer.Option(None, "--type", "-t", help="failure, decision or success."),
             success_rate: str = typer.Option(None, "--success-rate", help="Only patterns at or above, e.g. '>80%'."),
             recurring: bool = typer.Option(False, "--recurring", help="Only recurring failure patterns."),
             agent: str = typer.Option(None, "--agent", "-a", help="As seen by this agent (default: all)."),
             limit: int = typer.Option(20, "--limit", "-n", min=1, max=500, help="At most this many patterns."),
             output: OutputFormat = FormatOption) -> None:
    """Learned patterns: failure patterns, decision templates and success patterns."""
    if recurring and kind not in (None, "failure"):
        raise BadInputError("--recurring applies to failure patterns.")
    with learning_engine(ctx) as engine:
        views = engine.patterns(agent, "failure" if recurring and kind is None else kind,
                                parse_rate_filter(success_rate), True if recurring else None, limit)
    emit(output, plain(views), lambda: print_patterns(views))


@app.command()
@handle_errors
def failures(ctx: typer.Context, recent: str = typer.Option("7d", "--recent", help="Window, e.g. 24h, 7d, 2w."),
             agent: str = typer.Option(None, "--agent", "-a", help="As seen by this agent (default: all)."),
             output: OutputFormat = FormatOption) -> None:
    """Failure patterns seen within a recent window."""
    since = datetime.now(UTC) - parse_duration(recent)
    with learning_engine(ctx) as engine:
        views = engine.failures_since(agent, since)
    emit(output, plain(views), lambda: _print_failures(since, views))


def _print_failures(since: datetime, views: list[PatternView]) -> None:
    say(f"Failure patterns since {since:%Y-%m-%d %H:%M} ({len(views)}):")
    for view in views:
        for line in pattern_lines(view):
            say(line)


@app.command()
@handle_errors
def suggest(ctx: typer.Context, context: str = typer.Option(None, "--context", "-c", help="The situation, in words."),
            task: str = typer.Option(None, "--task", help="Suggest for this task (its agent and context)."),
            agent: str = typer.Option(None, "--agent", "-a", help="Use what this agent may see (default: all; over "
                                                                  "the service, the API key's agent)."),
            k: int = typer.Option(5, "-k", min=1, max=50, help="How many ranked actions to show."),
            fact: list[str] = FactsOption, output: OutputFormat = FormatOption) -> None:
    """Memory-based suggestions: ranked actions with success rates, evidence and a recommendation."""
    client = service_client(ctx) if task is None else None  # a task's context is looked up in-process
    if client is not None:
        if not context:
            raise BadInputError("Give --context or --task.")
        with client, client_errors():
            suggestion = from_service.suggestion(client.suggest(context, k=k, facts=parse_facts(fact) or None,
                                                                as_agent=agent).suggest)
    else:
        with learning_engine(ctx) as engine:
            context, agent = _context_from(engine, context, task, agent)
            suggestion = engine.suggest(agent, context, k, facts=parse_facts(fact))
    emit(output, plain(suggestion), lambda: _print_suggestion(suggestion))


def _print_suggestion(suggestion: Suggestion) -> None:
    if not suggestion.actions:
        say(f"→ {suggestion.rationale}")
        return
    say("→ Based on past experience:")
    for a in suggestion.actions:
        say(f"  • {a.action} ({rate(a.estimate)}; {', '.join(a.agents) or 'no agent'})")
    if suggestion.recommended:
        say("  Recommended: ", (suggestion.recommended, "bold"))
    if suggestion.explore:
        say(f"  Worth exploring: {suggestion.explore} (too few attempts to rule it out)")


@app.command()
@handle_errors
def predict(ctx: typer.Context, context: str = typer.Option(..., "--context", "-c", help="The situation, in words."),
            action: str = typer.Option(..., "--action", help="The action to predict."),
            agent: str = typer.Option(None, "--agent", "-a", help="Use what this agent may see (default: all; over "
                                                                  "the service, the API key's agent)."),
            fact: list[str] = FactsOption, output: OutputFormat = FormatOption) -> None:
    """Predicted probability that an action succeeds in a context, with its uncertainty."""
    client = service_client(ctx)
    if client is not None:
        with client, client_errors():
            p = from_service.prediction(client.predict_outcome(context, action, facts=parse_facts(fact) or None,
                                                               as_agent=agent).predict_outcome,
                                         context, action)
    else:
        with learning_engine(ctx) as engine:
            p = engine.predict_outcome(agent, context, action, facts=parse_facts(fact))
    emit(output, plain(p), lambda: say(
        f"→ {action}: {p.probability:.0%} chance of success (90% CI {p.lower:.0%}–{p.upper:.0%}, "
        f"from {p.attempts:g} similar attempts)"))


@app.command("apply-pattern")
@handle_errors
def apply_pattern(ctx: typer.Context, pattern: str = typer.Argument(..., help="Pattern id."),
                  task: str = typer.Option(..., "--task", help="The task to apply it to."),
                  agent: str = typer.Option(None, "--agent", "-a", help="Default: the task's agent."),
                  output: OutputFormat = FormatOption) -> None:
    """Apply a learned pattern to a task: its approach becomes the task's strategy."""
    with learning_engine(ctx) as engine:
        applied = engine.apply_pattern(agent, pattern, task)
    emit(output, plain(applied), lambda: _print_applied(pattern, task, applied))


def _print_applied(pattern: str, task: str, applied: AppliedPattern) -> None:
    say(f"→ Applied {applied.kind} pattern ", (pattern, "bold"), f" to task {task}")
    say(f"  Strategy: {applied.action} ({rate(applied.estimate)}; learned from {', '.join(applied.agents)})")
    p = applied.prediction
    say(f"  Predicted success for this task: {p.probability:.0%} (90% CI {p.lower:.0%}–{p.upper:.0%})")
    for i, step in enumerate(applied.steps, start=1):
        say(f"    {i}. {step}")


@app.command()
@handle_errors
def analyze(ctx: typer.Context, output: OutputFormat = FormatOption) -> None:
    """Run pattern recognition now: signature grouping, GDS kNN + WCC merges, success patterns, prevention checks."""
    with learning_engine(ctx) as engine:
        report = engine.analyze()
    emit(output, plain(report), lambda: say(
        f"Analyzed {report.failures} failures in {report.seconds:.1f}s: {report.signature_groups} signature groups, "
        f"{report.patterns_before} → {report.patterns_after} failure patterns ({report.merged_patterns} merged by GDS, "
        f"{report.recurring_patterns} recurring), {report.success_patterns} success patterns; "
        f"{report.prevention_checks} prevention checks on recurring patterns; "
        f"{report.expired_check_showings} expired check showings deleted."))
