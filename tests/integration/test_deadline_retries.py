"""A driver retry never runs a statement past the request's deadline (engram.storage.base).

The driver retries a transaction that failed transiently, after a back-off of about a second, with the
server-side timeout the first attempt was given. Here the fault is real: the Bolt connection is cut while
the first attempt waits on a lock (a TCP relay between the driver and Neo4j closes every connection), so the
driver retries after the deadline has passed. That retry must not commit: the caller was already told
DEADLINE_EXCEEDED."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import neo4j
import pytest

from engram import deadline
from engram.config import Settings
from engram.errors import DeadlineExceededError
from engram.storage.audit import AuditRepository
from engram.storage.connection import open_driver
from engram.storage.retention import RetentionRepository

pytestmark = pytest.mark.integration

POLICY = "deadline-retry-policy"
DEADLINE_S = 1.0  # the cut comes well before it; the driver's first back-off (0.8–1.2 s) ends after it
CUT_AFTER_S = 0.3


class BoltRelay:
    """Forwards TCP connections from a local port to Neo4j's Bolt port; `cut()` closes every open one."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            with self.lock:
                self.open += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                end.close()

    def cut(self) -> None:
        with self.lock:
            cut, self.open = self.open, []
        for end in cut:
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            end.close()

    def close(self) -> None:
        self.listener.close()
        self.cut()


@pytest.fixture
def relayed(settings: Settings, db: neo4j.Driver) -> Iterator[tuple[BoltRelay, Settings]]:
    host, port = settings.bolt_uri.split("://")[1].rsplit(":", 1)
    relay = BoltRelay((host, int(port)))
    try:
        yield relay, settings.model_copy(update={"neo4j_uri": f"bolt://127.0.0.1:{relay.port}"})
    finally:
        relay.close()


def test_a_retry_after_the_deadline_does_not_commit(relayed: tuple[BoltRelay, Settings], db: neo4j.Driver,
                                                    settings: Settings) -> None:
    relay, via_relay = relayed
    db.execute_query("CREATE (:RetentionPolicy {id: $id, agent_id: 'x', memory_type: '*', max_count: 1})",
                     id=POLICY, database_=settings.neo4j_database)
    driver = open_driver(via_relay)
    repository = RetentionRepository(driver, via_relay, AuditRepository(driver, via_relay, prepare=lambda e: e,
                                                                        attribute=lambda e: e))
    outcome: list[BaseException | object] = []

    def set_policy() -> None:
        try:
            outcome.append(deadline.call_within(
                time.monotonic() + DEADLINE_S, repository.set_policy, id=POLICY, agent_id="x", memory_type="*",
                max_age_days=None, max_count=99, min_confidence=None))
        except BaseException as exc:  # noqa: BLE001 - the test reads what it was
            outcome.append(exc)

    try:
        with db.session(database=settings.neo4j_database) as session:
            holder = session.begin_transaction()
            holder.run("MATCH (p:RetentionPolicy {id: $id}) SET p.max_count = 1", id=POLICY).consume()
            writer = threading.Thread(target=set_policy)
            writer.start()  # its first attempt waits for the holder's lock …
            time.sleep(CUT_AFTER_S)
            relay.cut()  # … loses its connection (a transient failure: the driver retries after a back-off)
            holder.rollback()
        writer.join(timeout=30)
    finally:
        driver.close()
    assert not writer.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], DeadlineExceededError), outcome
    stored = db.execute_query("MATCH (p:RetentionPolicy {id: $id}) RETURN p.max_count AS n", id=POLICY,
                              database_=settings.neo4j_database).records[0]["n"]
    assert stored == 1, "a retry committed after the deadline"
