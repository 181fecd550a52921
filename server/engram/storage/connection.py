"""Opens the Neo4j driver and translates driver errors into Engram's own at this edge."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import neo4j
from neo4j import exceptions as neo4j_errors

from engram.config import Settings
from engram.errors import BadInputError, DatabaseUnavailableError, DeadlineExceededError
from engram.storage.failfast import FailFastDriver

Driver = neo4j.Driver  # the type the services are handed; only storage/ names neo4j itself

# Neo4j ended a transaction at the timeout it was given (engram.storage.timeouts): a query running past it,
# or one still waiting for a lock.
TIMED_OUT = ("Neo.ClientError.Transaction.TransactionTimedOut",
             "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
             "Neo.ClientError.Transaction.LockClientStopped")


def open_driver(settings: Settings) -> neo4j.Driver:
    """A driver for the configured server; connectivity is checked, so failures surface here. It fails
    fast while Neo4j is unreachable and recovers by itself when it is back."""
    auth = settings.credentials()
    driver = neo4j.GraphDatabase.driver(
        settings.bolt_uri, auth=auth, max_connection_pool_size=64,
        connection_acquisition_timeout=settings.neo4j_acquire_timeout_s,
        connection_timeout=settings.neo4j_connect_timeout_s,
        max_transaction_retry_time=settings.neo4j_retry_time_s,
        notifications_min_severity="OFF",  # "property does not exist yet" warnings are expected on a young graph
    )
    with map_driver_errors(settings.bolt_uri):
        driver.verify_connectivity()
    # While Neo4j is down, calls fail at once instead of each waiting out the retries (storage/failfast.py).
    return FailFastDriver(driver)  # type: ignore[return-value]  # a neo4j.Driver in all but name


ENTITY_GONE = "Neo.ClientError.Statement.EntityNotFound"  # deleted by a concurrent transaction meanwhile


@contextmanager
def map_driver_errors(uri: str = "") -> Iterator[None]:
    try:
        yield
    except neo4j_errors.AuthError as exc:
        raise DatabaseUnavailableError(
            f"Neo4j at {uri} refused the credentials: {exc.message}",
            hint="Check NEO4J_AUTH / NEO4J_PASSWORD, or the password file of the managed server.",
        ) from exc
    except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired, OSError) as exc:
        raise DatabaseUnavailableError(
            f"Neo4j at {uri} is not reachable: {exc}",
            hint="Start it with `engram db start`, or set NEO4J_URI to a running server.",
        ) from exc
    except (neo4j_errors.TransientError, neo4j_errors.ConnectionPoolError) as exc:
        # Still failing after the driver's retries (a database starting up, a deadlock storm, a pool
        # exhausted by slow queries): the caller may try again later.
        raise DatabaseUnavailableError(f"Neo4j at {uri} is busy or starting: {exc}",
                                       hint="Try again in a few seconds.") from exc
    except neo4j_errors.ConstraintError as exc:
        raise BadInputError(f"Conflicts with stored data: {exc.message}") from exc
    except neo4j_errors.ClientError as exc:
        if exc.code == ENTITY_GONE:  # still, after storage.base.again_if_raced
            raise DatabaseUnavailableError(f"Neo4j at {uri}: what this request used was deleted meanwhile "
                                           f"({exc.message})", hint="Try again.") from exc
        if exc.code not in TIMED_OUT:
            raise
        raise DeadlineExceededError("Neo4j stopped the work at its time limit (the request's deadline, or "
                                    "ENGRAM_NEO4J_TX_TIMEOUT_S outside a request).",
                                    hint="Ask for less (smaller `first`/`k`), or try again.") from exc
