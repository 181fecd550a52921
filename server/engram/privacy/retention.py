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
from typing import Any

import neo4j

from engram.config import Settings
from engram.periodic import PeriodicJob
from engram.entities.memory import MemoryKind
from engram.entities.privacy import ANY, OPERATOR, AuditEventType, CleanupReport, ExpiredMemory, RetentionPolicy
from engram.errors import BadInputError, NotFoundError
from engram.privacy.audit import AuditEntry, AuditLog
from engram.storage.catalog import catalog_for
from engram.storage.connection import map_driver_errors

log = logging.getLogger(__name__)

DELETE_BATCH = 1000
SCHEDULER_ACTOR = "retention-scheduler"


def _native(value: Any) -> Any:
    return value.to_native() if hasattr(value, "to_native") else value


def _to_policy(props: dict) -> RetentionPolicy:
    return RetentionPolicy(agent_id=props["agent_id"], memory_type=props["memory_type"],
                           max_age_days=props.get("max_age_days"), max_count=props.get("max_count"),
                           min_confidence=props.get("min_confidence"), updated_at=_native(props.get("updated_at")))


class MemoryEraser:
    """Deletes memories for real, in batches, each batch audited in its own transaction."""

    def __init__(self, driver: neo4j.Driver, settings: Settings, audit: AuditLog) -> None:
        self.driver = driver
        self.queries = catalog_for(settings.cypher_dir)
        self.audit = audit

    def erase(self, ids: Sequence[str], *, actor: str | None, only_agent: str | None = None,
              event_type: AuditEventType = AuditEventType.delete, details: dict | None = None,
              progress: Callable[[int], None] | None = None) -> dict[str, list[str]]:
        """Delete these ids (only `only_agent`'s, when given); returns the deleted ids by owner."""
        deleted: dict[str, list[str]] = {}
        delete_q, prune_q = self.queries.get("retention/delete_memories"), self.queries.get("retention/prune_grant_ids")
        for start in range(0, len(ids), DELETE_BATCH):
            batch = list(ids[start:start + DELETE_BATCH])

            def work(tx: neo4j.ManagedTransaction, batch: list[str] = batch) -> tuple[dict, list[AuditEntry]]:
                by_owner: dict[str, list[str]] = {}
                for record in tx.run(delete_q, ids=batch, agent_id=only_agent):
                    by_owner.setdefault(record["owner"], []).append(record["id"])
                gone = [i for owned in by_owner.values() for i in owned]
                if gone:
                    tx.run(prune_q, ids=gone).consume()
                events = [AuditEntry(event_type.value, actor or OPERATOR, owner, owned,
                                     {"count": len(owned)} | (details or {})) for owner, owned in by_owner.items()]
                return by_owner, events

            for owner, owned in self.audit.run_audited(work).items():
                deleted.setdefault(owner, []).extend(owned)
            if progress:
                progress(len(batch))
        return deleted


class RetentionService:
    def __init__(self, driver: neo4j.Driver, settings: Settings, audit: AuditLog) -> None:
        self.driver = driver
        self.database = settings.neo4j_database
        self.uri = settings.bolt_uri
        self.queries = catalog_for(settings.cypher_dir)
        self.eraser = MemoryEraser(driver, settings, audit)

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
        record = self._run("retention/set_policy", id=policy.id, agent_id=policy.agent_id, memory_type=memory_type,
                           max_age_days=max_age.total_seconds() / 86400 if max_age else None,
                           max_count=max_count, min_confidence=min_confidence)[0]
        return _to_policy(record["policy"])

    def policies(self, agent_id: str | None = None) -> list[RetentionPolicy]:
        return [_to_policy(r["policy"]) for r in self._run("retention/policies", agent_id=agent_id)]

    def remove_policy(self, agent_id: str, memory_type: str = ANY) -> RetentionPolicy:
        records = self._run("retention/remove_policy", id=RetentionPolicy(agent_id, memory_type).id)
        if not records:
            raise NotFoundError(f"No retention policy for agent {agent_id!r} and type {memory_type!r}.")
        return _to_policy(records[0]["policy"])

    # ---- cleanup
    def expired(self, agent_id: str | None = None) -> list[ExpiredMemory]:
        return [ExpiredMemory(r["id"], r["agent_id"], r["memory_type"], r["reason"], r["policy_id"])
                for r in self._run("retention/expired_candidates", agent_id=agent_id)]

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
            reasons = {e.id: e.reason for e in expired}
            deleted = self.eraser.erase([e.id for e in expired], actor=actor, only_agent=agent_id,
                                        event_type=AuditEventType.cleanup, progress=progress,
                                        details={"policy": "retention"})
            report.by_agent = {owner: len(ids) for owner, ids in deleted.items()}
            report.deleted = sum(report.by_agent.values())
            report.by_reason = dict(Counter(reasons[i] for ids in deleted.values() for i in ids))
        report.seconds = time.perf_counter() - started
        return report

    def _run(self, name: str, **params: Any) -> list[neo4j.Record]:
        with map_driver_errors(self.uri):
            records, _, _ = self.driver.execute_query(self.queries.get(name), params, database_=self.database)
        return records


class RetentionScheduler(PeriodicJob):
    """The service's periodic cleanup (ENGRAM_RETENTION_INTERVAL_S; 0 turns it off)."""

    def __init__(self, service: RetentionService, interval_s: float, claim: Callable[[int], bool] | None = None) -> None:
        super().__init__("retention cleanup", lambda: service.cleanup(actor=SCHEDULER_ACTOR), interval_s,
                         report=_log_cleanup, claim=claim)
        self.service = service


def _log_cleanup(report) -> None:
    if report.deleted:
        log.info("retention cleanup deleted %d memories (%s)", report.deleted, report.by_reason)
