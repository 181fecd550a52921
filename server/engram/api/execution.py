"""GraphQL requests handled on an event loop of its own thread, apart from the loop that serves HTTP.

Parsing the body, validating and costing a query, running its resolvers, building its result and encoding
the response are Python work on whichever loop awaits them: a 950 KB context, 400 fragments or 800 memories
of aliased results hold that loop for tens to hundreds of milliseconds. On the serving loop that delays every
other request, /health and the up-front refusals (413, 429) included. Here the serving loop only reads
request bodies, writes responses and waits on a future, so those answer while queries run; engine calls
still go to the bounded worker pool."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from concurrent.futures import Executor
from typing import Any, TypeVar

T = TypeVar("T")


class ExecutionLoop:
    def __init__(self, executor: Executor, name: str = "engram-graphql") -> None:
        self._loop = asyncio.new_event_loop()
        self._loop.set_default_executor(executor)  # asyncio.to_thread from resolvers uses the bounded pool
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    async def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Await `coroutine` run on the execution loop; cancelling the caller cancels it there too."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coroutine, self._loop))

    def close(self) -> None:
        if not self._loop.is_running():
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self._loop.close()
