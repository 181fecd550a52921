"""MemoryService: the one object the CLI and the API call for memories (store, retrieve, forget …)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import neo4j

from engram.config import Settings
from engram.embeddings import Embedder
from engram.entities.memory import AgentMemory, MemoryKind, NewMemory, RelevantMemory
from engram.errors import BadInputError, NotFoundError
from engram.memory.access import AccessRecorder
from engram.memory.consolidation import ConsolidationReport, consolidate
from engram.memory.retrieval import MemoryRetriever, RankingWeights
from engram.memory.store import MemoryStore, RecordSummary
from engram.privacy.audit import AuditLog
from engram.privacy.redaction import Redactor
from engram.privacy.retention import MemoryEraser
from engram.storage.memories import MemoryRepository, WriteResult

MAX_LIST = 1000


class MemoryService:
    def __init__(self, driver: neo4j.Driver, embedder: Embedder, settings: Settings,
                 redactor: Redactor | None = None, weights: RankingWeights | None = None,
                 audit: AuditLog | None = None) -> None:
        self.repository = MemoryRepository(driver, settings)
        # With an audit log, reads of other agents' memories, operator searches and deletes are recorded.
        self.audit = audit
        self.eraser = MemoryEraser(driver, settings, audit) if audit is not None else None
        self.redactor = redactor or Redactor()
        self.access = AccessRecorder(self.repository)
        self.store = MemoryStore(self.repository, embedder, self.redactor)
        self.retriever = MemoryRetriever(self.repository, embedder, self.redactor, self.access,
                                         weights or RankingWeights())

    def close(self) -> None:
        """Write out pending access counts."""
        self.access.close()

    def record(self, memory: NewMemory) -> WriteResult:
        return self.store.record(memory)

    def record_many(self, memories: Sequence[NewMemory], progress: Callable[[int], None] | None = None) -> RecordSummary:
        return self.store.record_many(memories, progress)

    def retrieve_relevant_memories(self, agent_id: str, context: str, k: int = 10, *,
                                   min_similarity: float = 0.0) -> list[RelevantMemory]:
        """The spec's retrieve_relevant_memories: own memories plus those shared with the agent."""
        if not agent_id:
            raise BadInputError("retrieve needs the agent whose memories to search.")
        results = self.retriever.retrieve(agent_id, context, k, min_similarity=min_similarity)
        if self.audit is not None:
            self.audit.record_reads(agent_id, [r.memory for r in results if not r.owned], via="retrieve")
        return results

    def search(self, text: str, agent_id: str | None = None, k: int = 10) -> list[RelevantMemory]:
        """Hybrid search; with an agent, only what it may see; without, operator access to all."""
        results = self.retriever.retrieve(agent_id, text, k)
        if self.audit is not None:
            self.audit.record_reads(agent_id, [r.memory for r in results if not r.owned or agent_id is None],
                                    via="search", query=text if agent_id is None else None)
        return results

    def list(self, agent_id: str, kind: MemoryKind | None = None, limit: int = 50, skip: int = 0) -> list[AgentMemory]:
        if not 1 <= limit <= MAX_LIST:
            raise BadInputError(f"limit must lie between 1 and {MAX_LIST}.")
        return self.repository.list_for_agent(agent_id, kind, limit, skip)

    def show(self, memory_id: str) -> tuple[AgentMemory, list[dict]]:
        found = self.repository.show(memory_id)
        if found is None:
            raise NotFoundError(f"No memory with id {memory_id!r}.")
        return found

    def forget(self, memory_id: str, agent_id: str | None = None) -> None:
        """Delete for real (node, relationships, index entries). With an agent, only its own memory."""
        if self.eraser is not None:
            if self.eraser.erase([memory_id], actor=agent_id, only_agent=agent_id, details={"via": "forget"}):
                return
            owner = f" owned by {agent_id}" if agent_id else ""
            raise NotFoundError(f"No memory with id {memory_id!r}{owner}.")
        if not self.repository.forget(memory_id, agent_id):
            owner = f" owned by {agent_id}" if agent_id else ""
            raise NotFoundError(f"No memory with id {memory_id!r}{owner}.")

    def consolidate(self, agent_id: str, *, threshold: float = 0.95, dry_run: bool = False) -> ConsolidationReport:
        return consolidate(self.repository, agent_id, threshold=threshold, dry_run=dry_run)
