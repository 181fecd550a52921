"""The deadline of the work in progress, carried from the API down to storage without passing it through
every call: a context variable, set around one request's engine call (engram.api.context) and read by the
repositories, which give each Neo4j transaction what is left of it as a server-side timeout.

Work outside a request (the CLI, periodic jobs) has no deadline; storage then uses its configured cap."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_deadline: ContextVar[float | None] = ContextVar("engram_deadline", default=None)


def remaining() -> float | None:
    """Seconds left before the current deadline (negative once past it); None outside any deadline."""
    at = _deadline.get()
    return None if at is None else at - time.monotonic()


def current() -> float | None:
    """The current deadline (a time.monotonic() value), None outside any."""
    return _deadline.get()


def call_within(deadline: float | None, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """`fn(*args, **kwargs)` with `deadline` (a time.monotonic() value; None: none) as the current deadline."""
    token = _deadline.set(deadline)
    try:
        return fn(*args, **kwargs)
    finally:
        _deadline.reset(token)
