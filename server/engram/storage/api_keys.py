"""API keys and agents: runs cypher/auth/* and maps records to plain values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import neo4j

from engram.config import Settings
from engram.storage.catalog import catalog_for
from engram.storage.connection import map_driver_errors


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


def _native(value: Any) -> Any:
    return value.to_native() if hasattr(value, "to_native") else value


def _agent(props: dict, **extra: int) -> AgentRecord:
    return AgentRecord(id=props["id"], name=props.get("name") or props["id"],
                       created_at=_native(props.get("created_at")), operator=bool(props.get("operator")), **extra)


def _key(record: neo4j.Record) -> KeyRecord:
    k = record["key"]
    return KeyRecord(record["agent_id"], k["prefix"], _native(k["created_at"]), _native(k.get("revoked_at")))


class ApiKeyRepository:
    def __init__(self, driver: neo4j.Driver, settings: Settings) -> None:
        self.driver = driver
        self.database = settings.neo4j_database
        self.queries = catalog_for(settings.cypher_dir)
        self.uri = settings.bolt_uri

    def _run(self, name: str, *, read: bool = False, **params: Any) -> list[neo4j.Record]:
        routing = neo4j.RoutingControl.READ if read else neo4j.RoutingControl.WRITE
        with map_driver_errors(self.uri):
            records, _, _ = self.driver.execute_query(self.queries.get(name), params, database_=self.database,
                                                      routing_=routing)
        return records

    def create_agent(self, agent_id: str, operator: bool) -> AgentRecord:
        record = self._run("auth/create_agent", agent_id=agent_id, operator=operator)[0]
        return _agent(record["agent"], live_keys=record["live_keys"])

    def add_key(self, agent_id: str, key_hash: str, prefix: str) -> KeyRecord | None:
        records = self._run("auth/add_key", agent_id=agent_id, hash=key_hash, prefix=prefix)
        return _key(records[0]) if records else None

    def find_by_hash(self, key_hash: str) -> tuple[AgentRecord, str] | None:
        records = self._run("auth/find_key", read=True, hash=key_hash)
        return (_agent(records[0]["agent"]), records[0]["prefix"]) if records else None

    def list_keys(self, agent_id: str) -> list[KeyRecord]:
        return [_key(r) for r in self._run("auth/list_keys", read=True, agent_id=agent_id)]

    def revoke(self, prefix: str, agent_id: str | None) -> list[KeyRecord]:
        return [_key(r) for r in self._run("auth/revoke_key", prefix=prefix, agent_id=agent_id)]

    def revoke_all(self, agent_id: str, keep: Sequence[str] = ()) -> list[KeyRecord]:
        return [_key(r) for r in self._run("auth/revoke_all_keys", agent_id=agent_id, keep=list(keep))]

    def list_agents(self) -> list[AgentRecord]:
        return [_agent(r["agent"], live_keys=r["live_keys"], memories=r["memories"])
                for r in self._run("auth/list_agents", read=True)]

    def agents_by_ids(self, ids: Sequence[str]) -> dict[str, AgentRecord]:
        records = self._run("auth/agents_by_ids", read=True, ids=list(dict.fromkeys(ids)))
        return {r["agent"]["id"]: _agent(r["agent"]) for r in records}
