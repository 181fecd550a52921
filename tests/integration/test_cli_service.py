"""The CLI over the running service: the same command prints the same through the typed GraphQL client (uvicorn
over real HTTP, with an API key) as in-process; a bad key is UNAUTHENTICATED with exit 1; with no service the
command works in-process and says so once on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engram.auth.service import ApiKeyService
from engram.config import Settings
from engram.seeding import load_seeds
from tests.conftest import free_port, run_cli, server_env

pytestmark = pytest.mark.integration

IN_PROCESS_NOTE = "working in-process"


@pytest.fixture
def keys(services, settings: Settings) -> dict[str, str]:
    load_seeds(services, log=lambda *_: None)
    issuer = ApiKeyService(services.driver, settings)
    return {"alice": issuer.create_agent("alice").token, "ops": issuer.create_agent("ops", operator=True).token}


def _env(settings: Settings, url: str, key: str | None = None, **extra: str) -> dict[str, str]:
    env = server_env(settings) | {"ENGRAM_URL": url, "XDG_CONFIG_HOME": "/nonexistent"} | extra
    if key is not None:
        env["ENGRAM_API_KEY"] = key
    return env


def _nowhere() -> str:
    return f"http://127.0.0.1:{free_port()}"  # nothing listens there


def test_suggest_over_the_service_prints_what_in_process_prints(settings: Settings, keys: dict[str, str],
                                                                 api_url: str) -> None:
    args = ("learning", "suggest", "--context", "api-auth-timeout", "--agent", "alice")
    local = run_cli(*args, "--format", "json", env=_env(settings, _nowhere()))
    assert local.returncode == 0, local.stderr
    assert local.stderr.count(IN_PROCESS_NOTE) == 1  # said once

    for key in (keys["alice"], keys["ops"]):  # the agent's own key, and an operator acting as alice
        remote = run_cli(*args, "--format", "json", env=_env(settings, api_url, key))
        assert remote.returncode == 0, remote.stderr
        assert IN_PROCESS_NOTE not in remote.stderr
        assert json.loads(remote.stdout) == json.loads(local.stdout)
    assert json.loads(local.stdout)["recommended"] == "retry-with-exponential-backoff"

    table = run_cli(*args, env=_env(settings, api_url, keys["alice"]))
    assert table.returncode == 0 and "Recommended: retry-with-exponential-backoff" in table.stdout


def test_memory_commands_over_the_service(settings: Settings, keys: dict[str, str], api_url: str,
                                          tmp_path: Path) -> None:
    key_file = tmp_path / "api-key"
    key_file.write_text(keys["alice"] + "\n")
    remote_env = _env(settings, api_url)  # the key comes from --api-key-file

    def remote(*args: str):
        return run_cli("--api-key-file", str(key_file), "memory", *args, env=remote_env)

    recorded = remote("record", "--type", "decision", "--context", "queue consumer lag after deploy",
                      "--action", "scale-consumers", "--outcome", "success", "--id", "cli-svc-1", "--format", "json")
    assert recorded.returncode == 0, recorded.stderr
    assert json.loads(recorded.stdout) == {"id": "cli-svc-1", "created": True, "redactions": 0}
    listed = json.loads(remote("list", "--format", "json").stdout)
    assert "cli-svc-1" in [m["id"] for m in listed] and {m["agent_id"] for m in listed} == {"alice"}

    args = ("retrieve", "--agent", "alice", "--context", "queue consumer lag", "-k", "5")
    over_service = remote(*args)
    in_process = run_cli("--in-process", "memory", *args, env=remote_env)
    assert over_service.returncode == 0 and in_process.returncode == 0, over_service.stderr + in_process.stderr
    assert over_service.stdout == in_process.stdout and "cli-svc-1" in over_service.stdout

    assert remote("forget", "cli-svc-1").returncode == 0
    assert "cli-svc-1" not in remote("list").stdout


@pytest.mark.parametrize("args", [
    ("consent", "grants", "--agent", "alice"),
    ("learning", "predict", "--context", "api-auth-timeout", "--action", "increase-timeout", "--agent", "alice"),
    ("learning", "suggest", "--context", "api-auth-timeout", "--agent", "alice", "--fact", "env=production"),
    ("learning", "stats", "--agent", "alice"),
], ids=lambda args: " ".join(args[:2]))
def test_read_commands_print_the_same_over_the_service(settings: Settings, keys: dict[str, str], api_url: str,
                                                       args: tuple[str, ...]) -> None:
    over_service = run_cli(*args, env=_env(settings, api_url, keys["ops"]))
    in_process = run_cli("--in-process", *args, env=_env(settings, api_url, keys["ops"]))
    assert over_service.returncode == 0 and in_process.returncode == 0, over_service.stderr + in_process.stderr
    assert over_service.stdout == in_process.stdout and over_service.stdout.strip()


def test_a_bad_key_is_unauthenticated_with_exit_1(settings: Settings, keys: dict[str, str], api_url: str) -> None:
    out = run_cli("learning", "suggest", "--context", "api-auth-timeout",
                  env=_env(settings, api_url, "eng_not-a-real-key"))
    assert out.returncode == 1
    assert "UNAUTHENTICATED" in out.stderr and out.stdout == ""


def test_a_missing_key_file_is_unauthenticated(settings: Settings, api_url: str, tmp_path: Path) -> None:
    out = run_cli("--api-key-file", str(tmp_path / "absent"), "learning", "suggest", "--context", "x",
                  env=_env(settings, api_url))
    assert out.returncode == 1 and "UNAUTHENTICATED" in out.stderr
