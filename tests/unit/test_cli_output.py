"""The CLI prints other agents' stored text literally: Rich markup, emoji codes and terminal escapes in a
memory, a tag or an agent name are shown as typed, never obeyed (and a stray `[/bold]` does not crash)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from engram.cli.output import check_mark, emit_table, line, literal, say, say_error
from engram.cli.render import pattern_lines
from engram.entities.learning import FailureDetails, PatternView

HOSTILE = [
    "[red]✔ granted[/red]",
    "[link=http://evil.example]click[/link]",
    "unbalanced [/bold] closing tag",
    "[bold]never closed",
    ":thumbs_up: :smile:",
    "\\[escaped] and [/]",
]
CLI = Path(__file__).resolve().parents[2] / "server" / "engram" / "cli"


@pytest.mark.parametrize("text", HOSTILE)
def test_say_prints_markup_as_typed(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    say("stored: ", text)
    say((text, "bold"), err=True)
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == (f"stored: {text}\n", f"{text}\n")


@pytest.mark.parametrize("text", HOSTILE)
def test_table_title_and_cells_are_literal(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    emit_table(text, ["context"], [(text,), (None,)])
    out = capsys.readouterr().out
    assert out.count(text) == 2, out


def test_errors_and_hints_keep_their_text(capsys: pytest.CaptureFixture[str]) -> None:
    say_error("NOT_FOUND", "memory '[/bold]' not found", "try [red]this[/red]")
    assert capsys.readouterr().err == "error [NOT_FOUND]: memory '[/bold]' not found\nhint: try [red]this[/red]\n"


def test_terminal_control_characters_are_shown_escaped() -> None:
    shown = literal("ok\x1b[2J\x1b]8;;http://evil.example\x07link\r\u202efdp.exe\tend\nnext").plain
    assert "\x1b" not in shown and "\x07" not in shown and "\r" not in shown and "\u202e" not in shown
    assert shown == "ok\\x1b[2J\\x1b]8;;http://evil.example\\x07link\\r\\u202efdp.exe\tend\nnext"


def test_only_the_style_chosen_in_code_is_applied() -> None:
    text = line("→ ", ("[red]name[/red]", "bold"), " [green]tail[/green]")
    assert text.plain == "→ [red]name[/red] [green]tail[/green]"
    assert [(s.start, s.end, str(s.style)) for s in text.spans] == [(2, 17, "bold")]
    assert str(check_mark(True).style) == "green" and check_mark(False).plain == "✗ unhealthy"


def test_a_pattern_named_with_markup_renders_literally() -> None:
    view = PatternView(id="p1", kind="failure", name="[/bold][red]✔ safe[/red]", occurrences=2, agents=["[b]eve"],
                       recurring=True, estimate=None, first_seen=None, last_seen=None,
                       details=FailureDetails(signature="sig [/i]", contexts=["[link=x]ctx[/link]"], domains=[],
                                              solutions=[], checks=[]))
    plain = "\n".join(t.plain for t in pattern_lines(view))
    for text in ("[/bold][red]✔ safe[/red]", "[b]eve", "sig [/i]", "[link=x]ctx[/link]"):
        assert text in plain


def test_no_cli_module_prints_through_rich_markup_itself() -> None:
    """The rule lives in cli/output.py: elsewhere nothing calls console.print / err_console.print or prints
    a markup string, so a new command cannot bring the injection back by accident."""
    offenders = []
    for path in sorted(CLI.glob("*.py")):
        if path.name == "output.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr == "print" and isinstance(node.value, ast.Name) \
                    and node.value.id in ("console", "err_console"):
                offenders.append(f"{path.name}:{node.lineno}")
            if isinstance(node, ast.alias) and node.name in ("console", "err_console") and path.name != "knowledge.py":
                offenders.append(f"{path.name}:{node.name}")
    assert offenders == []
