"""The micro-batching queue with the real model: concurrent requests are encoded together, each gets what
it would have got alone and in its own order, and a bad request fails alone."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from engram.embedding.batching import MicroBatcher
from engram.embeddings import SentenceTransformerEmbedder
from engram.errors import BadInputError

REQUESTS = [[f"deploy {i} of service-{i % 5} failed during migration {i * 7}"] if i % 3 else
            [f"first text of request {i}: npm install timed out", f"second text of request {i}: retry the job",
             f"third text of request {i}: cache miss storm"] for i in range(24)]


def concurrently(batcher: MicroBatcher, requests: list[list]) -> list[list[list[float]] | BaseException]:
    """Every request from its own thread, released at the same moment."""
    start = threading.Barrier(len(requests))

    def send(texts: list) -> list[list[float]] | BaseException:
        start.wait()
        try:
            return batcher.embed(texts)
        except Exception as exc:  # noqa: BLE001 - the test looks at which requests failed
            return exc

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(send, requests))


@pytest.fixture
def batcher() -> MicroBatcher:
    # Its own embedder (the model is shared, the cache of recent texts is not), so nothing comes from a cache.
    queue = MicroBatcher(SentenceTransformerEmbedder(), window_s=0.05, max_texts=64)
    yield queue
    queue.close()


def test_batched_results_equal_one_at_a_time_in_order(batcher: MicroBatcher) -> None:
    alone = SentenceTransformerEmbedder()
    expected = [alone.embed(texts) for texts in REQUESTS]
    got = concurrently(batcher, REQUESTS)
    for want, have in zip(expected, got, strict=True):
        assert not isinstance(have, BaseException), have
        assert len(have) == len(want)
        np.testing.assert_allclose(np.array(have), np.array(want), atol=1e-5)  # row i is text i: order kept
    assert batcher.model_calls < len(REQUESTS) / 2, "concurrent requests were not encoded together"


def test_a_bad_request_fails_alone(batcher: MicroBatcher) -> None:
    requests = [*REQUESTS[:10], ["a good text", None], *REQUESTS[10:20]]
    got = concurrently(batcher, requests)
    assert isinstance(got[10], BadInputError)
    alone = SentenceTransformerEmbedder()
    for i, (texts, have) in enumerate(zip(requests, got, strict=True)):
        if i != 10:
            assert not isinstance(have, BaseException), have
            np.testing.assert_allclose(np.array(have), np.array(alone.embed(texts)), atol=1e-5)


def test_large_and_empty_calls_skip_the_queue(batcher: MicroBatcher) -> None:
    assert batcher.embed([]) == []
    many = [f"text number {i}" for i in range(64)]
    assert len(batcher.embed(many)) == 64
    assert batcher.model_calls == 0


def test_a_lone_caller_is_not_held_for_the_window(batcher: MicroBatcher) -> None:
    # Requests further apart than the window (50 ms) have no company to wait for: each is encoded at once.
    for i in range(3):
        assert len(batcher.embed([f"a lone request number {i}"])) == 1
        time.sleep(0.1)
    assert (batcher.model_calls, batcher.waits) == (3, 0)


def test_a_request_right_after_another_waits_for_company() -> None:
    # The second request comes as soon as the first is encoded, well within a 1 s window: it is held for it.
    queue = MicroBatcher(SentenceTransformerEmbedder(), window_s=1.0, max_texts=64)
    try:
        queue.embed(["the first request"])
        queue.embed(["the second request, right after it"])
        assert (queue.model_calls, queue.waits) == (2, 1)
    finally:
        queue.close()


class Watched:
    """The real model, watched: how many calls run at once, and how many texts each call gets."""

    def __init__(self) -> None:
        self.model = SentenceTransformerEmbedder()
        self.dimension, self.name = self.model.dimension, self.model.name
        self.running = self.most_at_once = 0
        self.call_sizes: list[int] = []
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> list[list[float]]:
        with self._lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
            self.call_sizes.append(len(texts))
        try:
            return self.model.embed(texts)
        finally:
            with self._lock:
                self.running -= 1


def test_one_model_call_at_a_time_and_long_lists_in_parts() -> None:
    # The model already uses every core: calls side by side only queue runnable threads. A long list goes
    # in parts of max_texts, so a short request queued behind it waits for one part, not the whole list.
    watched = Watched()
    queue = MicroBatcher(watched, window_s=0.01, max_texts=16)  # type: ignore[arg-type]
    try:
        long_lists = [[f"long list {n} text {i}: the deploy of shard {i} timed out" for i in range(40)]
                      for n in range(3)]
        got = concurrently(queue, [*long_lists, *REQUESTS[:9]])
    finally:
        queue.close()
    assert watched.most_at_once == 1
    assert max(watched.call_sizes) <= 16
    alone = SentenceTransformerEmbedder()
    for texts, have in zip([*long_lists, *REQUESTS[:9]], got, strict=True):
        assert not isinstance(have, BaseException), have
        np.testing.assert_allclose(np.array(have), np.array(alone.embed(texts)), atol=1e-5)
