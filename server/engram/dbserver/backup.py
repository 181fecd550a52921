"""Backup and restore of the managed server with Neo4j's own `neo4j-admin database dump|load`.

Neo4j community edition dumps and loads only a stopped database, so both stop the server when it
runs and start it again afterwards. The dump is one file: Neo4j's store (nodes, relationships,
properties and the files of every index) as of the last clean shutdown.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from engram.dbserver.process import ManagedNeo4j
from engram.errors import BadInputError, DatabaseStartError


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size_bytes: int
    database: str
    restarted: bool


def backup(server: ManagedNeo4j, target: Path, *, overwrite: bool = False,
           log: Callable[[str], object] = print) -> BackupResult:
    """Dump the database to `target` (one file). The server is stopped for the dump and started again
    if it was running."""
    target = target.expanduser().resolve()
    if target.exists() and not overwrite:
        raise BadInputError(f"{target} exists already.", hint="Choose another file, or pass --force to replace it.")
    if not target.parent.is_dir():
        raise BadInputError(f"The folder {target.parent} does not exist.")
    database = server.settings.neo4j_database
    with _stopped(server, log, always_start=False) as was_running, tempfile.TemporaryDirectory(dir=target.parent) as work:
        _admin(server, "database", "dump", database, f"--to-path={work}", "--overwrite-destination=true")
        dump = Path(work) / f"{database}.dump"
        if not dump.exists():
            raise DatabaseStartError(f"neo4j-admin finished but wrote no {dump.name}.")
        dump.replace(target)
    return BackupResult(target, target.stat().st_size, database, was_running)


def restore(server: ManagedNeo4j, source: Path, *, log: Callable[[str], object] = print) -> BackupResult:
    """Replace the database with the dump in `source`. The server is stopped for the load and started
    again afterwards (also when it was not running: a restored database is meant to be used)."""
    source = source.expanduser().resolve()
    if not source.is_file():
        raise BadInputError(f"No backup file at {source}.")
    database = server.settings.neo4j_database
    with tempfile.TemporaryDirectory(dir=server.home) as work:
        # neo4j-admin reads `<database>.dump` from a folder; a link avoids copying a large file.
        staged = Path(work) / f"{database}.dump"
        try:
            staged.symlink_to(source)
        except OSError:
            shutil.copy2(source, staged)
        # Read the archive before stopping anything: a file that is no dump leaves the database as it is.
        try:
            _admin(server, "database", "load", "--info", f"--from-path={work}", database)
        except DatabaseStartError as exc:
            raise BadInputError(f"{source} is not a Neo4j dump that can be loaded.\n{exc.message}") from exc
        with _stopped(server, log, always_start=True):
            _admin(server, "database", "load", database, f"--from-path={work}", "--overwrite-destination=true")
    return BackupResult(source, source.stat().st_size, database, True)


class _stopped:
    """Stops a running server for the block and starts it again afterwards when it ran before or
    `always_start` (even if the block failed, so a failed dump never leaves the service without its database)."""

    def __init__(self, server: ManagedNeo4j, log: Callable[[str], object], *, always_start: bool) -> None:
        self.server, self.log, self.always_start = server, log, always_start
        self.was_running = False

    def __enter__(self) -> bool:
        # Start once if never started: the first start creates the conf and the store layout.
        if not self.server.conf_dir.joinpath("neo4j.conf").exists():
            raise BadInputError("The managed Neo4j server was never started here.", hint="Run `engram db start` first.")
        self.was_running = self.server.pid() is not None
        if self.was_running:
            self.log("Stopping Neo4j (dump and load need a stopped database) ...")
            self.server.stop()
        return self.was_running

    def __exit__(self, *exc_info) -> None:
        if self.was_running or self.always_start:
            self.server.start(log=self.log)


def _admin(server: ManagedNeo4j, *args: str) -> None:
    result = server.admin(*args)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise DatabaseStartError(f"neo4j-admin {' '.join(args[:2])} failed:\n{tail}")
