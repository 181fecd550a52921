"""Deleting an agent for real: its keys stop working first, then its memories go through the same
audited deletion path as forget and retention cleanup, then its grants, share requests, tasks,
retention policies and the agent itself — each step audited, and the whole safe to run again after
an interruption (every step deletes only what is still there)."""

from __future__ import annotations

from dataclasses import dataclass

from engram.config import Settings
from engram.entities.audit_chain import AuditEntry
from engram.entities.memory import MemoryRef
from engram.entities.privacy import OPERATOR, AuditEventType
from engram.errors import NotFoundError
from engram.privacy.audit import AuditLog
from engram.privacy.retention import MemoryEraser
from engram.storage.agents import AgentRepository, RemovedWithAgent
from engram.storage.api_keys import ApiKeyRepository
from engram.storage.connection import Driver


@dataclass(frozen=True)
class AgentDeletionReport:
    agent_id: str
    memories: int
    keys: int
    grants: int
    requests: int
    tasks: int
    policies: int


class AgentDeletion:
    def __init__(self, driver: Driver, settings: Settings, audit: AuditLog, eraser: MemoryEraser) -> None:
        self.repository = AgentRepository(driver, settings, audit.repository)
        self.keys = ApiKeyRepository(driver, settings)
        self.eraser = eraser

    def delete(self, agent_id: str, *, actor: str | None = None) -> AgentDeletionReport:
        if agent_id not in self.keys.agents_by_ids([agent_id]):
            raise NotFoundError(f"No agent {agent_id!r}.")
        self.keys.revoke_all(agent_id)
        deleted = self.eraser.erase([MemoryRef(agent_id, i) for i in self.repository.memory_ids(agent_id)], actor=actor,
                                    details={"via": "agent_delete"})

        def events(removed: RemovedWithAgent) -> list[AuditEntry]:
            return [AuditEntry(AuditEventType.delete.value, actor or OPERATOR, agent_id, [agent_id],
                               {"via": "agent_delete", "agent": agent_id, "keys": removed.keys,
                                "grants": removed.grants, "requests": removed.requests, "tasks": removed.tasks,
                                "policies": removed.policies})]

        removed = self.repository.delete_agent(agent_id, events)
        if removed is None:
            raise NotFoundError(f"No agent {agent_id!r}.")
        return AgentDeletionReport(agent_id, sum(len(ids) for ids in deleted.values()), removed.keys, removed.grants,
                                   removed.requests, removed.tasks, removed.policies)
