"""Agent repository: what deleting an agent removes besides its memories, committed with its audit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from engram.entities.audit_chain import AuditEntry
from engram.storage.base import AuditedRepository, Transaction


@dataclass(frozen=True)
class RemovedWithAgent:
    keys: int
    grants: int
    requests: int
    tasks: int
    policies: int


class AgentRepository(AuditedRepository):
    def memory_ids(self, agent_id: str) -> list[str]:
        return [r["id"] for r in self._read("agents/memory_ids", agent_id=agent_id)]

    def delete_agent(self, agent_id: str,
                     events: Callable[[RemovedWithAgent], Sequence[AuditEntry]]) -> RemovedWithAgent | None:
        """None when there is no such agent (deleted already)."""

        def work(tx: Transaction) -> tuple[RemovedWithAgent | None, Sequence[AuditEntry]]:
            record = self._run(tx, "agents/delete_agent", agent_id=agent_id).single()
            if record is None:
                return None, []
            removed = RemovedWithAgent(record["keys"], record["grants"], record["requests"], record["tasks"],
                                       record["policies"])
            return removed, events(removed)

        return self._write_audited(work)
