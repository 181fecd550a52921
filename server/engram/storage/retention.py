"""Retention repository: policies, the memories past them, and real deletion committed with its audit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from engram.entities.audit_chain import AuditEntry
from engram.entities.memory import MemoryRef
from engram.entities.privacy import ExpiredMemory, RetentionPolicy
from engram.storage.base import AuditedRepository, Transaction
from engram.storage.records import native


def to_policy(props: dict) -> RetentionPolicy:
    return RetentionPolicy(agent_id=props["agent_id"], memory_type=props["memory_type"],
                           max_age_days=props.get("max_age_days"), max_count=props.get("max_count"),
                           min_confidence=props.get("min_confidence"), updated_at=native(props.get("updated_at")))


class RetentionRepository(AuditedRepository):
    def set_policy(self, **params: Any) -> RetentionPolicy:
        return to_policy(self._write("retention/set_policy", **params)[0]["policy"])

    def policies(self, agent_id: str | None) -> list[RetentionPolicy]:
        return [to_policy(r["policy"]) for r in self._read("retention/policies", agent_id=agent_id)]

    def remove_policy(self, policy_id: str) -> RetentionPolicy | None:
        records = self._write("retention/remove_policy", id=policy_id)
        return to_policy(records[0]["policy"]) if records else None

    def expired(self, agent_id: str | None) -> list[ExpiredMemory]:
        return [ExpiredMemory(r["id"], r["agent_id"], r["memory_type"], r["reason"], r["policy_id"])
                for r in self._read("retention/expired_candidates", agent_id=agent_id)]

    def delete_memories(self, refs: Sequence[MemoryRef],
                        events: Callable[[dict[str, list[str]]], Sequence[AuditEntry]]) -> dict[str, list[str]]:
        """Delete these memories (owner and id) with their relationships and index entries, drop them from
        their owner's memory-scoped grants, and audit it — one transaction. Returns ids by owner."""

        def work(tx: Transaction) -> tuple[dict[str, list[str]], Sequence[AuditEntry]]:
            by_owner: dict[str, list[str]] = {}
            for record in self._run(tx, "retention/delete_memories", refs=[r.row() for r in refs]):
                by_owner.setdefault(record["owner"], []).append(record["id"])
            gone = [{"owner": owner, "ids": owned} for owner, owned in by_owner.items()]
            if gone:
                self._run(tx, "retention/prune_grant_ids", gone=gone).consume()
            return by_owner, events(by_owner)

        return self._write_audited(work)
