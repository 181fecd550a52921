"""The `engram` command: one sub-command group per module, each imported only when it runs (engram.cli.lazy)."""

from __future__ import annotations

from pathlib import Path

import typer

from engram.cli.lazy import LazyGroup
from engram.cli.remote import ServiceOptions, remember_options

app = typer.Typer(
    name="engram",
    help="Engram Memory: memory, learning and knowledge sharing for LLM agents, on Neo4j.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    cls=LazyGroup,  # db, memory, learning, … serve, up: see engram.cli.lazy.LAZY_COMMANDS
)



@app.callback()
def root(
    ctx: typer.Context,
    url: str = typer.Option(None, "--url", envvar="ENGRAM_URL", show_envvar=True,
                            help="The service data commands talk to (default http://127.0.0.1:8000)."),
    api_key_file: Path = typer.Option(None, "--api-key-file", envvar="ENGRAM_API_KEY_FILE", show_envvar=True,
                                      help="A file holding the API key, as `engram agent create NAME --save PATH` "
                                           "writes it (default ~/.config/engram/api-key; ENGRAM_API_KEY wins)."),
    in_process: bool = typer.Option(False, "--in-process", envvar="ENGRAM_IN_PROCESS",
                                    help="Open the database directly even when the service is up."),
) -> None:
    """Engram Memory: memory, learning and knowledge sharing for LLM agents, on Neo4j.

    Data commands (memory, learning, …) talk to the running service over GraphQL with your API key; with no
    service (or no key) they open the database in-process and say so on stderr."""
    remember_options(ctx, ServiceOptions(url=url, key_file=api_key_file, in_process=in_process))


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
