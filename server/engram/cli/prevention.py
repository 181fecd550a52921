"""`engram prevention …`: derive checks from failure patterns, list them, check an action."""

from __future__ import annotations

import typer

from engram.entities.learning import PreventionCheck
from engram.cli.output import FormatOption, OutputFormat, emit, emit_table, handle_errors, say
from engram.cli.render import plain
from engram.cli.services import learning_engine
from engram.entities.learning import ActionCheck

app = typer.Typer(help="Prevention checks derived from failure patterns.", no_args_is_help=True)


@app.command()
@handle_errors
def generate(ctx: typer.Context, pattern: str = typer.Option(..., "--pattern", "-p", help="The failure pattern's id."),
             stage: str = typer.Option("development", "--stage", help="Workflow stage to attach the checks to."),
             output: OutputFormat = FormatOption) -> None:
    """Derive checks from a pattern's solutions, failed fixes and root causes (idempotent)."""
    with learning_engine(ctx) as engine:
        checks = engine.generate_prevention(pattern, stage)
    emit(output, plain(checks), lambda: _print_created(checks, stage))


def _print_created(checks: list[PreventionCheck], stage: str) -> None:
    for check in checks:
        say("→ Created prevention check: ", (check.name, "bold"))
        say(f"  {check.description}")
    say(f"  Added to workflow stage: {stage}")


@app.command("list")
@handle_errors
def list_checks(ctx: typer.Context, pattern: str = typer.Option(None, "--pattern", "-p", help="Only this pattern's checks."),
                agent: str = typer.Option(None, "--agent", "-a",
                                          help="As this agent sees them (default: the stored checks of every pattern)."),
                output: OutputFormat = FormatOption) -> None:
    """Prevention checks, per pattern, with their records: how often shown, the outcomes when followed and
    when ignored, before they existed, and their status (trial, promoted, retired)."""
    with learning_engine(ctx) as engine:
        checks = engine.prevention_checks(agent, pattern)
    emit(output, plain(checks), lambda: emit_table(
        "Prevention checks", ["pattern", "check", "status", "shown", "followed: failed", "ignored: failed",
                              "before: failed", "step"],
        [(c.pattern_id, c.name, c.status.value, c.record.shown if c.record else 0,
          *(_failed(getattr(c.record, k) if c.record else None) for k in ("followed", "ignored", "before")), c.step)
         for c in checks]))


def _failed(estimate) -> str:
    """Failures of attempts, e.g. "3 of 12" (outcome quality summed, so it may be fractional)."""
    if estimate is None or not estimate.attempts:
        return "–"
    return f"{estimate.attempts - estimate.successes:g} of {estimate.attempts:g}"


@app.command()
@handle_errors
def check(ctx: typer.Context, agent: str = typer.Option(..., "--agent", "-a", help="The agent about to act."),
          context: str = typer.Option(..., "--context", "-c", help="The situation, in words."),
          action: str = typer.Option(..., "--action", help="The action it intends to take."),
          output: OutputFormat = FormatOption) -> None:
    """Before acting: allow, warn or block an intended action, with the evidence. Exit 3 on block."""
    with learning_engine(ctx) as engine:
        result = engine.check_action(agent, context, action)
    emit(output, plain(result), lambda: _print_verdict(action, result))
    if result.verdict.value == "block":
        raise typer.Exit(3)


def _print_verdict(action: str, result: ActionCheck) -> None:
    color = {"allow": "green", "warn": "yellow", "block": "red"}[result.verdict.value]
    say("→ ", (result.verdict.value.upper(), color), f" {action}")
    for reason in result.reasons:
        say(f"  • {reason}")
