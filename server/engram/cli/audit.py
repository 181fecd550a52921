"""`engram audit`: what happened to an agent's memories (reads by others, sharing, exports, deletes), and
`engram audit verify`, which recomputes the hash chain and names any edited, inserted or removed event."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import typer

from engram.cli.output import (
    FormatOption, OutputFormat, emit, emit_table, handle_errors, parse_duration, say,
)
from engram.entities.privacy import ON_BEHALF_OF, AuditEvent, AuditEventType, VerificationReport
from engram.errors import BadInputError
from engram.cli import from_service
from engram.cli.remote import client_errors, paged, service_client
from engram.cli.services import engine_services

if TYPE_CHECKING:  # the engine is imported only when a command runs in-process (engram.cli.services)
    from engram.config import Settings
    from engram.privacy.audit import AuditLog
    from engram.privacy.consent import ConsentService
    from engram.privacy.retention import RetentionService
    from engram.storage.connection import Driver

app = typer.Typer(help="The audit trail: who read, shared, exported or deleted whose memories.",
                  invoke_without_command=True)


@dataclass
class PrivacyServices:
    settings: Settings
    driver: Driver
    audit: AuditLog
    consent: ConsentService
    retention: RetentionService


@contextmanager
def privacy_services(ctx: typer.Context) -> Iterator[PrivacyServices]:
    """One driver per invocation for the consent, retention and audit commands (no model needed)."""
    with engine_services(ctx) as services:
        yield PrivacyServices(services.settings, services.driver, services.audit, services.consent, services.retention)


@app.callback()
@handle_errors
def events(
    ctx: typer.Context,
    agent: str = typer.Option(None, "--agent", "-a", help="Events about this agent's memories or by it (default: all, operator view; "
                                                          "over the service, the API key's agent)."),
    since: str = typer.Option(None, "--since", help="Only this recent, e.g. 12h, 7d, 2w."),
    types: list[AuditEventType] = typer.Option([], "--type", "-t", help="Only this event type (repeatable)."),
    limit: int = typer.Option(100, "--limit", "-n", min=1, max=10_000, help="At most this many events."),
    output: OutputFormat = FormatOption,
) -> None:
    """List audit events, newest first. Sub-command `verify` checks the whole chain."""
    if ctx.invoked_subcommand is not None:
        return
    start = datetime.now(UTC) - parse_duration(since) if since else None
    client = service_client(ctx)
    if client is not None:
        from engram.client.generated import AuditEventType as ApiType

        with client, client_errors():
            api_types = [ApiType[t.value.upper()] for t in types] or None
            nodes = paged(lambda first, after: client.audit_events(
                types=api_types, since=start, first=first, after=after, as_agent=agent).audit_events, limit)
        found = [from_service.audit_event(node) for node in nodes]
    else:
        with privacy_services(ctx) as services:
            found = services.audit.events(agent, since=start, types=types or None, limit=limit)
    who = f" for {agent}" if agent else ""
    emit(output, [_event_json(e) for e in found], lambda: emit_table(
        f"Audit events{who} ({len(found)})", ["seq", "at", "type", "actor", "owner", "subjects", "details"],
        [(e.seq, e.at.strftime("%Y-%m-%d %H:%M:%S"), e.type, _actor(e), e.owner_id or "",
          _subjects(e.subject_ids), _details(e.details)) for e in found]))


@app.command()
@handle_errors
def verify(
    ctx: typer.Context,
    anchors: list[str] = typer.Option([], "--anchor", help="SEQ:HASH recorded earlier (e.g. a head printed by "
                                                           "verify); catches a chain rewritten from there on."),
    output: OutputFormat = FormatOption,
) -> None:
    """Recompute every event's hash and link; exit 1 naming each broken sequence number."""
    with privacy_services(ctx) as services:
        report = services.audit.verify(_anchors(anchors))
    emit(output, dataclasses.asdict(report), lambda: _print_verification(report))
    if not report.ok:
        raise typer.Exit(1)


def _print_verification(report: VerificationReport) -> None:
    if report.ok:
        say(("✓", "green"), f" audit chain intact: {report.checked} events; head "
            f"{report.head_seq}:{report.head_hash} (keep it elsewhere, check later with --anchor)", soft_wrap=True)
    else:
        say(("✗ audit chain broken", "bold red"), f" ({report.checked} events checked):", err=True)
        for problem in report.problems:
            say(f"  • {problem}", err=True, soft_wrap=True)


def _anchors(texts: list[str]) -> dict[int, str]:
    anchors = {}
    for text in texts:
        seq, _, digest = text.partition(":")
        if not seq.strip().isdigit() or len(digest.strip()) != 64:
            raise BadInputError(f"Cannot read anchor {text!r}; use SEQ:HASH with the 64-character hash.")
        anchors[int(seq)] = digest.strip().lower()
    return anchors


def _event_json(event: AuditEvent) -> dict:
    """The event as stored and hashed, with who it was done for (the indexed copy is checked by verify)."""
    fields = dataclasses.asdict(event)
    fields.pop("indexed_on_behalf_of")
    return fields | {"on_behalf_of": event.on_behalf_of}


def _subjects(ids: list[str]) -> str:
    return ", ".join(ids[:3]) + (f" (+{len(ids) - 3})" if len(ids) > 3 else "")


def _actor(event: AuditEvent) -> str:
    """An operator acting for an agent reads `ops (for alice)`."""
    return f"{event.actor_id} (for {event.on_behalf_of})" if event.on_behalf_of else event.actor_id


def _details(details: dict) -> str:
    text = ", ".join(f"{k}={v}" for k, v in sorted(details.items())
                     if v not in (None, [], "") and k != ON_BEHALF_OF)  # shown with the actor
    return text if len(text) <= 70 else text[:69] + "…"
