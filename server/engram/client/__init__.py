"""The typed Python client for Engram's GraphQL API (sync and async, httpx), generated from graphql/operations.

    from engram.client import EngramClient, Task, execute_with_memory
    with EngramClient("http://127.0.0.1:8000", api_key) as engram:
        print(engram.suggest_action("auth API timed out").suggest.recommended)
        outcome = execute_with_memory(engram, Task("auth API timed out", ["retry", "bump_timeout"]), run)
"""

from __future__ import annotations

from engram.client.base import EngramClientError
from engram.client.credentials import default_key_file, find_api_key, service_url
from engram.client.generated import AsyncOperations, Operations
from engram.client.memory_loop import (
    RemoteOutcome, RemoteStrategy, Task, execute_with_memory, execute_with_memory_async,
)

class EngramClient(Operations):
    """One method per operation in graphql/operations (e.g. `suggest_action`, `record_decision`), typed results;
    `execute(name, **variables)` for the raw data. The URL and key default as the CLI's do (engram.client.credentials):
    ENGRAM_URL, and ENGRAM_API_KEY, ENGRAM_API_KEY_FILE or ~/.config/engram/api-key."""

    def __init__(self, url: str | None = None, api_key: str | None = None, **kwargs) -> None:
        super().__init__(service_url(url), api_key if api_key is not None else find_api_key(), **kwargs)


class AsyncEngramClient(AsyncOperations):
    """The async twin of EngramClient (`async with AsyncEngramClient(...) as engram: await engram.suggest(...)`)."""

    def __init__(self, url: str | None = None, api_key: str | None = None, **kwargs) -> None:
        super().__init__(service_url(url), api_key if api_key is not None else find_api_key(), **kwargs)


__all__ = ["AsyncEngramClient", "EngramClient", "EngramClientError", "RemoteOutcome", "RemoteStrategy",
           "Task", "default_key_file", "execute_with_memory", "execute_with_memory_async", "find_api_key",
           "service_url"]
