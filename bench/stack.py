"""A managed Neo4j and `engram serve` as child processes that a fault test or the soak may kill for real.

The stack has an instance of its own (its own folder under .engram/ and free ports), so killing it
never touches the `make run` database or the test session's server. Neo4j is started and restarted
with the real `engram db start`, as an operator would after a crash.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench.service import REPO, free_port
from engram.config import Settings
from engram.dbserver.process import ManagedNeo4j
from engram.storage.connection import open_driver
from engram.storage.schema import apply_schema


def wait_until_gone(pid: int, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        except OSError:
            return
        if state == "Z":
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
            return
        time.sleep(0.05)
    raise RuntimeError(f"process {pid} still runs {timeout_s:.0f} s after SIGKILL")


class ServiceProcess:
    """`engram serve` on a fixed port (so clients keep their URL across a kill and a restart)."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self, timeout_s: float = 180) -> None:
        log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "engram.cli.main", "serve", "--port", str(self.port)],
            env=self.env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + timeout_s
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"engram serve exited: {self.log_path.read_text()[-3000:]}")
            try:
                if httpx.get(self.url + "/health", timeout=10).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"engram serve was not healthy within {timeout_s:.0f} s; see {self.log_path}")
            time.sleep(0.3)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def kill9(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Stack:
    """Neo4j (managed, its own instance) + the service, with the environment the CLI needs to reach both."""

    def __init__(self, name: str, *, heap: str = "768m", pagecache: str = "128m",
                 service_env: dict[str, str] | None = None) -> None:
        self.home = REPO / ".engram"
        bolt, http = free_port(), free_port()
        base = {k: v for k, v in os.environ.items() if not k.startswith(("ENGRAM_", "NEO4J_"))}
        self.env = base | {
            "ENGRAM_HOME": str(self.home), "ENGRAM_INSTANCE": name, "ENGRAM_BOLT_PORT": str(bolt),
            "ENGRAM_HTTP_PORT": str(http), "ENGRAM_HEAP_SIZE": heap, "ENGRAM_PAGECACHE_SIZE": pagecache,
            "ENGRAM_START_TIMEOUT_S": "600",  # a busy 2-core machine may need minutes to start the JVM
        }
        self.settings = Settings(project_root=REPO, home=self.home, instance=name, bolt_port=bolt,
                                 http_port=http, heap_size=heap, pagecache_size=pagecache)
        self.server = ManagedNeo4j(self.settings)
        self.service = ServiceProcess(self.env | (service_env or {}), self.home / f"{name}-service.log")
        self.driver = None

    # ---- the CLI, as an operator runs it
    def cli(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        engram = Path(sys.executable).with_name("engram")
        return subprocess.run([str(engram), *args], env=self.env, cwd=REPO, capture_output=True, text=True,
                              timeout=timeout)

    def start(self) -> "Stack":
        done = self.cli("db", "start")
        if done.returncode != 0:
            raise RuntimeError(f"engram db start failed: {done.stdout}{done.stderr}")
        self.driver = open_driver(self.settings)
        apply_schema(self.driver, self.settings)
        return self

    def start_service(self) -> None:
        self.service.start()

    def neo4j_pid(self) -> int:
        pid = self.server.pid()
        if pid is None:
            raise RuntimeError("Neo4j is not running")
        return pid

    def kill9_neo4j(self) -> None:
        pid = self.neo4j_pid()
        os.kill(pid, signal.SIGKILL)
        wait_until_gone(pid)

    def restart_neo4j(self) -> subprocess.CompletedProcess:
        """`engram db start` after a crash (the stale pid file names a dead process)."""
        return self.cli("db", "start")

    def close(self, *, remove: bool = True) -> None:
        self.service.stop()
        if self.driver is not None:
            self.driver.close()
        self.server.stop()
        if remove:
            shutil.rmtree(self.settings.neo4j_home, ignore_errors=True)
