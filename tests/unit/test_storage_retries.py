"""A statement that lost a node to a concurrent delete (EntityNotFound, which the driver does not retry) runs
again; past a few attempts, or for any other client error, the error stands (engram.storage.base)."""

from __future__ import annotations

import pytest
from neo4j import exceptions as neo4j_errors

from engram.errors import DatabaseUnavailableError
from engram.storage.base import RACED_ATTEMPTS, again_if_raced
from engram.storage.connection import ENTITY_GONE, map_driver_errors


def client_error(code: str) -> neo4j_errors.Neo4jError:
    return neo4j_errors.Neo4jError._hydrate_neo4j(code=code, message="Unable to load NODE 4:x:56.")


def flaky(failures: int, code: str = ENTITY_GONE):
    calls = []

    def run() -> str:
        calls.append(1)
        if len(calls) <= failures:
            raise client_error(code)
        return "done"

    return run, calls


def test_a_statement_that_raced_a_delete_runs_again() -> None:
    run, calls = flaky(RACED_ATTEMPTS - 1)
    assert again_if_raced(run) == "done" and len(calls) == RACED_ATTEMPTS


def test_after_the_last_attempt_the_race_is_a_database_unavailable_error_not_internal() -> None:
    run, calls = flaky(RACED_ATTEMPTS)
    with pytest.raises(DatabaseUnavailableError, match="deleted meanwhile"), map_driver_errors("bolt://x"):
        again_if_raced(run)
    assert len(calls) == RACED_ATTEMPTS


def test_other_client_errors_are_not_retried() -> None:
    run, calls = flaky(1, code="Neo.ClientError.Statement.SyntaxError")
    with pytest.raises(neo4j_errors.ClientError):
        again_if_raced(run)
    assert len(calls) == 1
