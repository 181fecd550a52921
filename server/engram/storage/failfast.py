"""The driver, refusing work at once while Neo4j is known to be unreachable (a circuit breaker).

The driver retries a lost connection for `max_transaction_retry_time`, which is right for a blip but
makes every request wait that long when Neo4j is down. Once a call fails because Neo4j cannot be
reached, further calls fail at once with ServiceUnavailable; at most every `probe_interval_s` one of
them opens a single connection (no retries) to see whether Neo4j is back, and if it is the call goes
ahead and the breaker closes. Nothing else changes: the same driver, pool and retries underneath.

It also owns the bookmarks that keep `execute_query` calls causally ordered. A Neo4j that comes back
may be a restored database, at an older transaction than the bookmarks name, and every query would
then wait for that transaction in vain (BookmarkTimeout) until the process restarted. So the bookmarks
start afresh when the breaker closes, and when a query times out waiting for one (once, then retried).
"""

from __future__ import annotations

import threading
import time
from typing import Any

import neo4j
from neo4j import exceptions as neo4j_errors

UNREACHABLE = (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired)
BOOKMARK_TIMEOUT = "Neo.TransientError.Transaction.BookmarkTimeout"


class FailFastDriver:
    def __init__(self, driver: neo4j.Driver, probe_interval_s: float = 1.0) -> None:
        self._driver = driver
        self._probe_interval_s = probe_interval_s
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._last_probe = 0.0
        self._bookmarks = neo4j.GraphDatabase.bookmark_manager()

    @property
    def raw(self) -> neo4j.Driver:
        """The driver underneath, for clients that need a real one (the GDS client)."""
        return self._driver

    # ---- the breaker
    @property
    def known_down(self) -> bool:
        return self._down_since is not None

    def down_reason(self) -> str | None:
        """Why Neo4j is known to be down (for /health), None while it is not."""
        since = self._down_since
        return None if since is None else f"unreachable for {time.monotonic() - since:.0f} s"

    def mark_down(self) -> None:
        with self._lock:
            if self._down_since is None:
                self._down_since = self._last_probe = time.monotonic()

    def check(self) -> None:
        """Raise ServiceUnavailable at once while Neo4j is known down, except for one probe per interval."""
        if self._down_since is None:
            return
        with self._lock:
            now = time.monotonic()
            probe = now - self._last_probe >= self._probe_interval_s
            if probe:
                self._last_probe = now
            down_for = now - (self._down_since or now)
        if not probe:
            raise neo4j_errors.ServiceUnavailable(f"Neo4j has been unreachable for {down_for:.0f} s")
        self._driver.verify_connectivity()  # one connection attempt, no retries; raises while still down
        self._closed()

    def _closed(self) -> None:
        """Neo4j answers again: possibly a restored database, so bookmarks from before no longer hold."""
        with self._lock:
            if self._down_since is not None:
                self._bookmarks = neo4j.GraphDatabase.bookmark_manager()
            self._down_since = None

    def forget_bookmarks(self) -> None:
        with self._lock:
            self._bookmarks = neo4j.GraphDatabase.bookmark_manager()

    # ---- what repositories call
    def execute_query(self, *args: Any, **kwargs: Any):
        self.check()
        own_bookmarks = "bookmark_manager_" not in kwargs
        try:
            return self._driver.execute_query(*args, **self._with_bookmarks(kwargs))
        except UNREACHABLE:
            self.mark_down()
            raise
        except neo4j_errors.TransientError as exc:
            if not (own_bookmarks and exc.code == BOOKMARK_TIMEOUT):
                raise
        self.forget_bookmarks()  # waited for a transaction this database never had: start afresh, once
        return self._driver.execute_query(*args, **self._with_bookmarks(kwargs))

    def _with_bookmarks(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        return kwargs if "bookmark_manager_" in kwargs else {**kwargs, "bookmark_manager_": self._bookmarks}

    @property
    def execute_query_bookmark_manager(self) -> neo4j.api.BookmarkManager:
        return self._bookmarks

    def session(self, *args: Any, **kwargs: Any) -> "_Session":
        self.check()
        return _Session(self, self._driver.session(*args, **kwargs))

    def verify_connectivity(self, *args: Any, **kwargs: Any) -> None:
        try:
            self._driver.verify_connectivity(*args, **kwargs)
        except UNREACHABLE:
            self.mark_down()
            raise
        self._closed()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._driver, name)


class _Session:
    """A session that tells the breaker when Neo4j was unreachable inside it."""

    def __init__(self, breaker: FailFastDriver, session: neo4j.Session) -> None:
        self._breaker, self._session = breaker, session

    def __enter__(self) -> "_Session":
        self._session.__enter__()
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is not None and isinstance(exc, UNREACHABLE):
            self._breaker.mark_down()
        return self._session.__exit__(exc_type, exc, tb)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)
