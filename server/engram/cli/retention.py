"""`engram retention set|show|remove|cleanup`: retention policies per agent and memory type, and cleanup."""

from __future__ import annotations

import dataclasses

import typer

from engram.cli.audit import privacy_services
from engram.cli.knowledge import progress_bar
from engram.cli.output import FormatOption, OutputFormat, emit, emit_table, handle_errors, parse_duration, say
from engram.entities.privacy import ANY, CleanupReport, RetentionPolicy

app = typer.Typer(help="Retention policies (max age, max count, min confidence) and cleanup.", no_args_is_help=True)

TypeOption = typer.Option(ANY, "--type", "-t", help="decision, failure, success, collaboration, knowledge, or * (all).")


@app.command("set")
@handle_errors
def set_policy(
    ctx: typer.Context,
    agent: str = typer.Option(..., "--agent", "-a", help="The agent, or * for every agent."),
    memory_type: str = TypeOption,
    max_age: str = typer.Option(None, "--max-age", help="Delete memories not seen for this long, e.g. 90d."),
    max_count: int = typer.Option(None, "--max-count", min=0, help="Keep only the newest N (per agent)."),
    min_confidence: float = typer.Option(None, "--min-confidence", min=0.0, max=1.0, help="Delete less confident ones."),
    output: OutputFormat = FormatOption,
) -> None:
    """Create or replace a policy (setting the same policy again changes nothing). The most specific
    policy governs a memory: agent+type, then agent, then type, then *."""
    with privacy_services(ctx) as services:
        policy = services.retention.set_policy(agent, memory_type, max_age=parse_duration(max_age) if max_age else None,
                                               max_count=max_count, min_confidence=min_confidence)
    emit(output, dataclasses.asdict(policy), lambda: say(f"Retention policy {policy.id}: {_limits(policy)}."))


@app.command()
@handle_errors
def show(
    ctx: typer.Context,
    agent: str = typer.Option(None, "--agent", "-a", help="Policies that can govern this agent (default: all)."),
    output: OutputFormat = FormatOption,
) -> None:
    """List retention policies."""
    with privacy_services(ctx) as services:
        policies = services.retention.policies(agent)
    emit(output, [dataclasses.asdict(p) for p in policies], lambda: emit_table(
        f"Retention policies ({len(policies)})", ["agent", "type", "max age (days)", "max count", "min confidence"],
        [(p.agent_id, p.memory_type, _num(p.max_age_days), p.max_count, p.min_confidence) for p in policies]))


@app.command()
@handle_errors
def remove(
    ctx: typer.Context,
    agent: str = typer.Option(..., "--agent", "-a", help="The agent, or * for every agent."),
    memory_type: str = TypeOption,
) -> None:
    """Remove a policy (NOT_FOUND when there is none)."""
    with privacy_services(ctx) as services:
        policy = services.retention.remove_policy(agent, memory_type)
    say(f"Removed retention policy {policy.id}.")


@app.command()
@handle_errors
def cleanup(
    ctx: typer.Context,
    agent: str = typer.Option(None, "--agent", "-a", help="Only this agent's memories."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Only report what would be deleted."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    output: OutputFormat = FormatOption,
) -> None:
    """Delete, for real, every memory past its retention policy (node, relationships, vector and
    fulltext entries), in audited batches. Idempotent: a second run finds nothing more."""
    with privacy_services(ctx) as services, progress_bar("deleting expired memories", quiet=quiet) as bar:
        report = services.retention.cleanup(agent, dry_run=dry_run, progress=bar.advance, on_candidates=bar.total)
    emit(output, dataclasses.asdict(report), lambda: _print_cleanup(report))


def _print_cleanup(report: CleanupReport) -> None:
    verb = "would delete" if report.dry_run else "deleted"
    count = report.candidates if report.dry_run else report.deleted
    reasons = ", ".join(f"{n} for {r}" for r, n in sorted(report.by_reason.items())) or "nothing expired"
    say(f"Cleanup {verb} {count} memories ({reasons}) in {report.seconds:.1f} s.")
    for owner, n in sorted(report.by_agent.items()):
        say(f"  {owner}: {n}")


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _limits(policy: RetentionPolicy) -> str:
    parts = []
    if policy.max_age_days is not None:
        parts.append(f"max age {policy.max_age_days:g} days")
    if policy.max_count is not None:
        parts.append(f"max count {policy.max_count}")
    if policy.min_confidence is not None:
        parts.append(f"min confidence {policy.min_confidence:g}")
    return ", ".join(parts)
