"""The `engram` command: one sub-command group per module, each imported only when it runs (engram.cli.lazy)."""

from __future__ import annotations

import typer

from engram.cli.lazy import LazyGroup

app = typer.Typer(
    name="engram",
    help="Engram Memory: memory, learning and knowledge sharing for LLM agents, on Neo4j.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    cls=LazyGroup,  # db, memory, learning, … serve, up: see engram.cli.lazy.LAZY_COMMANDS
)

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
