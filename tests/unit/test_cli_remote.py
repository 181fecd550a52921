"""How the CLI, `engram mcp` and the Python client find the service and its API key (one rule, in
engram.client.credentials), and how the CLI pages through a connection (no service needed)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from typer.testing import CliRunner

from engram.cli.main import app
from engram.cli.remote import paged
from engram.client import AsyncEngramClient, EngramClient
from engram.client.credentials import default_key_file, find_api_key, service_url
from engram.errors import UnauthenticatedError


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("ENGRAM_API_KEY", "ENGRAM_API_KEY_FILE", "ENGRAM_URL", "ENGRAM_API_HOST", "ENGRAM_API_PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def test_the_environment_wins_then_the_named_file_then_the_default_file(monkeypatch, tmp_path: Path) -> None:
    assert find_api_key() is None  # nothing anywhere: in-process
    default_key_file().parent.mkdir(parents=True)
    default_key_file().write_text("eng_default\n")
    assert find_api_key() == "eng_default"
    named = tmp_path / "alice.key"
    named.write_text("eng_named\n")
    assert find_api_key(named) == "eng_named"
    monkeypatch.setenv("ENGRAM_API_KEY_FILE", str(named))
    assert find_api_key() == "eng_named"
    monkeypatch.setenv("ENGRAM_API_KEY", "eng_env")
    assert find_api_key(named) == "eng_env"


def test_a_named_key_file_that_is_missing_is_an_error_not_a_silent_fallback(monkeypatch, tmp_path: Path) -> None:
    with pytest.raises(UnauthenticatedError, match="does not exist"):
        find_api_key(tmp_path / "absent.key")
    monkeypatch.setenv("ENGRAM_API_KEY_FILE", str(tmp_path / "absent.key"))
    with pytest.raises(UnauthenticatedError, match="does not exist"):
        EngramClient()  # the Python client no longer runs unauthenticated on a mistyped path


def test_the_service_url_is_the_option_then_engram_url_then_where_serve_listens(monkeypatch) -> None:
    assert service_url() == "http://127.0.0.1:8000"
    monkeypatch.setenv("ENGRAM_API_HOST", "0.0.0.0")  # a bind address: this machine
    monkeypatch.setenv("ENGRAM_API_PORT", "9100")
    assert service_url() == "http://127.0.0.1:9100"
    monkeypatch.setenv("ENGRAM_URL", "https://engram.example/")
    assert service_url() == "https://engram.example"
    assert service_url("http://other:1/") == "http://other:1"


def test_the_python_client_uses_the_same_sources_as_the_cli(monkeypatch) -> None:
    default_key_file().parent.mkdir(parents=True)
    default_key_file().write_text("eng_default\n")
    monkeypatch.setenv("ENGRAM_API_PORT", "9100")
    for client_class in (EngramClient, AsyncEngramClient):
        client = client_class()
        assert (client.url, client._http.headers["Authorization"]) == \
            ("http://127.0.0.1:9100/graphql", "Bearer eng_default")


def test_engram_mcp_honours_api_key_file_and_says_where_it_looked(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COLUMNS", "500")  # one line per message
    missing = CliRunner().invoke(app, ["--api-key-file", str(tmp_path / "absent.key"), "mcp"])
    assert missing.exit_code == 1 and "does not exist" in missing.output, missing.output
    none = CliRunner().invoke(app, ["mcp"])
    assert none.exit_code == 2 and "--api-key-file" in none.output and str(default_key_file()) in none.output


def _connection(items: list[int], first: int, after: str | None):
    start = int(after or 0)
    page = items[start:start + first]
    end = start + len(page)
    return SimpleNamespace(nodes=page, page_info=SimpleNamespace(has_next_page=end < len(items), end_cursor=str(end)))


def test_paged_reads_page_after_page_up_to_the_limit() -> None:
    items = list(range(250))
    calls: list[tuple[int, str | None]] = []

    def fetch(first: int, after: str | None):
        calls.append((first, after))
        return _connection(items, first, after)

    assert paged(fetch, 230) == items[:230]
    assert calls == [(100, None), (100, "100"), (30, "200")]
    assert paged(lambda first, after: _connection(items[:7], first, after), 50) == items[:7]
