"""Knowledge repository: runs the cypher/knowledge/* statements for export, import and merge."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import neo4j

from engram.config import Settings
from engram.storage.catalog import catalog_for
from engram.storage.connection import map_driver_errors


class KnowledgeRepository:
    def __init__(self, driver: neo4j.Driver, settings: Settings) -> None:
        self.driver = driver
        self.database = settings.neo4j_database
        self.uri = settings.bolt_uri
        self.queries = catalog_for(settings.cypher_dir)

    def export_page(self, agent_id: str | None, domain: str | None, include_shared: bool, with_embeddings: bool,
                    after: str, limit: int) -> list[dict]:
        records = self._read("knowledge/export_page", agent_id=agent_id, domain=domain, include_shared=include_shared,
                             with_embeddings=with_embeddings, after=after, limit=limit)
        return [dict(r) for r in records]

    def existing(self, ids: Sequence[str]) -> list[dict]:
        return [dict(r) for r in self._read("knowledge/existing_memories", ids=list(ids))]

    def apply_import(self, rows: list[dict]) -> int:
        if not rows:
            return 0
        with map_driver_errors(self.uri):
            records, _, _ = self.driver.execute_query(self.queries.get("knowledge/apply_import"), rows=rows,
                                                      database_=self.database)
        return records[0]["applied"]

    def merge_sources(self, agent_id: str, domain: str) -> list[str]:
        return [r["id"] for r in self._read("knowledge/merge_sources", agent_id=agent_id, domain=domain)]

    def merge_batch(self, tx: neo4j.ManagedTransaction, from_agent: str, into: str, domain: str,
                    rows: list[dict]) -> list[dict]:
        """Inside the caller's transaction, so the merge and its audit events commit together."""
        result = tx.run(self.queries.get("knowledge/merge_batch"), from_agent=from_agent, into=into, domain=domain,
                        rows=rows)
        return [dict(r) for r in result]

    def _read(self, name: str, **params: Any) -> list[neo4j.Record]:
        with map_driver_errors(self.uri):
            records, _, _ = self.driver.execute_query(self.queries.get(name), params, database_=self.database,
                                                      routing_=neo4j.RoutingControl.READ)
        return records
