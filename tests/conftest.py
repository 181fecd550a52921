"""Test session: one real Neo4j (started here, or NEO4J_URI), the real model, and a real uvicorn."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import neo4j
import pytest

from engram.config import Settings
from engram.dbserver.process import ManagedNeo4j
from engram.embeddings import SentenceTransformerEmbedder
from engram.storage.connection import open_driver
from engram.storage.schema import apply_schema

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def settings() -> Iterator[Settings]:
    """Settings for the test server: NEO4J_URI when set, else a dedicated managed instance."""
    if os.environ.get("NEO4J_URI"):
        yield Settings(project_root=REPO)
        return
    # One instance per test session, so parallel sessions (and a left-over one) never collide.
    test_settings = Settings(
        project_root=REPO, home=REPO / ".engram", instance=f"neo4j-test-{os.getpid()}",
        bolt_port=free_port(), http_port=free_port(), heap_size="1g", pagecache_size="256m",
    )
    server = ManagedNeo4j(test_settings)
    server.start(log=lambda *_: None)
    try:
        yield test_settings
    finally:
        server.stop()
        shutil.rmtree(test_settings.neo4j_home, ignore_errors=True)


@pytest.fixture(scope="session")
def driver(settings: Settings) -> Iterator[neo4j.Driver]:
    drv = open_driver(settings)
    apply_schema(drv, settings)
    yield drv
    drv.close()


@pytest.fixture
def db(driver: neo4j.Driver, settings: Settings) -> neo4j.Driver:
    """The driver on an empty database (schema kept): tests never see each other's data."""
    _wipe(driver, settings)
    return driver


def _wipe(driver: neo4j.Driver, settings: Settings) -> None:
    with driver.session(database=settings.neo4j_database) as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder()


def server_env(settings: Settings) -> dict[str, str]:
    """Environment that points a child process (CLI, uvicorn) at the test database."""
    user, password = settings.credentials() or ("neo4j", "")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ENGRAM_", "NEO4J_"))}
    env.update(NEO4J_URI=settings.bolt_uri, NEO4J_AUTH=f"{user}/{password}", NEO4J_DATABASE=settings.neo4j_database)
    return env


@pytest.fixture(scope="session")
def api_url(settings: Settings, driver: neo4j.Driver) -> Iterator[str]:
    """A real uvicorn running `engram serve` against the test database."""
    port = free_port()
    log_path = REPO / ".engram" / f"test-uvicorn-{os.getpid()}.log"
    log = open(log_path, "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "engram.cli.main", "serve", "--port", str(port)],
        env=server_env(settings), cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"uvicorn exited: {log_path.read_text()[-3000:]}")
            try:
                if httpx.get(url + "/health", timeout=5).status_code in (200, 503):
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not answer within 120 s")
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """The real `engram` console script, as a user runs it."""
    engram = Path(sys.executable).with_name("engram")
    return subprocess.run([str(engram), *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout)
