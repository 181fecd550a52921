"""How the CLI finds the service's API key, and how it pages through a connection (no service needed)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from engram.cli.remote import ServiceOptions, default_key_file, find_key, paged
from engram.errors import UnauthenticatedError


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("ENGRAM_API_KEY", "ENGRAM_API_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def test_the_environment_wins_then_the_named_file_then_the_default_file(monkeypatch, tmp_path: Path) -> None:
    assert find_key(ServiceOptions()) is None  # nothing anywhere: in-process
    default_key_file().parent.mkdir(parents=True)
    default_key_file().write_text("eng_default\n")
    assert find_key(ServiceOptions()) == "eng_default"
    named = tmp_path / "alice.key"
    named.write_text("eng_named\n")
    assert find_key(ServiceOptions(key_file=named)) == "eng_named"
    monkeypatch.setenv("ENGRAM_API_KEY_FILE", str(named))
    assert find_key(ServiceOptions()) == "eng_named"
    monkeypatch.setenv("ENGRAM_API_KEY", "eng_env")
    assert find_key(ServiceOptions(key_file=named)) == "eng_env"


def test_a_named_key_file_that_is_missing_is_an_error_not_a_silent_fallback(tmp_path: Path) -> None:
    with pytest.raises(UnauthenticatedError, match="does not exist"):
        find_key(ServiceOptions(key_file=tmp_path / "absent.key"))


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
