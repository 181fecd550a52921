"""The typed Python client for Engram's GraphQL API (sync and async, httpx), generated from graphql/operations.

    from engram.client import EngramClient, Task, execute_with_memory
    with EngramClient("http://127.0.0.1:8000", api_key) as engram:
        print(engram.suggest_action("auth API timed out").suggest.recommended)
        outcome = execute_with_memory(engram, Task("auth API timed out", ["retry", "bump_timeout"]), run)
"""

from __future__ import annotations

import os
from pathlib import Path

from engram.client.base import EngramClientError
from engram.client.generated import AsyncOperations, Operations
from engram.client.memory_loop import (
    RemoteOutcome, RemoteStrategy, Task, execute_with_memory, execute_with_memory_async,
)

DEFAULT_URL = "http://127.0.0.1:8000"


def key_from_env() -> str | None:
    """ENGRAM_API_KEY, else the contents of the file ENGRAM_API_KEY_FILE names (`engram agent create --save`)."""
    key = os.environ.get("ENGRAM_API_KEY", "").strip()
    if not key and os.environ.get("ENGRAM_API_KEY_FILE"):
        path = Path(os.environ["ENGRAM_API_KEY_FILE"]).expanduser()
        key = path.read_text().strip() if path.is_file() else ""
    return key or None


class EngramClient(Operations):
    """One method per operation in graphql/operations (e.g. `suggest_action`, `record_decision`), typed results;
    `execute(name, **variables)` for the raw data. The URL and key default to ENGRAM_URL and
    ENGRAM_API_KEY (or ENGRAM_API_KEY_FILE)."""

    def __init__(self, url: str | None = None, api_key: str | None = None, **kwargs) -> None:
        super().__init__(url or os.environ.get("ENGRAM_URL", DEFAULT_URL),
                         api_key if api_key is not None else key_from_env(), **kwargs)


class AsyncEngramClient(AsyncOperations):
    """The async twin of EngramClient (`async with AsyncEngramClient(...) as engram: await engram.suggest(...)`)."""

    def __init__(self, url: str | None = None, api_key: str | None = None, **kwargs) -> None:
        super().__init__(url or os.environ.get("ENGRAM_URL", DEFAULT_URL),
                         api_key if api_key is not None else key_from_env(), **kwargs)


__all__ = ["AsyncEngramClient", "EngramClient", "EngramClientError", "RemoteOutcome", "RemoteStrategy", "Task",
           "execute_with_memory", "execute_with_memory_async", "key_from_env"]
