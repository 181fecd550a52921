"""The CLI answers at once: importing it loads neither torch nor the model nor the driver, and the
one-line help that `engram --help` shows for each lazily imported command is that command's own."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from engram.cli.lazy import LAZY_COMMANDS
from engram.cli.main import app

HEAVY = ("torch", "sentence_transformers", "transformers", "onnxruntime", "neo4j", "strawberry", "engram.api")


def test_importing_the_cli_loads_nothing_heavy() -> None:
    code = ("import sys, engram.cli.main; "
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "", f"`import engram.cli.main` imported {loaded}"


def test_top_level_help_imports_no_command_module() -> None:
    code = ("import sys; from typer.testing import CliRunner; from engram.cli.main import app; "
            "r = CliRunner().invoke(app, ['--help']); assert r.exit_code == 0, r.output; "
            "print(','.join(m for m in sys.modules if m.startswith('engram.cli.') and m not in "
            "('engram.cli.main', 'engram.cli.lazy', 'engram.cli.remote')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == ""


@pytest.mark.parametrize("name", sorted(LAZY_COMMANDS))
def test_lazy_help_line_is_the_commands_own(name: str) -> None:
    spec = LAZY_COMMANDS[name]
    target = getattr(importlib.import_module(spec.module), spec.attribute)
    own = target.info.help if isinstance(target, typer.Typer) else inspect.getdoc(target)
    assert own.splitlines()[0] == spec.help


@pytest.mark.parametrize("name", sorted(LAZY_COMMANDS))
def test_every_lazy_command_loads_and_has_help(name: str) -> None:
    result = CliRunner().invoke(app, [name, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output, result.output
    assert "Engram Memory: memory" in CliRunner().invoke(app, ["--help"]).output
