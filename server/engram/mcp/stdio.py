"""`engram mcp`: the MCP server over stdio for one agent (its key from ENGRAM_API_KEY). It talks to the running
service over HTTP when one answers at the URL, and otherwise runs the operations in-process against the database."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import anyio
import httpx

from engram.client import AsyncEngramClient
from engram.config import Settings
from engram.mcp.executor import Executor, HttpExecutor, InProcessExecutor
from engram.mcp.tools import build_mcp_server


def service_answers(url: str) -> bool:
    try:
        return httpx.get(url.rstrip("/") + "/health", timeout=2.0).status_code in (200, 503)
    except httpx.HTTPError:
        return False


@contextlib.contextmanager
def in_process(settings: Settings, api_key: str) -> Iterator[Executor]:
    """The service's own wiring (build_services, build_schema) without HTTP; the key is checked up front."""
    from engram.api.gql.schema import build_schema
    from engram.services import build_services
    from engram.embeddings import SentenceTransformerEmbedder
    from engram.storage.connection import open_driver

    driver = open_driver(settings)
    try:
        embedder = SentenceTransformerEmbedder(settings.embedding_model, settings.embedding_batch_size)
        resources = build_services(settings, driver, embedder)
        try:
            caller = resources.keys.authenticate(api_key)
            yield InProcessExecutor(build_schema(settings), resources, api_key, caller=caller)
        finally:
            resources.close()
    finally:
        driver.close()


def run_stdio(executor: Executor) -> None:
    server = build_mcp_server(lambda ctx: executor)
    anyio.run(server.run_stdio_async)


def serve_stdio(settings: Settings, api_key: str, url: str, mode: str = "auto") -> str:
    """Serve until stdin closes; returns how it ran ("http" or "in-process")."""
    if mode == "http" or (mode == "auto" and service_answers(url)):
        client = AsyncEngramClient(url, api_key)
        run_stdio(HttpExecutor(client))
        return "http"
    with in_process(settings, api_key) as executor:
        run_stdio(executor)
    return "in-process"
