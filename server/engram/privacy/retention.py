"""Retention: per-agent, per-type policies in Neo4j, real deletion in audited batches, and the scheduler.

Deletion removes the node and its relationships; Neo4j maintains the vector and fulltext indexes in
the same transaction, so nothing deleted can be found afterwards. Each batch of up to DELETE_BATCH
memories commits together with its audit events (a delete without its audit record cannot happen).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import timedelta

from engram.config import Settings
from engram.entities.memory import MemoryKind
from engram.entities.memory import MemoryRef
from engram.entities.privacy import ANY, OPERATOR, AuditEventType, CleanupReport, ExpiredMemory, RetentionPolicy
from engram.errors import BadInputError, NotFoundError
from engram.periodic import PeriodicJob
from engram.privacy.audit import AuditEntry, AuditLog
from engram.storage.connection import Driver
from engram.storage.retention import RetentionRepository

log = logging.getLogger(__name__)

DELETE_BATCH = 1000
SCHEDULER_ACTOR = "retention-scheduler"


class MemoryEraser:
    """Deletes memories for real, in batches, each batch audited in its own transaction: the one
    deletion path of forget, retention cleanup and agent deletion."""

    def __init__(self, driver: Driver, settings: Settings, audit: AuditLog) -> None:
        self.repository = RetentionRepository(driver, settings, audit.repository)

    def erase(self, refs: Sequence[MemoryRef], *, actor: str | None,
              event_type: AuditEventType = AuditEventType.delete, details: dict | None = None,
              progress: Callable[[int], None] | None = None) -> dict[str, list[str]]:
        """Delete these memories (each named by owner and id); returns the deleted ids by owner."""
        deleted: dict[str, list[str]] = {}

        def events(by_owner: dict[str, list[str]]) -> list[AuditEntry]:
            return [AuditEntry(event_type.value, actor or OPERATOR, owner, owned,
                               {"count": len(owned)} | (details or {})) for owner, owned in by_owner.items()]

        for start in range(0, len(refs), DELETE_BATCH):
            batch = list(refs[start:start + DELETE_BATCH])
            for owner, owned in self.repository.delete_memories(batch, events).items():
                deleted.setdefault(owner, []).extend(owned)
            if progress:
                progress(len(batch))
        return deleted


class RetentionService:
    def __init__(self, driver: Driver, settings: Settings, audit: AuditLog) -> None:
        self.eraser = MemoryEraser(driver, settings, audit)
        self.repository = self.eraser.repository

    # ---- policies
    def set_policy(self, agent_id: str, memory_type: str = ANY, *, max_age: timedelta | None = None,
                   max_count: int | None = None, min_confidence: float | None = None) -> RetentionPolicy:
        """Create or replace the policy for (agent or '*', type or '*'); setting the same again is a no-op."""
        if not agent_id or not agent_id.strip():
            raise BadInputError("A retention policy needs an agent (or '*' for every agent).")
        if memory_type != ANY and memory_type not in {k.value for k in MemoryKind}:
            raise BadInputError(f"Unknown memory type {memory_type!r}; use one of "
                                f"{', '.join(k.value for k in MemoryKind)} or '*'.")
        if max_age is None and max_count is None and min_confidence is None:
            raise BadInputError("Give at least one limit: max age, max count or min confidence.")
        if max_age is not None and max_age <= timedelta(0):
            raise BadInputError("max age must be positive.")
        if max_count is not None and max_count < 0:
            raise BadInputError("max count cannot be negative.")
        if min_confidence is not None and not 0.0 <= min_confidence <= 1.0:
            raise BadInputError("min confidence must lie between 0 and 1.")
        policy = RetentionPolicy(agent_id.strip(), memory_type)
        return self.repository.set_policy(id=policy.id, agent_id=policy.agent_id, memory_type=memory_type,
                                          max_age_days=max_age.total_seconds() / 86400 if max_age else None,
                                          max_count=max_count, min_confidence=min_confidence)

    def policies(self, agent_id: str | None = None) -> list[RetentionPolicy]:
        return self.repository.policies(agent_id)

    def remove_policy(self, agent_id: str, memory_type: str = ANY) -> RetentionPolicy:
        removed = self.repository.remove_policy(RetentionPolicy(agent_id, memory_type).id)
        if removed is None:
            raise NotFoundError(f"No retention policy for agent {agent_id!r} and type {memory_type!r}.")
        return removed

    # ---- cleanup
    def expired(self, agent_id: str | None = None) -> list[ExpiredMemory]:
        return self.repository.expired(agent_id)

    def cleanup(self, agent_id: str | None = None, *, dry_run: bool = False, actor: str | None = None,
                progress: Callable[[int], None] | None = None,
                on_candidates: Callable[[int], None] | None = None) -> CleanupReport:
        """Delete every memory past its policy (only `agent_id`'s, when given). Idempotent: a second
        run finds nothing more to delete. With dry_run, only report what would go."""
        started = time.perf_counter()
        expired = self.expired(agent_id)
        if on_candidates:
            on_candidates(len(expired))
        report = CleanupReport(dry_run=dry_run, candidates=len(expired), deleted=0,
                               by_reason=dict(Counter(e.reason for e in expired)))
        if dry_run:
            report.by_agent = dict(Counter(e.agent_id for e in expired))
        else:
            reasons = {(e.agent_id, e.id): e.reason for e in expired}
            deleted = self.eraser.erase([MemoryRef(e.agent_id, e.id) for e in expired], actor=actor,
                                        event_type=AuditEventType.cleanup, progress=progress,
                                        details={"policy": "retention"})
            report.by_agent = {owner: len(ids) for owner, ids in deleted.items()}
            report.deleted = sum(report.by_agent.values())
            report.by_reason = dict(Counter(reasons[(owner, i)] for owner, ids in deleted.items() for i in ids))
        report.seconds = time.perf_counter() - started
        return report


class RetentionScheduler(PeriodicJob):
    """The service's periodic cleanup (ENGRAM_RETENTION_INTERVAL_S; 0 turns it off)."""

    def __init__(self, service: RetentionService, interval_s: float, claim: Callable[[int], bool] | None = None) -> None:
        super().__init__("retention cleanup", lambda: service.cleanup(actor=SCHEDULER_ACTOR), interval_s,
                         report=_log_cleanup, claim=claim)
        self.service = service


def _log_cleanup(report) -> None:
    if report.deleted:
        log.info("retention cleanup deleted %d memories (%s)", report.deleted, report.by_reason)
