"""Shared CLI plumbing: settings, `--format table|json`, stored text printed literally, clean error exits."""

from __future__ import annotations

import enum
import functools
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table
from rich.text import Text

from engram.config import Settings
from engram.errors import BadInputError, EngramError

console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])

# What the CLI prints is mostly other agents' text (contexts, actions, tags, pattern names, reasons, agent ids).
# Rich would read `[red]…[/red]`, `[link=…]`, `:emoji:` in it as markup (a stored `[/bold]` even raises), and a
# terminal would obey raw escape sequences. So nothing is printed as markup: `say` and `emit_table` take plain
# strings and show them literally; only a (text, style) pair chosen here in code gets a style.
Part = str | tuple[str, str] | Text

# Trojan-source bidi overrides and isolates, shown escaped like control characters.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _visible_char(char: str) -> str:
    if char in "\n\t":
        return char
    if unicodedata.category(char) == "Cc" or char in _BIDI:
        return char.encode("unicode_escape").decode("ascii")
    return char


def visible(text: str) -> str:
    """Text with control characters (ESC, BEL, CR …) and bidi overrides written out as escapes (`\\x1b`), so
    stored text cannot move the cursor, recolour or clear the terminal."""
    return "".join(_visible_char(c) for c in text) if not text.isprintable() else text


def literal(value: object) -> Text:
    """Any value as Text shown exactly as stored: never read as markup or emoji codes (None is empty)."""
    return value if isinstance(value, Text) else Text(visible("" if value is None else str(value)))


def line(*parts: Part) -> Text:
    """One line of output from literal parts; a (text, style) pair is literal text in a style, e.g. ("x", "bold")."""
    text = Text()
    for part in parts:
        if isinstance(part, tuple):
            text.append(literal(part[0]).plain, style=part[1])
        else:
            text.append_text(literal(part))
    return text


def say(*parts: Part, err: bool = False, soft_wrap: bool = False) -> None:
    """Print one line for people (stdout, or stderr with err=True); every part is literal, see `line`."""
    (err_console if err else console).print(line(*parts), soft_wrap=soft_wrap)


def say_error(code: str, message: str, hint: str | None = None) -> None:
    """An error as every command shows it: `error [CODE]: message` and an optional hint, on stderr."""
    say(("error", "bold red"), f" [{code}]: {message}", err=True)
    if hint:
        say((f"hint: {hint}", "dim"), err=True)


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
            say_error(exc.code, exc.message, exc.hint)
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
    """A table whose title and cells are literal text (a cell may be a styled Text made in code, e.g. check_mark)."""
    table = Table(title=literal(title) if title else None, title_justify="left")
    for column in columns:
        table.add_column(literal(column))
    for row in rows:
        table.add_row(*(literal(cell) for cell in row))
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


def check_mark(ok: bool) -> Text:
    return Text("✓ healthy", style="green") if ok else Text("✗ unhealthy", style="red")
