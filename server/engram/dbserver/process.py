"""Runs the real Neo4j community server (CommunityEntryPoint) in the background: start, stop, status."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from engram.config import Settings
from engram.dbserver.distribution import Distribution, ensure_distribution, require_tool
from engram.errors import ConfigurationError, DatabaseStartError, PortInUseError

# The JVM flags Neo4j's own launcher passes (neo4j.conf's server.jvm.additional defaults).
_JVM_FLAGS = [
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+AlwaysPreTouch",  # the heap is resident from the start, so RSS shows growth, not first touches
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
]


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    pid: int | None
    bolt_answering: bool
    bolt_uri: str
    browser_url: str
    home: Path


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def port_answers(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child still answers kill(0); treat it as gone.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        return state != "Z"
    except OSError:
        return True


class ManagedNeo4j:
    """The Neo4j server Engram runs itself, with everything under settings.neo4j_home."""

    def __init__(self, settings: Settings) -> None:
        if not settings.managed:
            raise ConfigurationError(
                f"NEO4J_URI is set ({settings.neo4j_uri}): Engram uses that server and does not manage one."
            )
        self.settings = settings
        self.home = settings.neo4j_home

    # ---- paths
    @property
    def conf_dir(self) -> Path:
        return self.home / "conf"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def pid_file(self) -> Path:
        return self.home / "run" / "neo4j.pid"

    # ---- queries
    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if _pid_alive(pid) else None

    def status(self) -> ServerStatus:
        pid = self.pid()
        s = self.settings
        return ServerStatus(
            running=pid is not None,
            pid=pid,
            bolt_answering=pid is not None and port_answers(s.listen_host, s.bolt_port),
            bolt_uri=s.bolt_uri,
            browser_url=s.browser_url,
            home=self.home,
        )

    # ---- lifecycle
    def start(self, *, log=print) -> ServerStatus:
        """Start the server unless it runs already; returns once Bolt answers."""
        if self.pid() is not None:
            return self._wait_for_bolt(self.pid(), log=log)
        s = self.settings
        for name, port in (("Bolt", s.bolt_port), ("HTTP", s.http_port)):
            if not port_is_free(s.listen_host, port):
                raise PortInUseError(
                    f"The {name} port {s.listen_host}:{port} is already in use by another process.",
                    hint=f"Stop that process, or choose another port: ENGRAM_{name.upper()}_PORT=<port>.",
                )
        dist = ensure_distribution(s, log=log)
        java = require_tool("java", "run the Neo4j server")
        for folder in (self.conf_dir, self.data_dir, self.logs_dir, self.pid_file.parent, self.home / "import"):
            folder.mkdir(parents=True, exist_ok=True)
        self._write_conf(dist)
        if not (self.data_dir / "dbms" / "auth.ini").exists():
            self._set_initial_password(java, dist)

        command = [
            java, f"-Xms{s.heap_size}", f"-Xmx{s.heap_size}", *_JVM_FLAGS,
            "-cp", dist.classpath(), "org.neo4j.server.CommunityEntryPoint",
            f"--home-dir={self.home}", f"--config-dir={self.conf_dir}",
        ]
        log(f"Starting Neo4j {dist.neo4j_version} with GDS {dist.gds_version} (data in {self.data_dir}) ...")
        with open(self.logs_dir / "console.log", "ab") as console:
            process = subprocess.Popen(
                command, cwd=self.home, env=self._env(), stdin=subprocess.DEVNULL,
                stdout=console, stderr=subprocess.STDOUT, start_new_session=True,
            )
        self.pid_file.write_text(str(process.pid))
        return self._wait_for_bolt(process.pid, log=log, process=process)

    def stop(self, timeout_s: float = 60.0) -> bool:
        """Stop the server cleanly (SIGTERM, then SIGKILL after timeout). False if it was not running."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and _pid_alive(pid):
            _reap(pid)
            time.sleep(0.2)
        if _pid_alive(pid):
            os.kill(pid, signal.SIGKILL)
            _reap(pid)
        self.pid_file.unlink(missing_ok=True)
        return True

    def admin(self, *args: str) -> subprocess.CompletedProcess:
        """Run `neo4j-admin ARGS` (org.neo4j.cli.AdminTool from the distribution's jars) on this server's
        conf and data; the caller checks the return code."""
        dist = ensure_distribution(self.settings, log=lambda *_: None)
        java = require_tool("java", "run neo4j-admin")
        return subprocess.run([java, "-cp", dist.classpath(), "org.neo4j.cli.AdminTool", *args],
                              cwd=self.home, env=self._env(), capture_output=True, text=True, check=False)

    # ---- helpers
    def _env(self) -> dict[str, str]:
        return {**os.environ, "NEO4J_HOME": str(self.home), "NEO4J_CONF": str(self.conf_dir)}

    def _write_conf(self, dist: Distribution) -> None:
        s = self.settings
        settings = {
            "server.directories.data": self.data_dir,
            "server.directories.logs": self.logs_dir,
            "server.directories.plugins": dist.plugins_dir,
            "server.directories.run": self.pid_file.parent,
            "server.directories.import": self.home / "import",
            "server.default_listen_address": s.listen_host,
            "server.default_advertised_address": s.listen_host,
            "server.bolt.listen_address": f":{s.bolt_port}",
            "server.http.listen_address": f":{s.http_port}",
            "server.https.enabled": "false",
            "dbms.security.auth_enabled": "true",
            "dbms.security.procedures.unrestricted": "gds.*",
            "server.memory.pagecache.size": s.pagecache_size,
            "dbms.usage_report.enabled": "false",
            "db.logs.query.enabled": "OFF",
            "db.tx_log.rotation.retention_policy": "2 files",
            # One server: a bookmark it lacks names a transaction it will never have (a restored database),
            # so waiting 30 s (the default) for it only delays the client's reset (storage/failfast.py).
            "db.transaction.bookmark_ready_timeout": "5s",
        }
        lines = ["# Written by `engram db start`; edits are overwritten on the next start."]
        lines += [f"{key}={value}" for key, value in settings.items()]
        (self.conf_dir / "neo4j.conf").write_text("\n".join(lines) + "\n")

    def _set_initial_password(self, java: str, dist: Distribution) -> None:
        s = self.settings
        explicit = s.neo4j_auth or (s.neo4j_password.get_secret_value() if s.neo4j_password else None)
        if explicit:
            user, password = s.credentials() or ("neo4j", "")
            if user != "neo4j":
                raise ConfigurationError("The managed server's user is 'neo4j'; NEO4J_AUTH must be neo4j/<password>.")
        else:
            password = secrets.token_urlsafe(24)
            while password.startswith("-"):  # neo4j-admin would read it as an option and fail
                password = secrets.token_urlsafe(24)
        if len(password) < 8:
            raise ConfigurationError("The Neo4j password must have at least 8 characters.")
        result = self.admin("dbms", "set-initial-password", password)
        if result.returncode != 0:
            raise DatabaseStartError(f"Could not set the initial Neo4j password:\n{result.stdout}{result.stderr}")
        if not explicit:
            s.password_file.parent.mkdir(parents=True, exist_ok=True)
            s.password_file.write_text(password + "\n")
            s.password_file.chmod(0o600)

    def _wait_for_bolt(self, pid: int | None, *, log, process: subprocess.Popen | None = None) -> ServerStatus:
        s = self.settings
        deadline = time.monotonic() + s.start_timeout_s
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None or pid is None or not _pid_alive(pid):
                self.pid_file.unlink(missing_ok=True)
                raise DatabaseStartError("Neo4j exited during start-up.\n" + self._log_tail())
            if port_answers(s.listen_host, s.bolt_port):
                return self.status()
            time.sleep(0.25)
        raise DatabaseStartError(f"Neo4j did not answer on Bolt within {s.start_timeout_s:.0f}s.\n" + self._log_tail())

    def _log_tail(self, lines: int = 30) -> str:
        chunks = []
        for name in ("neo4j.log", "console.log"):
            path = self.logs_dir / name
            if path.exists():
                text = path.read_text(errors="replace").splitlines()
                errors = [line for line in text if "ERROR" in line or "Caused by" in line][-8:]
                chunks.append(f"--- {path}\n" + "\n".join(errors or text[-lines:]))
        return "\n".join(chunks)


def _reap(pid: int) -> None:
    """Collect a child we started ourselves in this process, so it does not linger as a zombie."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
