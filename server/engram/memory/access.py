"""Access tracking off the read path: hits are counted in memory and written in batches."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from datetime import UTC, datetime

from engram.entities.memory import MemoryRef
from engram.storage.memories import MemoryRepository

log = logging.getLogger(__name__)


class AccessRecorder:
    """Reads call `touch(refs)` (no IO); a daemon thread flushes every `interval_s` seconds."""

    def __init__(self, repository: MemoryRepository, interval_s: float = 1.0) -> None:
        self.repository = repository
        self.interval_s = interval_s
        self._pending: Counter[MemoryRef] = Counter()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._closed = False

    def touch(self, refs: list[MemoryRef]) -> None:
        with self._lock:
            self._pending.update(refs)
            if self._thread is None and not self._closed:
                self._thread = threading.Thread(target=self._run, name="engram-access", daemon=True)
                self._thread.start()

    def flush(self) -> int:
        with self._lock:
            pending, self._pending = self._pending, Counter()
        if not pending:
            return 0
        now = datetime.now(UTC).isoformat()
        try:
            self.repository.record_access([{"agent_id": r.agent_id, "id": r.id, "count": c, "at": now}
                                             for r, c in pending.items()])
        except Exception:  # tracking must never break reads; the counts are retried on the next flush
            log.exception("could not record memory access; will retry")
            with self._lock:
                self._pending.update(pending)
            return 0
        return len(pending)

    def close(self) -> None:
        self._closed = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.flush()

    def _run(self) -> None:
        while not self._closed:
            self._wake.wait(self.interval_s)
            self.flush()
