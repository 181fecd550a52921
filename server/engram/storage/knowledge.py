"""Knowledge repository: the cypher/knowledge/* statements for export, import and merge."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from engram.entities.audit_chain import AuditEntry
from engram.entities.memory import MemoryRef
from engram.storage.base import AuditedRepository, Transaction
from engram.storage.records import native
from engram.storage.shards import ShardLayout


def _plain(value: Any) -> Any:
    """Record values with driver temporal types unwrapped, at any depth."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return native(value)


class KnowledgeRepository(AuditedRepository):
    def export_page(self, agent_id: str | None, domain: str | None, include_shared: bool, with_embeddings: bool,
                    after: tuple[str, str], limit: int) -> list[dict]:
        """One page after the (id, agent_id) cursor `after`."""
        records = self._read("knowledge/export_page", agent_id=agent_id, domain=domain, include_shared=include_shared,
                             with_embeddings=with_embeddings, after_id=after[0], after_agent=after[1], limit=limit)
        return [_plain(dict(r)) for r in records]

    def existing(self, refs: Sequence[MemoryRef]) -> list[dict]:
        """The stored memories among `refs` (each in its owner's namespace)."""
        return [_plain(dict(r)) for r in self._read("knowledge/existing_memories", refs=[r.row() for r in refs])]

    def apply_import(self, rows: list[dict]) -> int:
        if not rows:
            return 0
        return self._write("knowledge/apply_import", rows=rows)[0]["applied"]

    def merge_sources(self, agent_id: str, domain: str) -> list[str]:
        return [r["id"] for r in self._read("knowledge/merge_sources", agent_id=agent_id, domain=domain)]

    def merge_batch(self, from_agent: str, into: str, domain: str, rows: list[dict],
                    events: Callable[[list[dict]], Sequence[AuditEntry]]) -> list[dict]:
        """Copy one batch into `into`'s memories; the merge and its audit events commit together."""
        shard_label = ShardLayout(self.settings.memory_shards).label_of(into)  # a copy lives in its new owner's shard

        def work(tx: Transaction) -> tuple[list[dict], Sequence[AuditEntry]]:
            results = [dict(r) for r in self._run(tx, "knowledge/merge_batch", from_agent=from_agent, into=into,
                                                 domain=domain, rows=rows, into_shard_label=shard_label)]
            return results, events(results)

        return self._write_audited(work)
