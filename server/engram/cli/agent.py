"""`engram agent …`: create agents and their API keys (printed once, stored only as a hash), rotate, revoke."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from engram.auth.service import ApiKeyService, IssuedKey
from engram.cli.output import (
    FormatOption, OutputFormat, emit, emit_table, format_time, handle_errors, say, settings_from,
)
from engram.cli.services import engine_services
from engram.errors import BadInputError
from engram.storage.schema import apply_schema

app = typer.Typer(help="Agents and their API keys for the GraphQL API.", no_args_is_help=True)


@contextmanager
def key_service(ctx: typer.Context) -> Iterator[ApiKeyService]:
    with engine_services(ctx) as services:
        yield services.keys


def _emit_issued(issued: IssuedKey, output: OutputFormat, verb: str) -> None:
    emit(output, {"agent": issued.agent.id, "operator": issued.agent.operator, "key": issued.token,
                  "prefix": issued.key.prefix, "created_at": issued.key.created_at},
         lambda: _print_issued(issued, verb))


def _print_issued(issued: IssuedKey, verb: str) -> None:
    role = " (operator)" if issued.agent.operator else ""
    say(f"{verb} agent ", (issued.agent.id, "bold"), f"{role}. Its API key, shown only this once:")
    # Printed plainly (no markup, no wrapping) so it can be copied or captured by scripts.
    typer.echo(issued.token)
    say((f"Send it as `Authorization: Bearer <key>`; it is listed as {issued.key.prefix}.", "dim"))


@app.command()
@handle_errors
def create(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The agent's id, e.g. alice."),
    operator: bool = typer.Option(False, "--operator", help="May search all agents and act for any agent (audited)."),
    save: Path = typer.Option(None, "--save", help="Also write the key to this new file (mode 0600), e.g. for "
                                                   "ENGRAM_API_KEY_FILE."),
    output: OutputFormat = FormatOption,
) -> None:
    """Create an agent and print its first API key (once; only its hash is stored)."""
    settings = settings_from(ctx)
    if save is not None and save.exists():
        raise BadInputError(f"{save} exists already; a key file is never overwritten.")
    with key_service(ctx) as service:
        apply_schema(service.repository.driver, settings)  # the ApiKey constraints exist before the first key
        issued = service.create_agent(name, operator=operator)
    if save is not None:
        save_key(save, issued.token)
    _emit_issued(issued, output, "Created")
    if save is not None and output is not OutputFormat.json:
        say((f"Saved to {save}: `export ENGRAM_API_KEY=$(cat {save})`.", "dim"))


def save_key(path: Path, token: str) -> None:
    """The key in a file only its owner can read, created fresh (O_EXCL: never over another file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(token + "\n")


@app.command()
@handle_errors
def key(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The agent."),
    revoke_others: bool = typer.Option(False, "--revoke-others", help="Rotate: revoke every older key now."),
    output: OutputFormat = FormatOption,
) -> None:
    """Issue a new API key for an agent (printed once). Old keys keep working unless revoked."""
    with key_service(ctx) as service:
        issued = service.issue_key(name, revoke_others=revoke_others)
    _emit_issued(issued, output, "New key for")


@app.command()
@handle_errors
def keys(ctx: typer.Context, name: str = typer.Argument(..., help="The agent."),
         output: OutputFormat = FormatOption) -> None:
    """An agent's keys by prefix, with when they were created and revoked."""
    with key_service(ctx) as service:
        records = service.list_keys(name)
    emit(output, [{"prefix": k.prefix, "created_at": k.created_at, "revoked_at": k.revoked_at} for k in records],
         lambda: emit_table(f"Keys of {name} ({len(records)})", ["prefix", "created", "revoked"],
                            [(k.prefix, format_time(k.created_at), format_time(k.revoked_at)) for k in records]))


@app.command()
@handle_errors
def revoke(
    ctx: typer.Context,
    prefix: str = typer.Argument(..., help="The key's prefix as `engram agent keys` lists it (eng_…)."),
    agent: str = typer.Option(None, "--agent", "-a", help="Only if the key belongs to this agent."),
) -> None:
    """Revoke a key: the next request made with it is refused."""
    with key_service(ctx) as service:
        record = service.revoke_key(prefix, agent)
    say(f"Revoked key {record.prefix} of {record.agent_id} (since {format_time(record.revoked_at)}).")


@app.command("list")
@handle_errors
def list_agents(ctx: typer.Context, output: OutputFormat = FormatOption) -> None:
    """Every agent, with its role, live keys and memory count."""
    with key_service(ctx) as service:
        agents = service.list_agents()
    emit(output, [{"id": a.id, "operator": a.operator, "live_keys": a.live_keys, "memories": a.memories,
                   "created_at": a.created_at} for a in agents],
         lambda: emit_table(f"Agents ({len(agents)})", ["id", "role", "live keys", "memories", "created"],
                            [(a.id, "operator" if a.operator else "agent", a.live_keys, a.memories,
                              format_time(a.created_at)) for a in agents]))


@app.command()
@handle_errors
def delete(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The agent to delete."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
    output: OutputFormat = FormatOption,
) -> None:
    """Delete an agent for real: revoke its keys, delete its memories, grants, share requests and tasks (audited)."""
    if not yes:
        typer.confirm(f"Delete agent {name} and everything it remembers, for good?", abort=True)
    with engine_services(ctx) as services:
        report = services.agents.delete(name)
    emit(output, dataclasses.asdict(report), lambda: say(
        "Deleted agent ", (name, "bold"), f": {report.memories} memories, {report.keys} keys, {report.grants} grants, "
        f"{report.requests} share requests, {report.tasks} tasks, {report.policies} retention policies."))
