"""`engram consent …`: ask for access, grant or deny it, revoke it, and list requests and grants."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import typer

from engram.cli import from_service
from engram.cli.audit import privacy_services
from engram.cli.remote import client_errors, paged, service_client
from engram.cli.output import (
    FormatOption, OutputFormat, emit, emit_table, format_time, handle_errors, parse_duration, say,
)
from engram.errors import BadInputError

if TYPE_CHECKING:
    from engram.privacy.consent import GrantResult, ShareGrant, ShareRequest

app = typer.Typer(help="Consent between agents: requests, grants, denials, revocations.", no_args_is_help=True)


def scope_of(pattern: str | None, domain: str | None, tag: str | None, memory_ids: list[str],
             required: bool = True) -> tuple[str | None, str | None]:
    scopes = [(s, v) for s, v in (("pattern", pattern), ("domain", domain), ("tag", tag)) if v]
    if memory_ids:
        scopes.append(("memory", None))
    if len(scopes) > 1 or (required and not scopes):
        raise BadInputError("Give exactly one scope: --pattern, --domain, --tag or --memory.")
    return scopes[0] if scopes else (None, None)


def describe_grant(result: GrantResult) -> str:
    g = result.grant
    what = g.value if g.value else ", ".join(g.memory_ids)
    until = g.expires_at.strftime("%Y-%m-%d %H:%M") if g.expires_at else "revoked"
    if result.created:
        return f"Grant {g.id}: {g.owner_id} shares {g.scope} {what!r} with {g.grantee_id} until {until}."
    if g.revoked_at is not None:
        return (f"Grant {g.id} for this request was revoked on {g.revoked_at:%Y-%m-%d %H:%M}; "
                f"give a new grant with --to instead.")
    return (f"Already granted (unchanged): {g.id} shares {g.scope} {what!r} with {g.grantee_id} until {until}; "
            f"revoke it and grant again to change it.")


@app.command()
@handle_errors
def request(
    ctx: typer.Context,
    agent: str = typer.Option(..., "--agent", "-a", help="The agent asking for access."),
    owner: str = typer.Option(..., "--owner", help="The agent whose memories are asked for."),
    pattern: str = typer.Option(None, "--pattern", help="Ask for the memories of this pattern."),
    domain: str = typer.Option(None, "--domain", help="Ask for the memories in this domain."),
    tag: str = typer.Option(None, "--tag", help="Ask for the memories with this tag."),
    memory_ids: list[str] = typer.Option([], "--memory", help="Ask for this memory (repeatable)."),
    reason: str = typer.Option("", "--reason", help="Why (shown to the owner; secrets are redacted)."),
    duration: str = typer.Option(None, "--duration", help="How long access is wanted, e.g. 7d."),
    output: OutputFormat = FormatOption,
) -> None:
    """Ask an owner for access. Asking again while the same request is pending changes nothing."""
    scope, value = scope_of(pattern, domain, tag, memory_ids)
    with privacy_services(ctx) as services:
        made = services.consent.request_access(agent, owner, scope, value, memory_ids, reason,
                                               parse_duration(duration) if duration else None)
    emit(output, dataclasses.asdict(made), lambda: say(
        f"Request {made.id}: {agent} asks {owner} for {made.scope} "
        f"{made.value or ', '.join(made.memory_ids)!r} ({made.status})."))


@app.command("requests")
@handle_errors
def list_requests(
    ctx: typer.Context,
    agent: str = typer.Option(..., "--agent", "-a", help="The agent whose requests to list."),
    outgoing: bool = typer.Option(False, "--outgoing", help="Requests the agent made (default: made to it)."),
    status: str = typer.Option(None, "--status", help="pending, granted or denied."),
    output: OutputFormat = FormatOption,
) -> None:
    """Requests made to an agent (or by it)."""
    with privacy_services(ctx) as services:
        found = services.consent.list_requests(agent, "outgoing" if outgoing else "incoming", status)
    _emit_requests(found, output, f"Requests {'by' if outgoing else 'to'} {agent}")


@app.command()
@handle_errors
def grant(
    ctx: typer.Context,
    owner: str = typer.Option(..., "--owner", help="The owner, who consents."),
    request_id: str = typer.Option(None, "--request", help="Grant this request (its scope, unless narrowed)."),
    grantee: str = typer.Option(None, "--to", help="Without --request: the agent who may see the memories."),
    pattern: str = typer.Option(None, "--pattern", help="Share the memories this pattern holds now (later ones need a new grant)."),
    domain: str = typer.Option(None, "--domain", help="Share the memories in this domain."),
    tag: str = typer.Option(None, "--tag", help="Share the memories with this tag."),
    memory_ids: list[str] = typer.Option([], "--memory", help="Share this memory (repeatable)."),
    expires: str = typer.Option(None, "--expires", help="How long the grant lasts (default: as requested, else 30d)."),
    output: OutputFormat = FormatOption,
) -> None:
    """Grant access: a request, or directly. Granting the same again returns the existing grant."""
    scope, value = scope_of(pattern, domain, tag, memory_ids, required=request_id is None)
    expires_at = datetime.now(UTC) + parse_duration(expires) if expires else None
    grant_and_show(ctx, owner, request_id=request_id, grantee=grantee, scope=scope, value=value,
                   memory_ids=memory_ids, expires_at=expires_at, output=output)


def grant_and_show(ctx: typer.Context, owner: str, *, request_id: str | None = None, grantee: str | None,
                   scope: str | None, value: str | None, memory_ids: list[str], expires_at: datetime | None,
                   output: OutputFormat) -> None:
    """Record the owner's grant (audited) and print it; `consent grant` and `memory share` both end here."""
    with privacy_services(ctx) as services:
        result = services.consent.grant_detailed(owner, request_id=request_id, grantee=grantee, scope=scope,
                                                 value=value, memory_ids=memory_ids or None, expires_at=expires_at)
    emit(output, dataclasses.asdict(result.grant) | {"created": result.created},
         lambda: say(describe_grant(result)))


@app.command()
@handle_errors
def deny(
    ctx: typer.Context,
    request_id: str = typer.Argument(..., metavar="REQUEST", help="The request's id."),
    owner: str = typer.Option(..., "--owner", help="The owner the request was made to."),
    output: OutputFormat = FormatOption,
) -> None:
    """Deny a pending request (denying again changes nothing)."""
    with privacy_services(ctx) as services:
        denied = services.consent.deny(owner, request_id)
    emit(output, dataclasses.asdict(denied),
         lambda: say(f"Request {denied.id} from {denied.requester_id}: {denied.status}."))


@app.command()
@handle_errors
def revoke(
    ctx: typer.Context,
    grant_id: str = typer.Argument(..., metavar="GRANT", help="The grant's id."),
    owner: str = typer.Option(..., "--owner", help="The owner who gave the grant."),
    output: OutputFormat = FormatOption,
) -> None:
    """Revoke a grant; every read path stops showing its memories at once (revoking again changes nothing)."""
    with privacy_services(ctx) as services:
        revoked = services.consent.revoke(owner, grant_id)
    emit(output, dataclasses.asdict(revoked), lambda: say(
        f"Revoked {revoked.id}: {revoked.grantee_id} no longer sees {revoked.owner_id}'s "
        f"{revoked.scope} {revoked.value or ', '.join(revoked.memory_ids)!r}."))


@app.command("grants")
@handle_errors
def list_grants(
    ctx: typer.Context,
    agent: str = typer.Option(None, "--agent", "-a", help="The agent whose grants to list (over the service, "
                                                          "default: the API key's agent)."),
    received: bool = typer.Option(False, "--received", help="Grants the agent holds (default: given by it)."),
    include_dead: bool = typer.Option(False, "--all", help="Also revoked and expired grants."),
    output: OutputFormat = FormatOption,
) -> None:
    """Grants an agent has given (or received)."""
    client = service_client(ctx)
    if client is not None:
        from engram.client.generated import GrantDirection

        with client, client_errors():
            direction = GrantDirection.RECEIVED if received else GrantDirection.GIVEN
            nodes = paged(lambda first, after: client.grants(direction, live_only=not include_dead, first=first,
                                                             after=after, as_agent=agent).grants, 10_000)
        found = [from_service.grant(g) for g in nodes]
        agent = agent or client.viewer().viewer.agent_id or "you"
    elif agent is None:
        raise BadInputError("Give --agent (in-process there is no API key to say whose grants to list).")
    else:
        with privacy_services(ctx) as services:
            found = services.consent.list_grants(agent, "received" if received else "given",
                                                 live_only=not include_dead)
    _emit_grants(found, output, f"Grants {'to' if received else 'by'} {agent}")


def _emit_requests(found: list[ShareRequest], output: OutputFormat, title: str) -> None:
    emit(output, [dataclasses.asdict(r) for r in found], lambda: emit_table(
        f"{title} ({len(found)})", ["id", "from", "to", "scope", "value", "status", "reason", "created", "grant"],
        [(r.id, r.requester_id, r.owner_id, r.scope, r.value or ", ".join(r.memory_ids), r.status, r.reason,
          format_time(r.created_at), r.grant_id) for r in found]))


def _emit_grants(found: list[ShareGrant], output: OutputFormat, title: str) -> None:
    emit(output, [dataclasses.asdict(g) for g in found], lambda: emit_table(
        f"{title} ({len(found)})", ["id", "owner", "grantee", "scope", "value", "expires", "revoked"],
        [(g.id, g.owner_id, g.grantee_id, g.scope, g.value or ", ".join(g.memory_ids), format_time(g.expires_at),
          format_time(g.revoked_at)) for g in found]))
