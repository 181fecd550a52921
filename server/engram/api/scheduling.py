"""Keeps the event loop first in line for the CPU and the GIL, so /health and up-front refusals answer while
worker threads do engine work (Neo4j, the model).

Two causes make a request that does no IO wait under load: the operating system runs a busy worker thread
instead of the loop's thread (2 cores, many runnable threads), and a worker holding the GIL keeps the loop
waiting up to the switch interval (5 ms by default, again for every hand-over). Worker threads therefore run
at a lower scheduling priority (a thread's niceness on Linux; threads they start, such as the embedding
dispatcher and ONNX Runtime's pool, inherit it), and the switch interval is shortened."""

from __future__ import annotations

import logging
import os
import sys
import threading

log = logging.getLogger("engram.api")


def favour_event_loop(switch_interval_ms: float) -> None:
    sys.setswitchinterval(switch_interval_ms / 1000)


def lower_thread_priority(nice: int) -> None:
    """Thread-pool initializer: raise this thread's niceness by `nice` (Linux schedules threads one by one)."""
    if nice <= 0 or not hasattr(os, "setpriority"):
        return
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + nice))
    except OSError:  # not permitted here: run at the normal priority
        log.debug("could not lower the worker thread's priority", exc_info=True)
