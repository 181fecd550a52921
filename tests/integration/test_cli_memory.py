"""`engram memory …` round trip as a user runs it: record → list/search/retrieve/show → forget."""

from __future__ import annotations

import json

import pytest

from engram.config import Settings
from tests.conftest import run_cli, server_env

pytestmark = pytest.mark.integration


def test_memory_cli_round_trip(settings: Settings, db) -> None:
    env = server_env(settings)

    def cli(*args: str):
        return run_cli("memory", *args, env=env)

    recorded = cli("record", "--agent", "alice", "--type", "decision", "--context", "api-auth-timeout",
                   "--action", "retry-with-exponential-backoff", "--outcome", "success", "--tag", "auth",
                   "--id", "cli-1", "--format", "json")
    assert recorded.returncode == 0, recorded.stderr
    assert json.loads(recorded.stdout) == {"id": "cli-1", "created": True, "redactions": 0}
    again = cli("record", "--agent", "alice", "--type", "decision", "--context", "api-auth-timeout",
                "--action", "retry-with-exponential-backoff", "--outcome", "success", "--id", "cli-1")
    assert again.returncode == 0 and "unchanged" in again.stdout

    listed = json.loads(cli("list", "--agent", "alice", "--format", "json").stdout)
    assert [m["id"] for m in listed] == ["cli-1"]
    found = json.loads(cli("search", "authentication timeout", "--agent", "alice", "--format", "json").stdout)
    assert found[0]["id"] == "cli-1" and found[0]["owned"] is True
    assert json.loads(cli("search", "authentication timeout", "--agent", "bob", "--format", "json").stdout) == []
    retrieved = json.loads(cli("retrieve", "--agent", "alice", "--context", "login API timing out", "--format", "json").stdout)
    assert retrieved[0]["id"] == "cli-1"
    shown = json.loads(cli("show", "cli-1", "--format", "json").stdout)
    assert {(l["type"], l["name"]) for l in shown["links"]} >= {("CHOSE", "retry-with-exponential-backoff"), ("TAGGED", "auth")}
    table = cli("show", "cli-1")
    assert table.returncode == 0 and "retry-with-exponential-backoff" in table.stdout

    forgotten = cli("forget", "cli-1")
    assert forgotten.returncode == 0
    missing = cli("show", "cli-1")
    assert missing.returncode == 1 and "NOT_FOUND" in missing.stderr


@pytest.mark.parametrize("args, message", [
    (["record", "--agent", "alice", "--type", "decision", "--context", "x"], "needs --action"),
    (["record", "--agent", "alice", "--type", "failure", "--context", "x"], "needs --error"),
    (["record", "--agent", "alice", "--type", "collaboration", "--context", "x"], "needs --partner"),
    (["record", "--agent", "alice", "--type", "knowledge", "--context", "x"], "needs --domain"),
    (["record", "--agent", "alice", "--type", "decision", "--context", "   ", "--action", "a"], "non-empty context"),
    (["retrieve", "--agent", "alice", "--context", ""], "empty"),
    (["share", "--from", "alice", "--to", "bob"], "exactly one scope"),
    (["share", "--from", "alice", "--to", "bob", "--domain", "db", "--expires", "soon"], "duration"),
])
def test_bad_input_gets_a_clear_message_and_exit_2(settings: Settings, db, args: list[str], message: str) -> None:
    result = run_cli("memory", *args, env=server_env(settings))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "BAD_USER_INPUT" in result.stderr and message in result.stderr


def test_invalid_choice_is_rejected_by_the_parser(settings: Settings) -> None:
    result = run_cli("memory", "record", "--agent", "a", "--type", "opinion", "--context", "x", env=server_env(settings))
    assert result.returncode == 2 and "opinion" in result.stderr


MARKUP_CONTEXT = "[red]✔ ok[/red] [link=http://x.io]auth[/link] :smile:"  # within the list column
MARKUP_ACTION = "[/bold]retry"


def test_stored_markup_is_printed_literally_not_obeyed(settings: Settings, db) -> None:
    """Another agent's text holding Rich markup (a fake green tick, a link, an unbalanced closing tag that
    used to raise MarkupError) prints exactly as stored, in tables and in spec-style lines."""
    env = server_env(settings) | {"COLUMNS": "250"}

    def cli(*args: str):
        result = run_cli("--in-process", *args, env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    cli("memory", "record", "--agent", "[b]eve", "--type", "decision", "--context", MARKUP_CONTEXT,
        "--action", MARKUP_ACTION, "--outcome", "success", "--id", "markup-1")
    listed = cli("memory", "list", "--agent", "[b]eve")
    assert "Memories of [b]eve" in listed and MARKUP_CONTEXT in listed and MARKUP_ACTION in listed
    shown = cli("memory", "show", "markup-1")
    assert MARKUP_CONTEXT in shown and MARKUP_ACTION in shown
    suggested = cli("learning", "suggest", "--context", MARKUP_CONTEXT, "--agent", "[b]eve")
    assert f"Recommended: {MARKUP_ACTION}" in suggested and f"• {MARKUP_ACTION} (" in suggested
