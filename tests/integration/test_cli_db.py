"""`engram db …` and `engram doctor` as a user runs them, including their error messages."""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path

import pytest

from engram.config import Settings
from tests.conftest import REPO, free_port, run_cli, server_env

pytestmark = pytest.mark.integration


def test_doctor_reports_every_part_healthy(settings: Settings, driver) -> None:
    result = run_cli("doctor", "--format", "json", env=server_env(settings))
    assert result.returncode == 0, result.stderr + result.stdout
    report = json.loads(result.stdout)
    checks = {c["check"]: c for c in report["checks"]}
    assert report["healthy"] is True
    assert checks["neo4j"]["detail"].startswith("5.26")
    assert checks["graph data science"]["detail"].startswith("2.13")
    assert checks["memory shard vector indexes"]["ok"]
    assert checks["index memory_text"]["ok"]
    assert "all-MiniLM-L6-v2" in checks["embedding model"]["detail"]


def test_doctor_fails_clearly_when_neo4j_is_unreachable() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "ENGRAM_"))}
    env.update(NEO4J_URI=f"bolt://127.0.0.1:{free_port()}", NEO4J_AUTH="neo4j/whatever1")
    result = run_cli("doctor", env=env)
    assert result.returncode == 1
    assert "unreachable" in result.stdout


@pytest.mark.skipif(bool(os.environ.get("NEO4J_URI")), reason="the test server is external")
def test_db_status_of_the_running_test_server(settings: Settings) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "ENGRAM_"))}
    env.update(ENGRAM_HOME=str(settings.home), ENGRAM_INSTANCE=settings.instance,
               ENGRAM_BOLT_PORT=str(settings.bolt_port), ENGRAM_HTTP_PORT=str(settings.http_port))
    result = run_cli("db", "status", "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert status["running"] and status["bolt_answering"]


def _isolated_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "ENGRAM_"))}
    env.update(ENGRAM_HOME=str(tmp_path), **extra)
    return env


def test_db_start_refuses_a_taken_port(tmp_path: Path) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        result = run_cli("db", "start", env=_isolated_env(tmp_path, ENGRAM_BOLT_PORT=str(port), ENGRAM_HTTP_PORT=str(free_port())))
    assert result.returncode == 1
    assert "PORT_IN_USE" in result.stderr and str(port) in result.stderr


def test_db_start_says_when_java_is_missing(tmp_path: Path) -> None:
    bin_only = tmp_path / "bin"
    bin_only.mkdir()
    env = _isolated_env(tmp_path, ENGRAM_BOLT_PORT=str(free_port()), ENGRAM_HTTP_PORT=str(free_port()))
    env["PATH"] = str(bin_only)  # no java, no mvn on PATH
    engram = Path(sys.executable).with_name("engram")
    import subprocess

    result = subprocess.run([str(engram), "db", "start"], env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "TOOL_MISSING" in result.stderr and "java" in result.stderr


def test_db_stop_when_nothing_runs(tmp_path: Path) -> None:
    result = run_cli("db", "stop", env=_isolated_env(tmp_path))
    assert result.returncode == 0
    assert "was not running" in result.stdout


def test_db_commands_refuse_to_manage_an_external_server() -> None:
    result = run_cli("db", "start", env={**os.environ, "NEO4J_URI": "bolt://example.invalid:7687"})
    assert result.returncode == 1
    assert "NEO4J_URI is set" in result.stderr
