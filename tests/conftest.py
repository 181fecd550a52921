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
from engram.learning.engine import LearningEngine
from engram.memory.service import MemoryService
from engram.privacy.audit import AuditLog
from engram.privacy.consent import ConsentService
from engram.privacy.retention import RetentionService
from engram.services import Services, build_services
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


# ---- the engine services on the empty database, wired by build_services as the API and CLI wire them.
@pytest.fixture
def services(db: neo4j.Driver, embedder: SentenceTransformerEmbedder, settings: Settings) -> Iterator[Services]:
    built = build_services(settings, db, embedder)
    yield built
    built.close()


@pytest.fixture
def audit(services: Services) -> AuditLog:
    return services.audit


@pytest.fixture
def consent(services: Services) -> ConsentService:
    return services.consent


@pytest.fixture
def retention(services: Services) -> RetentionService:
    return services.retention


@pytest.fixture
def memories(services: Services) -> MemoryService:
    """The memory service with its audit log (cross-agent reads are recorded)."""
    return services.memories


@pytest.fixture
def learning(services: Services) -> LearningEngine:
    return services.learning


def server_env(settings: Settings) -> dict[str, str]:
    """Environment that points a child process (CLI, uvicorn) at the test database."""
    user, password = settings.credentials() or ("neo4j", "")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ENGRAM_", "NEO4J_"))}
    env.update(NEO4J_URI=settings.bolt_uri, NEO4J_AUTH=f"{user}/{password}", NEO4J_DATABASE=settings.neo4j_database)
    env.setdefault("ENGRAM_API_WORKERS", "1")  # one process per test server (the default is one per core)
    return env


@pytest.fixture(scope="session")
def api_log() -> Path:
    """Where the test server (`api_url`) writes its log: tests quote its tracebacks when a request failed."""
    return REPO / ".engram" / f"test-uvicorn-{os.getpid()}.log"


@pytest.fixture(scope="session")
def api_url(settings: Settings, driver: neo4j.Driver, api_log: Path) -> Iterator[str]:
    """A real uvicorn running `engram serve` against the test database."""
    port = free_port()
    log_path = api_log
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


# ---- GraphQL API: agents with API keys, and a client that calls /graphql as one of them.
class GraphQLClient:
    """Posts GraphQL documents to the real server, as the agent whose key it holds (or anonymously)."""

    def __init__(self, url: str, key: str | None = None) -> None:
        self.url = url + "/graphql"
        self.key = key

    def as_key(self, key: str | None) -> "GraphQLClient":
        return GraphQLClient(self.url.removesuffix("/graphql"), key)

    def post(self, query: str, variables: dict | None = None, *, operation: str | None = None,
             timeout: float = 120) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        body = {"query": query, "variables": variables or {}}
        if operation:
            body["operationName"] = operation
        return httpx.post(self.url, json=body, headers=headers, timeout=timeout)

    def execute(self, query: str, variables: dict | None = None, **kwargs) -> dict:
        """The `data` of a response that must have no errors."""
        response = self.post(query, variables, **kwargs)
        assert response.status_code == 200, response.text
        body = response.json()
        assert not body.get("errors"), body["errors"]
        return body["data"]

    def errors(self, query: str, variables: dict | None = None, **kwargs) -> list[dict]:
        """The errors of a response that must have some."""
        response = self.post(query, variables, **kwargs)
        body = response.json()
        assert body.get("errors"), body
        return body["errors"]


@pytest.fixture
def api_keys(db: neo4j.Driver, settings: Settings) -> dict[str, str]:
    """Fresh agents alice, bob and carol and an operator `ops`, each with one API key (on an empty database)."""
    from engram.auth.service import ApiKeyService

    service = ApiKeyService(db, settings)
    keys = {name: service.create_agent(name).token for name in ("alice", "bob", "carol")}
    keys["ops"] = service.create_agent("ops", operator=True).token
    return keys


@pytest.fixture
def gql(api_url: str, api_keys: dict[str, str]) -> dict[str, GraphQLClient]:
    """One client per agent of `api_keys`, plus `anonymous` (no key)."""
    clients = {name: GraphQLClient(api_url, key) for name, key in api_keys.items()}
    clients["anonymous"] = GraphQLClient(api_url)
    return clients


class CountingDriver:
    """The real driver, counting Cypher round trips made by request handling (execute_query, session.run,
    and each run inside execute_read / execute_write). Access tracking flushes from its own background
    thread, off the request path, and is not counted."""

    IGNORED_THREADS = ("engram-access", "engram-health")  # background flushes and the /health probe

    def __init__(self, driver: neo4j.Driver) -> None:
        import threading

        self._driver = driver
        self._lock = threading.Lock()
        self.count = 0

    def _hit(self) -> None:
        import threading

        if not threading.current_thread().name.startswith(self.IGNORED_THREADS):
            with self._lock:
                self.count += 1

    def execute_query(self, *args, **kwargs):
        self._hit()
        return self._driver.execute_query(*args, **kwargs)

    def session(self, *args, **kwargs):
        return _CountingSession(self, self._driver.session(*args, **kwargs))

    def __getattr__(self, name: str):
        return getattr(self._driver, name)


class _CountingSession:
    def __init__(self, counter: CountingDriver, session) -> None:
        self._counter, self._session = counter, session

    def __enter__(self):
        self._session.__enter__()
        return self

    def __exit__(self, *exc):
        return self._session.__exit__(*exc)

    def run(self, *args, **kwargs):
        self._counter._hit()
        return self._session.run(*args, **kwargs)

    def _wrap(self, fn):
        counter = self._counter

        class _Tx:
            def __init__(self, tx) -> None:
                self._tx = tx

            def run(self, *args, **kwargs):
                counter._hit()
                return self._tx.run(*args, **kwargs)

            def __getattr__(self, name: str):
                return getattr(self._tx, name)

        return lambda tx, *args, **kwargs: fn(_Tx(tx), *args, **kwargs)

    def execute_read(self, fn, *args, **kwargs):
        return self._session.execute_read(self._wrap(fn), *args, **kwargs)

    def execute_write(self, fn, *args, **kwargs):
        return self._session.execute_write(self._wrap(fn), *args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self._session, name)


OPERATOR_KEY = "eng_" + "o" * 43  # ENGRAM_OPERATOR_KEY of the in-process production app


@pytest.fixture(scope="session")
def in_process_api(settings: Settings, driver: neo4j.Driver):
    """The app in this process (Starlette TestClient, lifespan run) with production settings and an
    operator key from the settings, on a driver that counts round trips. Yields (client, counter)."""
    from pydantic import SecretStr
    from starlette.testclient import TestClient

    from engram.api.app import create_app
    from engram.storage.connection import open_driver

    production = settings.model_copy(update={"environment": "production", "operator_key": SecretStr(OPERATOR_KEY)})
    counters: list[CountingDriver] = []

    def counting_driver(s: Settings) -> CountingDriver:
        counters.append(CountingDriver(open_driver(s)))
        return counters[-1]

    with TestClient(create_app(production, driver_factory=counting_driver)) as client:
        yield client, counters[0]
