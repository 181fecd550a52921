"""How long Neo4j may work on one transaction before the server terminates it: what is left of the current
request's deadline (engram.deadline), so no transaction outlives the request that started it, or the
configured cap (ENGRAM_NEO4J_TX_TIMEOUT_S) for work outside a request."""

from __future__ import annotations

from engram import deadline
from engram.config import Settings
from engram.errors import DeadlineExceededError

MIN_TIMEOUT_S = 0.001  # the driver sends milliseconds, and 0 would mean "no timeout at all"


def transaction_timeout(settings: Settings) -> float | None:
    """Seconds for the next transaction; None leaves the server's default (no cap configured). Past the
    request's deadline no transaction is started: DeadlineExceededError."""
    cap = settings.neo4j_tx_timeout_s or None
    left = deadline.remaining()
    if left is None:
        return cap
    if left <= 0:
        raise DeadlineExceededError(f"The request ran past its deadline of {settings.api_request_timeout_s:g} s.")
    return max(min(left, cap) if cap else left, MIN_TIMEOUT_S)
