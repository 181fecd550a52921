"""Memory repository: runs the cypher/memory/* statements and maps records to entities."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from engram.entities.memory import AgentMemory, MemoryKind
from engram.storage.base import Repository

WRITE_BATCH = 1000


@dataclass(frozen=True)
class WriteResult:
    id: str
    created: bool


@dataclass(frozen=True)
class Candidate:
    id: str
    score: float


class MemoryRepository(Repository):

    # ---- writes
    def write_rows(self, rows: Sequence[dict]) -> list[WriteResult]:
        """Rows as built by the store path; one transaction per batch of WRITE_BATCH rows."""
        results: list[WriteResult] = []
        for start in range(0, len(rows), WRITE_BATCH):
            batch = list(rows[start:start + WRITE_BATCH])
            records = self._write("memory/record_batch", rows=batch)
            results += [WriteResult(r["id"], r["is_new"]) for r in records]
        return results

    def record_access(self, hits: list[dict]) -> None:
        self._write("memory/record_access", hits=hits)

    def forget(self, memory_id: str, agent_id: str | None = None) -> bool:
        return bool(self._write("memory/forget", id=memory_id, agent_id=agent_id))

    def merge_duplicates(self, merges: list[dict]) -> list[tuple[str, str]]:
        records = self._write("memory/merge_duplicates", merges=merges)
        return [(r["kept"], r["dropped"]) for r in records]

    # ---- reads
    def vector_candidates(self, embedding: list[float], agent_id: str | None, fetch_k: int) -> list[Candidate]:
        records = self._read("memory/vector_candidates", embedding=embedding, agent_id=agent_id, fetch_k=fetch_k)
        return [Candidate(r["id"], r["score"]) for r in records]

    def fulltext_candidates(self, lucene_query: str, agent_id: str | None, fetch_k: int) -> list[Candidate]:
        records = self._read("memory/fulltext_candidates", lucene_query=lucene_query, agent_id=agent_id, fetch_k=fetch_k)
        return [Candidate(r["id"], r["score"]) for r in records]

    def exact_candidates(self, embedding: list[float], agent_id: str, k: int) -> list[Candidate]:
        records = self._read("memory/exact_candidates", embedding=embedding, agent_id=agent_id, k=k)
        return [Candidate(r["id"], r["score"]) for r in records]

    def hydrate(self, ids: Sequence[str], embedding: list[float] | None = None) -> dict[str, tuple[AgentMemory, float | None]]:
        records = self._read("memory/hydrate", ids=list(ids), embedding=embedding)
        return {r["memory"]["id"]: (to_memory(r["memory"]), r["similarity"]) for r in records}

    def list_for_agent(self, agent_id: str, kind: MemoryKind | None, limit: int, skip: int = 0) -> list[AgentMemory]:
        records = self._read("memory/list_for_agent", agent_id=agent_id, kind=kind.value if kind else None,
                             limit=limit, skip=skip)
        return [to_memory(r["memory"]) for r in records]

    def show(self, memory_id: str) -> tuple[AgentMemory, list[dict]] | None:
        records = self._read("memory/show", id=memory_id)
        if not records:
            return None
        return to_memory(records[0]["memory"]), [link for link in records[0]["links"] if link]

    def consolidation_groups(self, agent_id: str) -> list[dict]:
        return [dict(r) for r in self._read("memory/consolidation_candidates", agent_id=agent_id)]


_CONTENT_FIELDS = (
    "decision_context", "chosen_action", "outcome_quality", "alternative_actions",
    "error_signature", "error_message", "root_cause", "solution_applied", "prevention_strategy",
    "context_signature", "successful_approach", "key_factors", "replication_steps",
    "partner_agents", "interaction_type", "lessons_learned",
    "knowledge_type", "expertise_level", "related_entities", "statement",
    "merged_ids", "merged_contexts",
)


def _native(value: Any) -> Any:
    return value.to_native() if hasattr(value, "to_native") else value


def to_memory(props: dict) -> AgentMemory:
    return AgentMemory(
        id=props["id"],
        agent_id=props["agent_id"],
        kind=MemoryKind(props["memory_type"]),
        context=props.get("context", ""),
        text=props.get("text", ""),
        content={k: props[k] for k in _CONTENT_FIELDS if props.get(k) not in (None, [], "")},
        outcome=props.get("outcome"),
        confidence_score=float(props.get("confidence_score") or 0.0),
        success_rate=props.get("success_rate"),
        access_count=int(props.get("access_count") or 0),
        occurrences=int(props.get("occurrences") or 1),
        created_at=_native(props.get("created_at")),
        last_accessed=_native(props.get("last_accessed")),
        first_seen=_native(props.get("first_seen")),
        last_seen=_native(props.get("last_seen")),
        tags=list(props.get("tags") or []),
        domain=props.get("domain"),
        context_embedding=props.get("context_embedding"),
    )
