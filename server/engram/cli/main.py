"""The `engram` command: one sub-command group per module."""

from __future__ import annotations

import typer

from engram.cli import db, doctor, memory, serve

app = typer.Typer(
    name="engram",
    help="Engram Memory: memory, learning and knowledge sharing for LLM agents, on Neo4j.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(db.app, name="db")
app.add_typer(memory.app, name="memory")
app.command()(doctor.doctor)
app.command()(serve.serve)
app.command()(serve.up)


def main() -> None:
    app()

if __name__ == "__main__":
    main()
