"""A micro-batching queue in front of an embedder: texts that concurrent requests (threads) ask for within a
few milliseconds are encoded in one model call, which costs little more than encoding one of them.

The queue waits for company only when company is likely: when the request before arrived less than a window
earlier. A lone caller (requests further apart than the window) is encoded at once rather than held for a
window nobody else will use; under concurrency requests arrive close together and are gathered as before.
Requests that queue while the model is busy form the next call without any wait."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from engram.embeddings import Embedder, ModelInfo


@dataclass(eq=False)
class _Request:
    texts: list[str]
    arrived: float = field(default_factory=time.monotonic)
    gap: float = float("inf")  # since the request before it arrived
    done: threading.Event = field(default_factory=threading.Event)
    vectors: list[list[float]] | None = None
    error: BaseException | None = None


class MicroBatcher:
    """An Embedder. `embed` from many threads: one dispatcher thread waits up to `window_s` after the first
    queued request (if the request before it came less than `window_s` earlier), then encodes up to
    `max_texts` texts of the queued requests in one call and hands each request its own vectors, in order. When that call fails, each request is encoded on its own, so a bad
    request fails alone. A call with `max_texts` texts or more goes straight to the model."""

    def __init__(self, inner: Embedder, window_s: float = 0.003, max_texts: int = 64) -> None:
        self.inner = inner
        self.name = inner.name
        self.window_s = window_s
        self.max_texts = max_texts
        self.model_calls = 0  # what the dispatcher sent to the model (for tests and benchmarks)
        self._queue: list[_Request] = []
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._last_arrival = float("-inf")
        self.waits = 0  # batches held for the window (for tests and benchmarks)
        # One model call at a time: a call already uses every core (the backend's own threads), so calls
        # side by side only add runnable threads, which delay the event loop and each other.
        self._model = threading.Lock()

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    @property
    def backend(self) -> str:
        return getattr(self.inner, "backend", "?")

    def info(self) -> ModelInfo:
        return self.inner.info()  # type: ignore[attr-defined]

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        if self.window_s <= 0:
            return self.inner.embed(texts)
        if len(texts) >= self.max_texts:
            return self._encode_alone(list(texts))
        request = _Request(list(texts))
        with self._cond:
            if self._closed:
                raise RuntimeError("The embedding queue is closed.")
            request.gap = request.arrived - self._last_arrival
            self._last_arrival = max(self._last_arrival, request.arrived)
            self._queue.append(request)
            if self._thread is None:
                self._thread = threading.Thread(target=self._dispatch_forever, name="engram-embed-batcher",
                                                daemon=True)
                self._thread.start()
            self._cond.notify()
        request.done.wait()
        if request.error is not None:
            raise request.error
        assert request.vectors is not None
        return request.vectors

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()
        if self._thread is not None:
            self._thread.join(timeout=10)

    # ---- the dispatcher thread
    def _dispatch_forever(self) -> None:
        while True:
            batch = self._next_batch()
            if batch is None:
                return
            self._encode(batch)

    def _next_batch(self) -> list[_Request] | None:
        with self._cond:
            while not self._queue:
                if self._closed:
                    return None
                self._cond.wait()
            # Requests that queued while the model was busy have waited long enough already, and a request
            # whose predecessor came more than a window before it has no company to wait for.
            first = self._queue[0]
            deadline = first.arrived + self.window_s if first.gap < self.window_s else 0.0
            waited = False
            while (remaining := deadline - time.monotonic()) > 0 and self._queued_texts() < self.max_texts:
                waited = True
                self._cond.wait(remaining)
            self.waits += waited
            batch, count = [], 0
            while self._queue and (not batch or count + len(self._queue[0].texts) <= self.max_texts):
                request = self._queue.pop(0)
                batch.append(request)
                count += len(request.texts)
            return batch

    def _queued_texts(self) -> int:
        return sum(len(r.texts) for r in self._queue)

    def _encode_alone(self, texts: list[str]) -> list[list[float]]:
        """A long list, in model calls of `max_texts`, so queued requests wait for one such call at most."""
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.max_texts):
            with self._model:
                vectors += self.inner.embed(texts[start:start + self.max_texts])
        return vectors

    def _encode(self, batch: list[_Request]) -> None:
        try:
            self.model_calls += 1
            with self._model:
                vectors = self.inner.embed([text for request in batch for text in request.texts])
        except BaseException as exc:  # noqa: BLE001 - find the request at fault, fail only that one
            if len(batch) == 1:
                batch[0].error = exc
            else:
                for request in batch:
                    self._encode([request])
                return
        else:
            start = 0
            for request in batch:
                request.vectors = vectors[start:start + len(request.texts)]
                start += len(request.texts)
        for request in batch:
            request.done.set()
