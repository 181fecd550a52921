"""Every `engram` command and group has help of its own: the Typer app is walked the way sqlite-utils'
tests/test_docs.py walks its CLI, so a command added without a docstring fails here."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from engram.cli.main import app

Path = tuple[str, ...]


def walk(command: Any, path: Path = (), parent: Any = None) -> Iterator[tuple[Path, Any]]:
    """The command and, for a group, everything under it, through click's own listing (Typer ships its own
    click, so no isinstance checks; the root group loads its sub-commands lazily, so no `commands` dict)."""
    yield path, command
    if not hasattr(command, "list_commands"):
        return
    ctx = command.context_class(command, info_name=path[-1] if path else "engram", parent=parent)
    for name in sorted(command.list_commands(ctx)):
        yield from walk(command.get_command(ctx, name), (*path, name), ctx)


COMMANDS = list(walk(typer.main.get_command(app)))


def words(text: str) -> str:
    """Text without Rich's box drawing and line wrapping, to compare help as printed."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


def test_the_walk_reaches_every_group_and_its_commands() -> None:
    paths = {" ".join(path) for path, _ in COMMANDS}
    assert {"", "memory record", "learning analyze", "prevention check", "db start", "api export-schema",
            "audit verify", "consent grant", "knowledge import", "retention cleanup", "agent key", "doctor",
            "serve", "up"} <= paths
    assert len(paths) == len(COMMANDS) > 50


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(path) or "engram" for path, _ in COMMANDS])
def test_every_command_prints_its_own_help(path: Path, command: Any) -> None:
    summary = (command.help or "").strip()
    assert len(summary) >= 15, f"`engram {' '.join(path)}` has no help of its own: give it a docstring or help="
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200"}, terminal_width=200)
    assert result.exit_code == 0, result.output
    assert words(summary.splitlines()[0]) in words(result.output)


def test_no_two_commands_share_a_help_text() -> None:
    """A copied docstring says nothing about the second command; one command registered under two
    names (memory cleanup = retention cleanup) is the same callback and counts once."""
    by_help: dict[str, set] = {}
    for path, command in COMMANDS:
        function = inspect.unwrap(command.callback) if command.callback else " ".join(path)
        by_help.setdefault(words(command.help or ""), set()).add(function)
    assert [help_text for help_text, callbacks in by_help.items() if len(callbacks) > 1] == []


def test_every_option_and_argument_says_what_it_is_for() -> None:
    undocumented = [f"engram {' '.join(path)} {param.name}" for path, command in COMMANDS for param in command.params
                    if param.name != "help" and not (getattr(param, "help", None) or "").strip()]
    assert undocumented == []
