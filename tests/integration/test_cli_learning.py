"""The spec's three example scenarios, run with the real `engram` CLI on the seeded demo data."""

from __future__ import annotations

import json

import pytest

from engram.config import Settings
from engram.seeding import load_seeds
from tests.conftest import run_cli, server_env

pytestmark = pytest.mark.integration


@pytest.fixture
def seeded(services, settings: Settings) -> dict[str, str]:
    load_seeds(services, log=lambda *_: None)
    return server_env(settings)


def test_scenario_1_authentication_failure_pattern(seeded: dict[str, str]) -> None:
    out = run_cli("learning", "suggest", "--context", "api-auth-timeout", "--agent", "alice", env=seeded)
    assert out.returncode == 0, out.stderr
    assert "Based on past experience" in out.stdout
    assert "Recommended: retry-with-exponential-backoff" in out.stdout
    lines = [line for line in out.stdout.splitlines() if line.strip().startswith("•")]
    assert "retry-with-exponential-backoff" in lines[0] and "increase-timeout" in out.stdout
    data = json.loads(run_cli("learning", "suggest", "--context", "api-auth-timeout", "--agent", "alice",
                              "--format", "json", env=seeded).stdout)
    best = data["actions"][0]
    assert best["action"] == "retry-with-exponential-backoff"
    assert 0 < best["estimate"]["lower"] < best["estimate"]["mean"] < best["estimate"]["upper"] < 1
    assert all(e["agent_id"] == "alice" for e in best["evidence"])  # bob's memories are not shared with alice


def test_scenario_2_cross_agent_learning(seeded: dict[str, str]) -> None:
    found = json.loads(run_cli("memory", "search", "database migration rollback", "--agent", "bob",
                               "--format", "json", env=seeded).stdout)
    from_alice = [m for m in found if m["agent_id"] == "alice"]
    assert from_alice and all(not m["owned"] and m["domain"] == "db" for m in from_alice)
    created = run_cli("task", "create", "--agent", "bob", "--context", "database migration failed, roll back",
                      "--id", "db-migration-456", env=seeded)
    assert created.returncode == 0, created.stderr
    applied = run_cli("learning", "apply-pattern", "migration-rollback-strategy", "--task", "db-migration-456", env=seeded)
    assert applied.returncode == 0, applied.stderr
    assert "Applied success pattern migration-rollback-strategy" in applied.stdout
    assert "alice" in applied.stdout
    shown = json.loads(run_cli("task", "show", "db-migration-456", "--format", "json", env=seeded).stdout)
    assert shown["status"] == "in_progress"


def test_scenario_3_failure_prevention(seeded: dict[str, str]) -> None:
    patterns = run_cli("learning", "patterns", "--type", "failure", "--recurring", env=seeded)
    assert patterns.returncode == 0, patterns.stderr
    assert "Identified pattern:" in patterns.stdout and "npm-install-timeout" in patterns.stdout
    assert "Solution: verify-npm-cache" in patterns.stdout
    generated = run_cli("prevention", "generate", "--pattern", "npm-install-timeout", env=seeded)
    assert generated.returncode == 0, generated.stderr
    assert "Created prevention check: verify-npm-cache-status" in generated.stdout
    assert "Added to workflow stage: development" in generated.stdout
    check = run_cli("prevention", "check", "--agent", "carol", "--context", "npm-install-timeout in CI",
                    "--action", "rerun-pipeline", env=seeded)
    assert check.returncode in (0, 3) and ("WARN" in check.stdout or "BLOCK" in check.stdout)
    listed = json.loads(run_cli("prevention", "list", "--pattern", "npm-install-timeout", "--format", "json", env=seeded).stdout)
    assert {c["name"] for c in listed} >= {"verify-npm-cache-status", "avoid-rerun-pipeline"}
    # Each check reports its record and status; carol's check above was a showing of hers.
    assert all(c["status"] in ("trial", "promoted", "retired") and "record" in c for c in listed)
    mine = json.loads(run_cli("prevention", "list", "--agent", "carol", "--format", "json", env=seeded).stdout)
    guard = next(c for c in mine if "rerun-pipeline" in c["guards_actions"])
    assert guard["record"]["shown"] >= 1 and guard["step"]
    table = run_cli("prevention", "list", env=seeded)
    assert table.returncode == 0 and "status" in table.stdout


def test_other_learning_commands(seeded: dict[str, str]) -> None:
    stats = run_cli("learning", "stats", "--agent", "alice", env=seeded)
    assert stats.returncode == 0 and "Decisions:" in stats.stdout
    recent = json.loads(run_cli("learning", "failures", "--recent", "30d", "--format", "json", env=seeded).stdout)
    assert "npm-install-timeout" in {p["name"] for p in recent}
    high = json.loads(run_cli("learning", "patterns", "--success-rate", ">70%", "--format", "json", env=seeded).stdout)
    assert high and all(p["estimate"]["mean"] >= 0.7 for p in high)
    memory_patterns = run_cli("memory", "patterns", "--type", "failure", env=seeded)
    assert memory_patterns.returncode == 0 and "npm-install-timeout" in memory_patterns.stdout
    analyzed = json.loads(run_cli("learning", "analyze", "--format", "json", env=seeded).stdout)
    assert analyzed["patterns_after"] >= 4 and analyzed["success_patterns"] >= 3


@pytest.mark.parametrize("args, code, message", [
    (["learning", "patterns", "--success-rate", "<5%"], 2, "success-rate"),
    (["learning", "suggest"], 2, "--context or --task"),
    (["learning", "suggest", "--context", "deploy", "--fact", "env"], 2, "Fact 'env'"),
    (["learning", "failures", "--recent", "lately"], 2, "duration"),
    (["prevention", "generate", "--pattern", "no-such-pattern"], 1, "NOT_FOUND"),
    (["learning", "apply-pattern", "npm-install-timeout", "--task", "no-such-task"], 1, "NOT_FOUND"),
    (["task", "create", "--agent", "a", "--context", "x", "--stage", "lunch"], 2, "workflow stage"),
])
def test_bad_learning_input_is_refused_clearly(seeded: dict[str, str], args: list[str], code: int, message: str) -> None:
    result = run_cli(*args, env=seeded)
    assert result.returncode == code, result.stdout + result.stderr
    assert message in result.stderr
