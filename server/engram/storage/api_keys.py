"""API keys and agents: runs cypher/auth/* and maps records to plain values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import neo4j

from engram.storage.base import Repository
from engram.storage.records import native


@dataclass(frozen=True)
class AgentRecord:
    id: str
    name: str
    created_at: datetime | None
    operator: bool
    live_keys: int = 0
    memories: int = 0


@dataclass(frozen=True)
class KeyRecord:
    agent_id: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None

    @property
    def live(self) -> bool:
        return self.revoked_at is None


def _agent(props: dict, **extra: int) -> AgentRecord:
    return AgentRecord(id=props["id"], name=props.get("name") or props["id"],
                       created_at=native(props.get("created_at")), operator=bool(props.get("operator")), **extra)


def _key(record: neo4j.Record) -> KeyRecord:
    k = record["key"]
    return KeyRecord(record["agent_id"], k["prefix"], native(k["created_at"]), native(k.get("revoked_at")))


class ApiKeyRepository(Repository):
    def create_agent(self, agent_id: str, operator: bool) -> AgentRecord:
        record = self._write("auth/create_agent", agent_id=agent_id, operator=operator)[0]
        return _agent(record["agent"], live_keys=record["live_keys"])

    def add_key(self, agent_id: str, key_hash: str, prefix: str) -> KeyRecord | None:
        records = self._write("auth/add_key", agent_id=agent_id, hash=key_hash, prefix=prefix)
        return _key(records[0]) if records else None

    def find_by_hash(self, key_hash: str) -> tuple[AgentRecord, str] | None:
        records = self._read("auth/find_key", hash=key_hash)
        return (_agent(records[0]["agent"]), records[0]["prefix"]) if records else None

    def list_keys(self, agent_id: str) -> list[KeyRecord]:
        return [_key(r) for r in self._read("auth/list_keys", agent_id=agent_id)]

    def revoke(self, prefix: str, agent_id: str | None) -> list[KeyRecord]:
        return [_key(r) for r in self._write("auth/revoke_key", prefix=prefix, agent_id=agent_id)]

    def revoke_all(self, agent_id: str, keep: Sequence[str] = ()) -> list[KeyRecord]:
        return [_key(r) for r in self._write("auth/revoke_all_keys", agent_id=agent_id, keep=list(keep))]

    def list_agents(self) -> list[AgentRecord]:
        return [_agent(r["agent"], live_keys=r["live_keys"], memories=r["memories"])
                for r in self._read("auth/list_agents")]

    def agents_by_ids(self, ids: Sequence[str]) -> dict[str, AgentRecord]:
        records = self._read("auth/agents_by_ids", ids=list(dict.fromkeys(ids)))
        return {r["agent"]["id"]: _agent(r["agent"]) for r in records}
