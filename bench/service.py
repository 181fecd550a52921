"""The real service for benchmarks: `engram serve` in a child process, and a GraphQL/HTTP client.

Benchmarks talk to Engram the way agents do, over HTTP with an API key; they reach Neo4j directly
only to set up (empty the benchmark database, issue keys) and to measure the bare costs the
service is compared against.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class GraphQLError(RuntimeError):
    pass


class GraphQLClient:
    """Posts GraphQL documents to /graphql as the agent whose key it holds; one connection pool."""

    def __init__(self, url: str, key: str, *, pool: int = 64, timeout: float = 300) -> None:
        self.http = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=timeout,
                                 limits=httpx.Limits(max_connections=pool, max_keepalive_connections=pool))

    def __call__(self, query: str, variables: dict | None = None) -> dict:
        started = time.monotonic()
        while True:
            response = self.http.post("/graphql", json={"query": query, "variables": variables or {}})
            # RATE_LIMITED (429) is refused before any work: wait for one of this key's requests to finish
            if response.status_code != 429 or time.monotonic() - started > 120:
                break
            time.sleep(0.1)
        body = response.json()
        if response.status_code != 200 or body.get("errors"):
            raise GraphQLError(f"HTTP {response.status_code}: {body.get('errors') or body}")
        return body["data"]

    def close(self) -> None:
        self.http.close()


def wipe_database(driver, settings) -> None:
    """Empty the benchmark database (schema kept). Memories go first: deleting a Tag or Domain node together
    with its 100,000 relationships in one batch of 10,000 rows exceeds Neo4j's transaction memory pool."""
    with driver.session(database=settings.neo4j_database) as session:
        session.run("MATCH (m:Memory) CALL (m) { DETACH DELETE m } IN TRANSACTIONS OF 5000 ROWS").consume()
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM) in MiB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for pid {pid}")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def tree_rss_mb(pid: int) -> float:
    """RSS of a process and all its descendants (`engram serve` runs one uvicorn worker per core)."""
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            total += rss_mb(current)
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, RuntimeError):
            continue  # a process that just ended
    return total


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the benchmark process dies, however it dies (Linux prctl)."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class RunningService:
    """`engram serve` on a free port, started with `env` overrides, stopped on exit."""

    def __init__(self, env: dict[str, str] | None = None, log_name: str = "bench-service") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = REPO / ".engram" / f"{log_name}.log"
        self.env = {**os.environ, **(env or {})}
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "RunningService":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "engram.cli.main", "serve", "--port", str(self.port)],
            env=self.env, cwd=REPO, stdout=self._log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + 180
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"engram serve exited: {self.log_path.read_text()[-3000:]}")
            try:
                if httpx.get(self.url + "/health", timeout=5).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"engram serve was not healthy within 180 s; see {self.log_path}")
            time.sleep(0.3)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self._log.close()


def process_family(pid: int) -> list[int]:
    """The process and its descendants (uvicorn's workers under `engram serve --workers N`)."""
    family, pending = [], [pid]
    while pending:
        current = pending.pop()
        family.append(current)
        try:
            pending += [int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
        except OSError:
            pass
    return family
