"""MemoryService: the one object the CLI and the API call for memories (store, retrieve, forget …)."""

from __future__ import annotations

from collections.abc import Callable, Sequence


from engram.storage.connection import Driver
from engram.config import Settings
from engram.embeddings import Embedder
from engram.entities.memory import AgentMemory, MemoryKind, MemoryRef, NewMemory, RelevantMemory
from engram.entities.privacy import OPERATOR
from engram.errors import BadInputError, NotFoundError
from engram.memory.access import AccessRecorder
from engram.memory.consolidation import ConsolidationReport, consolidate
from engram.memory.retrieval import MemoryRetriever, RankingWeights
from engram.memory.store import MemoryStore, RecordSummary
from engram.memory.text import memory_text
from engram.privacy.audit import AuditLog
from engram.privacy.redaction import Redactor
from engram.privacy.retention import MemoryEraser
from engram.storage.memories import MemoryRepository, WriteResult

MAX_LIST = 1000


def _taken(memory_id: str) -> str:
    return f"Memory id {memory_id!r} is taken; choose another id (or leave it out for a new one)."


class MemoryService:
    def __init__(self, driver: Driver, embedder: Embedder, settings: Settings, *, redactor: Redactor,
                 weights: RankingWeights, audit: AuditLog, eraser: MemoryEraser) -> None:
        self.repository = MemoryRepository(driver, settings)
        # Reads of other agents' memories, operator searches and deletes are recorded here.
        self.audit = audit
        self.eraser = eraser
        self.redactor = redactor
        self.access = AccessRecorder(self.repository)
        self.store = MemoryStore(self.repository, embedder, self.redactor, max_chars=settings.memory_max_chars)
        self.retriever = MemoryRetriever(self.repository, embedder, self.redactor, self.access, weights)

    def close(self) -> None:
        """Write out pending access counts."""
        self.access.close()

    def record(self, memory: NewMemory) -> WriteResult:
        return self.record_many([memory]).results[0]

    def record_many(self, memories: Sequence[NewMemory], progress: Callable[[int], None] | None = None) -> RecordSummary:
        """Ids are per agent (a memory is keyed by agent and id): an id another agent uses names a different
        memory, so writing it answers exactly as for an unused id and reveals nothing. The agent's own stored
        id is left as it is."""
        return self.store.record_many(memories, progress)

    def record_own(self, memory: NewMemory) -> WriteResult:
        """For a memory that learning counts (a decision, a failure): an id stored already is accepted only
        as a retry of the same memory — same agent, kind, context and content — so a retry counts once and no id
        can point the learning at another memory."""
        result = self.record(memory)
        if not result.created:
            stored = self.repository.owned([memory.id], memory.agent_id).get(memory.id)
            mine = self.store.as_stored(memory)
            same = (stored is not None and stored.kind == memory.kind.value
                    and stored.context == mine.context and stored.text == memory_text(mine))
            if not same:
                raise BadInputError(_taken(memory.id))
        return result

    def require_visible(self, agent_id: str, ids: Sequence[str]) -> list[MemoryRef]:
        """The memories the agent names by id (informedBy, related, …), resolved among those it may see: its
        own memory with that id first, else one shared with it (by owner name). An id it cannot see gets the
        same NOT_FOUND as an id nobody uses."""
        if not ids:
            return []
        visible = self.repository.resolve_visible(list(ids), agent_id)
        missing = [i for i in ids if i not in visible]
        if missing:
            raise NotFoundError(f"No memory {missing[0]!r} visible to {agent_id}.")
        return [visible[i] for i in ids]

    def retrieve_relevant_memories(self, agent_id: str, context: str, k: int = 10, *,
                                   min_similarity: float = 0.0) -> list[RelevantMemory]:
        """The spec's retrieve_relevant_memories: own memories plus those shared with the agent."""
        if not agent_id:
            raise BadInputError("retrieve needs the agent whose memories to search.")
        results = self.retriever.retrieve(agent_id, context, k, min_similarity=min_similarity)
        self.audit.record_reads(agent_id, [r.memory for r in results if not r.owned], via="retrieve")
        return results

    def evidence(self, agent_id: str | None, context: str, *, via: str, k: int = 60,
                 min_similarity: float = 0.55, operator: str = OPERATOR) -> list[RelevantMemory]:
        """The one way the learning layer reads memories: those similar to `context` that the agent may
        see (every agent's for agent_id=None, operator access), each other agent's read audited as
        `via` — whether the memory is returned or only used as evidence."""
        results = self.retriever.retrieve(agent_id, context, k, min_similarity=min_similarity)
        self.audit.record_reads(agent_id, [r.memory for r in results if not r.owned or agent_id is None],
                                via=via, operator=operator)
        return results

    def record_derived_reads(self, agent_id: str | None, by_owner: dict[str, list[str]], *, via: str,
                             operator: str = OPERATOR) -> None:
        """Knowledge derived from these memories of other agents was shown to the agent: audit it."""
        self.audit.record_derived_reads(agent_id, by_owner, via=via, operator=operator)

    def search(self, text: str, agent_id: str | None = None, k: int = 10, *,
               operator: str = OPERATOR) -> list[RelevantMemory]:
        """Hybrid search; with an agent, only what it may see; without, access to all by `operator` (audited)."""
        results = self.retriever.retrieve(agent_id, text, k)
        self.audit.record_reads(agent_id, [r.memory for r in results if not r.owned or agent_id is None],
                                via="search", query=text if agent_id is None else None, operator=operator)
        return results

    def list(self, agent_id: str, kind: MemoryKind | None = None, limit: int = 50, skip: int = 0) -> list[AgentMemory]:
        if not 1 <= limit <= MAX_LIST:
            raise BadInputError(f"limit must lie between 1 and {MAX_LIST}.")
        return self.repository.list_for_agent(agent_id, kind, limit, skip)

    def show(self, memory_id: str, agent_id: str | None = None) -> tuple[AgentMemory, list[dict]]:
        """The agent's memory with this id; without an agent (operator), the one memory with it — an id that
        several agents use must then be qualified with the agent."""
        found = self.repository.show(memory_id, agent_id)
        if not found:
            owner = f" of {agent_id}" if agent_id else ""
            raise NotFoundError(f"No memory with id {memory_id!r}{owner}.")
        if len(found) > 1:
            owners = ", ".join(memory.agent_id for memory, _ in found)
            raise BadInputError(f"Memory id {memory_id!r} is used by {owners}; name the agent whose memory it is.")
        return found[0]

    def forget(self, memory_id: str, agent_id: str | None = None) -> None:
        """Delete for real (node, relationships, index entries). With an agent, only its own memory; without
        (operator), the one memory with this id."""
        owner = agent_id if agent_id is not None else self.show(memory_id)[0].agent_id
        if not self.eraser.erase([MemoryRef(owner, memory_id)], actor=agent_id, details={"via": "forget"}):
            raise NotFoundError(f"No memory with id {memory_id!r} owned by {owner}.")

    def consolidate(self, agent_id: str, *, threshold: float = 0.95, dry_run: bool = False) -> ConsolidationReport:
        return consolidate(self.repository, agent_id, threshold=threshold, dry_run=dry_run)
