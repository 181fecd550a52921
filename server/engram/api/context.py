"""The per-request GraphQL context around the process-wide services (owned by the lifespan)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from starlette.requests import Request

from engram import deadline
from engram.auth.service import Caller
from engram.errors import DeadlineExceededError
from engram.privacy.acting import ActingScope, run_in
from engram.services import Services

if TYPE_CHECKING:
    from engram.api.health_probe import HealthProbe

T = TypeVar("T")


def bearer_token(request: Request) -> str | None:
    """The key from `Authorization: Bearer …`; any other scheme counts as a (bad) key, never as none."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, value = header.strip().partition(" ")
    return value.strip() if scheme.lower() == "bearer" else header


@dataclass
class RequestContext:
    request: Request | None  # None where the schema runs without HTTP (MCP over stdio)
    resources: Services
    token: str | None
    loaders: Any  # engram.api.gql.loaders.Loaders, built per request
    _caller: asyncio.Future[Caller] | None = None
    started: float = field(default_factory=time.monotonic)
    acting: ActingScope = field(default_factory=ActingScope)  # whom an operator acted for (asAgent), for the audit

    def start_authentication(self) -> None:
        """Look the key up now, on a worker thread, so the read overlaps parsing and validating the query;
        `caller()` awaits it. Called from a running event loop; a no-op once started."""
        if self._caller is None:
            ends = self.started + self.resources.settings.api_request_timeout_s
            self._caller = asyncio.ensure_future(
                asyncio.to_thread(deadline.call_within, ends, self.resources.keys.authenticate, self.token))
            # A query refused before any field asked for the caller never awaits it: read its outcome here,
            # so a bad key does not log "exception was never retrieved".
            self._caller.add_done_callback(lambda done: done.cancelled() or done.exception())

    async def caller(self) -> Caller:
        """The authenticated caller, looked up once per request however many fields ask."""
        self.start_authentication()
        assert self._caller is not None
        return await asyncio.shield(self._caller)

    def health_probe(self) -> HealthProbe | None:
        """The service's health probe (its report of the last second), or None where there is no service."""
        return self.request.app.state.health if self.request is not None else None

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Engine calls block on Neo4j and the model: run them off the event loop (in the default
        executor, bounded by ENGRAM_API_WORKER_THREADS), within the request's deadline. A call past the
        deadline is answered DEADLINE_EXCEEDED; its thread finishes on its own (writes are idempotent), and the
        deadline goes with it to storage (engram.deadline): Neo4j ends its transactions by then, and none starts
        after it. What they audit while an operator acts for an agent is recorded under the operator
        (privacy/acting.py)."""
        timeout = self.resources.settings.api_request_timeout_s
        ends = self.started + timeout
        remaining = ends - time.monotonic()
        if remaining <= 0:
            raise DeadlineExceededError(f"The request ran past its deadline of {timeout:g} s.")
        try:
            return await asyncio.wait_for(
                asyncio.to_thread(deadline.call_within, ends, run_in, self.acting, fn, *args, **kwargs), remaining)
        except TimeoutError:
            raise DeadlineExceededError(f"The request ran past its deadline of {timeout:g} s.") from None
