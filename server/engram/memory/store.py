"""The store path: filter secrets → embed (batched, each distinct context once) → idempotent write."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from engram.embeddings import Embedder
from engram.entities.memory import (
    CollaborationContent, DecisionContent, KnowledgeContent, NewMemory,
)
from engram.errors import BadInputError
from engram.memory.text import memory_text
from engram.privacy.redaction import Redactor
from engram.storage.memories import MemoryRepository, WriteResult

EMBED_CHUNK = 2048  # texts embedded per model call while ingesting large batches
# The export format's limits (knowledge/document.py: Text, Name); a name is also a node name, and Neo4j
# refuses index keys over 8 KB.
MAX_TEXT = 20_000
MAX_NAME = 500
DERIVED_FIELDS = frozenset({"error_signature"})  # computed from the error message, not sent by the caller
NAME_FIELDS = frozenset({"chosen_action", "alternative_actions", "successful_approach", "partner_agents",
                         "interaction_type", "domain", "knowledge_type", "expertise_level", "related_entities"})


@dataclass(frozen=True)
class RecordSummary:
    results: list[WriteResult]
    redactions: int

    @property
    def created(self) -> int:
        return sum(r.created for r in self.results)

    @property
    def unchanged(self) -> int:
        return len(self.results) - self.created


def memory_chars(memory: NewMemory) -> int:
    """Characters a caller sent in one memory: its context, id, task id, tags, domain and every text and
    list field of its content (each field alone has its own, smaller limit)."""
    total = len(memory.context) + len(memory.id) + len(memory.task_id or "") + len(memory.domain or "")
    total += sum(len(t) for t in memory.tags)
    for name, value in vars(memory.content).items():
        if name in DERIVED_FIELDS:
            continue
        if isinstance(value, str):
            total += len(value)
        elif isinstance(value, list):
            total += sum(len(v) for v in value if isinstance(v, str))
    return total


def check_sizes(memories: Sequence[NewMemory], max_chars: int) -> None:
    """BAD_USER_INPUT, before anything of the batch is embedded or written, for a memory over `max_chars`."""
    for i, memory in enumerate(memories):
        size = memory_chars(memory)
        if size > max_chars:
            where = f"Memory {i} of the batch" if len(memories) > 1 else "The memory"
            raise BadInputError(f"{where} holds {size} characters across its text and list fields; the limit is "
                                f"{max_chars} per memory (ENGRAM_MEMORY_MAX_CHARS). Split it into several memories.")


class MemoryStore:
    def __init__(self, repository: MemoryRepository, embedder: Embedder, redactor: Redactor,
                 max_chars: int | None = None) -> None:
        """`max_chars`: the cap per memory (memory_chars); None for imports, which carry memories stored
        before the cap and are bounded by the export format's own limits instead."""
        self.repository = repository
        self.embedder = embedder
        self.redactor = redactor
        self.max_chars = max_chars

    def record(self, memory: NewMemory) -> WriteResult:
        return self.record_many([memory]).results[0]

    def record_many(self, memories: Sequence[NewMemory], progress: Callable[[int], None] | None = None) -> RecordSummary:
        """Record a batch; a memory whose id is stored already is left unchanged (reported as such)."""
        if self.max_chars is not None:
            check_sizes(memories, self.max_chars)
        results: list[WriteResult] = []
        redactions = 0
        for start in range(0, len(memories), EMBED_CHUNK):
            chunk = memories[start:start + EMBED_CHUNK]
            cleaned = []
            for memory in chunk:
                clean, count = self._redacted(memory)
                cleaned.append(clean)
                redactions += count
            vectors = self.embedder.embed([m.context for m in cleaned])
            rows = [_row(m, v) for m, v in zip(cleaned, vectors, strict=True)]
            results += self.repository.write_rows(rows)
            if progress:
                progress(len(chunk))
        return RecordSummary(_first_creates(memories, results), redactions)

    def as_stored(self, memory: NewMemory) -> NewMemory:
        """The memory as the store path would write it (redacted, cut to the limits)."""
        return self._redacted(memory)[0]

    def _redacted(self, memory: NewMemory) -> tuple[NewMemory, int]:
        """Redact every free-text and label field (tags, domain) before anything is embedded or written,
        and cut each to the export format's limits, so whatever is stored can be exported again."""
        count = 0

        def clean(text: str | None, limit: int = MAX_TEXT) -> str | None:
            nonlocal count
            if not text:
                return text
            result = self.redactor.redact(text)
            count += len(result.findings)
            return result.text[:limit]

        def clean_list(values: list[str], limit: int = MAX_TEXT) -> list[str]:
            cleaned = [clean(v, limit) or "" for v in values]
            return [v for v in cleaned if v.strip()] if limit == MAX_NAME else cleaned  # no empty names

        content = memory.content
        changes = {}
        for name, value in vars(content).items():
            limit = MAX_NAME if name in NAME_FIELDS else MAX_TEXT
            if isinstance(value, str):
                changes[name] = clean(value, limit)
            elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                changes[name] = clean_list(value, limit)
        return replace(memory, context=clean(memory.context) or "", content=replace(content, **changes),
                       tags=clean_list(memory.tags, MAX_NAME), domain=clean(memory.domain, MAX_NAME)), count


def _first_creates(memories: Sequence[NewMemory], results: list[WriteResult]) -> list[WriteResult]:
    """One id twice in a batch stores one memory: only its first occurrence reports it created."""
    seen: set[tuple[str, str]] = set()
    reported = []
    for memory, result in zip(memories, results, strict=True):
        key = (memory.agent_id, result.id)
        reported.append(WriteResult(result.id, False) if key in seen else result)
        seen.add(key)
    return reported


def _row(memory: NewMemory, embedding: list[float]) -> dict:
    content = memory.content
    created = (memory.created_at or datetime.now(UTC)).isoformat()
    props = {
        "agent_id": memory.agent_id,
        "memory_type": memory.kind.value,
        "context": memory.context,
        "text": memory_text(memory),
        "outcome": memory.outcome.value if memory.outcome else None,
        "confidence_score": memory.confidence_score,
        "success_rate": memory.success_rate,
        "tags": memory.tags,
        "domain": memory.domain or (content.domain if isinstance(content, KnowledgeContent) else None),
        "task_id": memory.task_id,
    }
    for name, value in vars(content).items():
        props[name] = value.value if hasattr(value, "value") else value
    return {
        "id": memory.id,
        "agent_id": memory.agent_id,
        "label": memory.kind.label,
        "created_at": created,
        "props": props,
        "embedding": embedding,
        "tags": _names(memory.tags),
        "domains": _names([props["domain"]] if props["domain"] else []),
        "actions": _names([memory.action] if memory.action else []),
        "alternatives": _names(content.alternative_actions) if isinstance(content, DecisionContent) else [],
        "partners": _names(content.partner_agents) if isinstance(content, CollaborationContent) else [],
        "entities": _names(content.related_entities) if isinstance(content, KnowledgeContent) else [],
    }


def _names(values: Sequence[str]) -> list[str]:
    """Names of Tag / Domain / Action / Agent / Entity nodes: range-indexed, so each is cut at MAX_NAME
    (a failure's action is its free-text solution, which may be long)."""
    return [value[:MAX_NAME] for value in values]
