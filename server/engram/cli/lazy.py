"""A Typer group whose sub-commands are imported only when one runs: `engram --help` lists them from their
one-line help without importing the driver, the API or the model (tests check the lines stay in step)."""

from __future__ import annotations

import importlib
from typing import Any, NamedTuple

import click
import typer
from typer.core import TyperGroup


class LazyCommand(NamedTuple):
    module: str
    attribute: str  # a Typer sub-app, or a command function
    help: str


# name → where it lives; `engram --help` shows these lines without importing the modules.
LAZY_COMMANDS: dict[str, LazyCommand] = {
    "db": LazyCommand("engram.cli.db", "app", "Run the Neo4j server (Neo4j 5.26 + Graph Data Science) and manage its schema."),
    "memory": LazyCommand("engram.cli.memory", "app", "Record, find and manage agent memories."),
    "learning": LazyCommand("engram.cli.learning", "app", "What agents learned: statistics, patterns, suggestions, predictions."),
    "prevention": LazyCommand("engram.cli.prevention", "app", "Prevention checks derived from failure patterns."),
    "task": LazyCommand("engram.cli.task", "app", "Tasks (the workflow's units of work) that memories and results attach to."),
    "agent": LazyCommand("engram.cli.agent", "app", "Agents and their API keys for the GraphQL API."),
    "knowledge": LazyCommand("engram.cli.knowledge", "app", "Export, import and merge knowledge (with the owner's consent across agents)."),
    "consent": LazyCommand("engram.cli.consent", "app", "Consent between agents: requests, grants, denials, revocations."),
    "retention": LazyCommand("engram.cli.retention", "app", "Retention policies (max age, max count, min confidence) and cleanup."),
    "audit": LazyCommand("engram.cli.audit", "app", "The audit trail: who read, shared, exported or deleted whose memories."),
    "doctor": LazyCommand("engram.cli.doctor", "doctor", "Check Java, Maven, Neo4j, GDS, the indexes and the embedding model. Exit 1 if anything is unhealthy."),
    "serve": LazyCommand("engram.cli.serve", "serve", "Serve the GraphQL API (GraphiQL at /graphql in a browser) and /health with uvicorn."),
    "up": LazyCommand("engram.cli.serve", "up", "Start Neo4j (unless NEO4J_URI is set), apply the schema, load the demo data, then serve the API."),
    "mcp": LazyCommand("engram.cli.mcp", "mcp", "Serve Engram's MCP tools over stdio as the agent of your API key (logs go to stderr)."),
}


def load_command(name: str, spec: LazyCommand) -> click.Command:
    target: Any = getattr(importlib.import_module(spec.module), spec.attribute)
    if isinstance(target, typer.Typer):
        command: click.Command = typer.main.get_group(target)
    else:
        single = typer.Typer(add_completion=False)
        single.command(name=name)(target)
        command = typer.main.get_command(single)
    command.name = name
    return command


class LazyGroup(TyperGroup):
    """The root group: LAZY_COMMANDS next to the commands registered on it directly."""

    _listing = False  # while help is formatted, sub-commands are shown from their lines, not imported

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*LAZY_COMMANDS, *(n for n in super().list_commands(ctx) if n not in LAZY_COMMANDS)]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        spec = LAZY_COMMANDS.get(name)
        if spec is None:
            return super().get_command(ctx, name)
        if self._listing:
            return click.Command(name, help=spec.help, short_help=spec.help)
        return load_command(name, spec)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False
