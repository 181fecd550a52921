"""The one way repositories run catalog queries: named statement, $params, errors translated, and
writes that commit together with their audit events."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import neo4j
from neo4j import exceptions as neo4j_errors

from engram.config import Settings
from engram.entities.audit_chain import AuditEntry
from engram.storage.catalog import catalog_for
from engram.storage.connection import ENTITY_GONE, map_driver_errors
from engram.storage.timeouts import transaction_timeout

if TYPE_CHECKING:
    from engram.storage.audit import AuditRepository

T = TypeVar("T")
Transaction = neo4j.ManagedTransaction
AuditedWork = Callable[[Transaction], tuple[T, Sequence[AuditEntry]]]


RACED_ATTEMPTS = 3


def again_if_raced(run: Callable[[], T]) -> T:
    """`run()`, run again (up to RACED_ATTEMPTS in all) when a node or relationship it used was deleted by a
    concurrent transaction meanwhile: retention, analysis and agent deletion delete while others read and write.
    Neo4j reports that as EntityNotFound, a client error the driver does not retry; the transaction rolled
    back, so running it again is as safe as the driver's own retries (every retry takes a fresh timeout from
    what is left of the deadline, and none starts past it)."""
    for attempt in range(1, RACED_ATTEMPTS + 1):
        try:
            return run()
        except neo4j_errors.ClientError as exc:
            if exc.code != ENTITY_GONE or attempt == RACED_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


class Repository:
    def __init__(self, driver: neo4j.Driver, settings: Settings) -> None:
        self.driver = driver
        self.settings = settings
        self.database = settings.neo4j_database
        self.queries = catalog_for(settings.cypher_dir)
        self.uri = settings.bolt_uri

    def _query(self, name: str) -> neo4j.Query:
        """The named statement with a server-side timeout: what is left of the request's deadline, or the
        configured cap outside a request (engram.storage.timeouts)."""
        return neo4j.Query(self.queries.get(name), timeout=transaction_timeout(self.settings))

    def _read(self, name: str, /, **params: Any) -> list[neo4j.Record]:
        with map_driver_errors(self.uri):
            return again_if_raced(lambda: self.driver.execute_query(
                self._query(name), params, database_=self.database, routing_=neo4j.RoutingControl.READ,
                result_transformer_=self._within_deadline))

    def _write(self, name: str, /, **params: Any) -> list[neo4j.Record]:
        with map_driver_errors(self.uri):
            return again_if_raced(lambda: self.driver.execute_query(
                self._query(name), params, database_=self.database, result_transformer_=self._within_deadline))

    def _within_deadline(self, result: neo4j.Result) -> list[neo4j.Record]:
        """The records, read inside each attempt of `execute_query`'s transaction. The driver retries a
        transient failure with the timeout the first attempt was given; an attempt that finds the request's
        deadline passed, before or after reading, raises DeadlineExceededError instead (not a driver error:
        no further retry), so its transaction rolls back rather than commit after the caller gave up."""
        transaction_timeout(self.settings)
        records = list(result)
        transaction_timeout(self.settings)
        return records

    def _in_write_transaction(self, work: Callable[[Transaction], T]) -> T:
        """`work` may run more than once (the driver retries transient failures): keep it idempotent. The
        transaction has the same server-side timeout as a single statement (`_query`), and no attempt runs
        or commits past the request's deadline: a retry after it is refused, and work that ends after it
        rolls back, so nothing commits once the caller was told DEADLINE_EXCEEDED."""

        def run() -> T:
            @neo4j.unit_of_work(timeout=transaction_timeout(self.settings))
            def attempt(tx: Transaction) -> T:
                transaction_timeout(self.settings)  # raises once past the deadline (not a driver error: no retry)
                done = work(tx)
                transaction_timeout(self.settings)  # and rolls back rather than commit past it
                return done

            with self.driver.session(database=self.database) as session:
                return session.execute_write(attempt)

        with map_driver_errors(self.uri):
            return again_if_raced(run)

    def _run(self, tx: Transaction, name: str, /, **params: Any) -> neo4j.Result:
        return tx.run(self.queries.get(name), params)


class AuditedRepository(Repository):
    """A repository whose writes append their audit events in the same transaction: the change and its
    audit record commit together or not at all."""

    def __init__(self, driver: neo4j.Driver, settings: Settings, audit: AuditRepository) -> None:
        super().__init__(driver, settings)
        self.audit = audit

    def _write_audited(self, work: AuditedWork[T]) -> T:
        return self.audit.run_audited(work)

    def _statement_audited(self, events: Callable[[neo4j.Record], Sequence[AuditEntry]], name: str, /,
                           **params: Any) -> neo4j.Record:
        """One statement; when it changed something (`created`, `was_live`, `was_pending`), its events."""

        def work(tx: Transaction) -> tuple[neo4j.Record, Sequence[AuditEntry]]:
            record = self._run(tx, name, **params).single(strict=True)
            changed = any(record.get(flag) for flag in ("created", "was_live", "was_pending"))
            return record, events(record) if changed else []

        return self._write_audited(work)
