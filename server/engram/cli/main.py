"""The `engram` command: one sub-command group per module."""

from __future__ import annotations

import typer

from engram.cli import agent, db, doctor, learning, memory, prevention, serve, task
from engram.cli import audit, consent, knowledge, retention
from engram.cli import mcp as mcp_cli

app = typer.Typer(
    name="engram",
    help="Engram Memory: memory, learning and knowledge sharing for LLM agents, on Neo4j.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(db.app, name="db")
app.add_typer(memory.app, name="memory")
app.add_typer(learning.app, name="learning")
app.add_typer(prevention.app, name="prevention")
app.add_typer(task.app, name="task")
app.add_typer(agent.app, name="agent")
app.add_typer(knowledge.app, name="knowledge")
app.add_typer(consent.app, name="consent")
app.add_typer(retention.app, name="retention")
app.add_typer(audit.app, name="audit")
app.command()(doctor.doctor)
app.command()(serve.serve)
app.command()(serve.up)
app.command()(mcp_cli.mcp)

api_app = typer.Typer(help="The GraphQL API's contracts.", no_args_is_help=True)
app.add_typer(api_app, name="api")


@api_app.command("export-schema")
def export_schema(
    path: str = typer.Argument(None, help="Where to write the SDL (default graphql/schema.graphql)."),
    check: bool = typer.Option(False, "--check", help="Only compare; exit 1 when the file is out of date."),
) -> None:
    """Write the GraphQL schema (SDL) that agents code against."""
    from engram.api.gql.export import main as export_main

    raise typer.Exit(export_main(([path] if path else []) + (["--check"] if check else [])))


def main() -> None:
    app()

if __name__ == "__main__":
    main()
