"""Shared CLI plumbing: settings from the context, `--format table|json`, and clean error exits."""

from __future__ import annotations

import enum
import functools
import json
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from engram.config import Settings
from engram.errors import BadInputError, EngramError

console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


class OutputFormat(str, enum.Enum):
    table = "table"
    json = "json"


FactsOption = typer.Option([], "--fact", help="A detail of the context as KEY=VALUE, e.g. env=production or "
                                               "rows=80000000 (repeatable; decisions split on them).")
FormatOption = typer.Option(OutputFormat.table, "--format", "-f", help="table for people, json for machines.")


def settings_from(ctx: typer.Context) -> Settings:
    """Settings are built once per invocation, on first use (never at import time)."""
    root = ctx.find_root()
    if root.obj is None:
        try:
            root.obj = Settings()
        except ValidationError as exc:
            raise BadInputError(f"Invalid configuration: {exc}") from exc
    return root.obj


def handle_errors(fn: F) -> F:
    """Engram errors become a red message on stderr and a non-zero exit (2 for bad input)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except EngramError as exc:
            err_console.print(f"[bold red]error[/bold red] [{exc.code}]: {exc.message}", highlight=False)
            if exc.hint:
                err_console.print(f"[dim]hint: {exc.hint}[/dim]", highlight=False)
            raise typer.Exit(2 if isinstance(exc, BadInputError) else 1) from None

    return wrapper  # type: ignore[return-value]


def emit(output: OutputFormat, data: Any, table: Callable[[], object]) -> None:
    """How every command prints its result: `data` as JSON for `--format json`, else `table()` for people."""
    if output is OutputFormat.json:
        emit_json(data)
    else:
        table()


def emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str))


def emit_table(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    console.print(table)


_DURATION = re.compile(r"^(\d+)([hdw])$")


def parse_duration(text: str) -> timedelta:
    """A duration as the CLI takes it: 12h, 7d, 2w."""
    match = _DURATION.match(text.strip())
    if not match:
        raise BadInputError(f"Cannot read duration {text!r}; use e.g. 12h, 7d or 2w.")
    number, unit = int(match.group(1)), match.group(2)
    return {"h": timedelta(hours=number), "d": timedelta(days=number), "w": timedelta(weeks=number)}[unit]


def format_time(value: datetime | None) -> str:
    """A time as tables show it (minutes), or empty."""
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def check_mark(ok: bool) -> str:
    return "[green]✓ healthy[/green]" if ok else "[red]✗ unhealthy[/red]"
