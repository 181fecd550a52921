"""`engram db start|stop|status|init|seed|backup|restore`: the Neo4j server Engram runs, and its schema."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import typer

from engram.cli.output import FormatOption, OutputFormat, emit, emit_table, handle_errors, say, settings_from
from engram.dbserver.backup import backup as backup_database
from engram.dbserver.backup import restore as restore_database
from engram.dbserver.process import ManagedNeo4j
from engram.storage.connection import open_driver
from engram.storage.schema import apply_schema

app = typer.Typer(help="Run the Neo4j server (Neo4j 5.26 + Graph Data Science) and manage its schema.", no_args_is_help=True)


@app.command()
@handle_errors
def start(ctx: typer.Context) -> None:
    """Fetch Neo4j + GDS from Maven Central (first time only) and start the server in the background."""
    settings = settings_from(ctx)
    status = ManagedNeo4j(settings).start(log=say)
    say(f"Neo4j is running (pid {status.pid}).")
    say(f"  Bolt:          {status.bolt_uri}")
    say(f"  Neo4j Browser: {status.browser_url}  (user neo4j, password in {settings.password_file})")


@app.command()
@handle_errors
def stop(ctx: typer.Context) -> None:
    """Shut the managed Neo4j server down cleanly."""
    stopped = ManagedNeo4j(settings_from(ctx)).stop()
    say("Neo4j stopped." if stopped else "Neo4j was not running.")


@app.command()
@handle_errors
def status(ctx: typer.Context, output: OutputFormat = FormatOption) -> None:
    """Whether the managed server runs and answers on Bolt. Exit 1 when it does not."""
    settings = settings_from(ctx)
    if not settings.managed:
        emit(output, {"managed": False, "bolt_uri": settings.bolt_uri},
             lambda: say(f"Using external Neo4j at {settings.bolt_uri}."))
        return
    state = ManagedNeo4j(settings).status()
    emit(output, {"managed": True, **asdict(state)}, lambda: emit_table("Neo4j", ["", ""], [
        ("running", "yes" if state.running else "no"),
        ("pid", state.pid),
        ("bolt", f"{state.bolt_uri} ({'answering' if state.bolt_answering else 'not answering'})"),
        ("browser", state.browser_url),
        ("home", state.home),
    ]))
    if not state.bolt_answering:
        raise typer.Exit(1)


@app.command()
@handle_errors
def init(ctx: typer.Context) -> None:
    """Apply constraints, the vector index and the fulltext index (idempotent) and wait until ONLINE."""
    settings = settings_from(ctx)
    driver = open_driver(settings)
    try:
        applied = apply_schema(driver, settings)
    finally:
        driver.close()
    say(f"Schema applied: {len(applied)} statements, all indexes ONLINE.")


@app.command()
@handle_errors
def seed(ctx: typer.Context) -> None:
    """Load the demo data in seeds/ (idempotent: loading twice changes nothing)."""
    from engram.cli.services import engine_services
    from engram.seeding import load_seeds

    with engine_services(ctx) as services:
        say(load_seeds(services, log=say))


@app.command()
@handle_errors
def backup(ctx: typer.Context, file: Path = typer.Argument(..., help="The dump file to write."),
           force: bool = typer.Option(False, "--force", help="Replace FILE if it exists.")) -> None:
    """Dump the managed server's database to FILE with neo4j-admin (stops Neo4j for the dump, then starts it again).

    For a server you run yourself (NEO4J_URI), run `neo4j-admin database dump` there; see the README."""
    settings = settings_from(ctx)
    result = backup_database(ManagedNeo4j(settings), file, overwrite=force, log=say)
    say(f"Backed up database {result.database!r} to {result.path} ({result.size_bytes:,} bytes).")


@app.command()
@handle_errors
def restore(ctx: typer.Context, file: Path = typer.Argument(..., help="A dump written by `engram db backup`."),
            yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask before replacing the database.")) -> None:
    """Replace the managed server's database with the dump in FILE (stops Neo4j, loads, starts it again)."""
    settings = settings_from(ctx)
    if not yes:
        typer.confirm(f"Replace database {settings.neo4j_database!r} in {settings.neo4j_home} with {file}?", abort=True)
    result = restore_database(ManagedNeo4j(settings), file, log=say)
    driver = open_driver(settings)
    try:
        apply_schema(driver, settings)  # waits until every index is ONLINE again
    finally:
        driver.close()
    say(f"Restored database {result.database!r} from {result.path}; indexes ONLINE.")
