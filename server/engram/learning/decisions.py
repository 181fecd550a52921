"""record_decision: the decision memory plus its DecisionTemplate branch (attempts, outcome quality)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from engram.embeddings import Embedder
from engram.entities.learning import DecisionRecord
from engram.entities.memory import NewMemory, Outcome
from engram.errors import BadInputError
from engram.learning.estimates import estimate_rate
from engram.learning.naming import slugify
from engram.learning.signature import extract_signature
from engram.memory.builder import build_memory
from engram.memory.service import MemoryService
from engram.storage.learning import LearningRepository

# Contexts whose embeddings have cosine >= 0.72 share a template ((1 + cos) / 2 = 0.86 in index scores).
TEMPLATE_MATCH_SCORE = 0.86
CONFIDENCE_THRESHOLD = 0.6
ID_TAKEN = "This id already names a different memory: record the decision under a new id, or leave the id out."


def context_signature(context: str) -> str:
    return " ".join(extract_signature(context).lower().split())


class DecisionLearner:
    def __init__(self, memories: MemoryService, repository: LearningRepository, embedder: Embedder) -> None:
        self.memories = memories
        self.repository = repository
        self.embedder = embedder

    def _require_same_decision(self, memory: NewMemory) -> None:
        """Recording a decision again under its id is idempotent; the same id with another context,
        action, kind or owner is refused before any template is touched."""
        stored, _ = self.memories.show(memory.id)
        redact = self.memories.redactor.redact
        same = (stored.agent_id == memory.agent_id and stored.kind == memory.kind
                and stored.context == redact(memory.context).text
                and stored.content.get("chosen_action") == redact(memory.action or "").text)
        if not same:
            raise BadInputError(ID_TAKEN)

    def record_decision(
        self, agent_id: str, context: str, action: str, outcome: Outcome | str, *, alternatives: Sequence[str] = (),
        informed_by: Sequence[str] = (), task_id: str | None = None, domain: str | None = None,
        tags: Sequence[str] = (), confidence: float = 0.5, predicted: float | None = None,
        memory_id: str | None = None, created_at: datetime | None = None,
    ) -> DecisionRecord:
        if not action or not action.strip():
            raise BadInputError("A decision needs the action taken.")
        if predicted is not None and not 0.0 <= predicted <= 1.0:
            raise BadInputError("A predicted success probability must lie between 0 and 1.")
        memory = build_memory(agent=agent_id, kind="decision", context=context, action=action, outcome=outcome,
                              alternatives=list(alternatives), domain=domain, tags=list(tags), confidence=confidence,
                              memory_id=memory_id, task_id=task_id, created_at=created_at)
        written = self.memories.record(memory)
        clean_context = self.memories.redactor.redact(context).text
        if not written.created:
            self._require_same_decision(memory)
        embedding = self.embedder.embed([clean_context])[0]
        signature = context_signature(clean_context)
        template_id = self.repository.nearest_template(embedding, TEMPLATE_MATCH_SCORE)
        new_template = template_id is None
        if new_template:
            template_id = f"tmpl-{slugify(signature, 5)}-{hashlib.sha1(signature.encode()).hexdigest()[:6]}"
        quality = Outcome(outcome).score
        result = self.repository.record_decision_outcome(
            memory_id=memory.id, template_id=template_id, signature=signature, embedding=embedding, action=action,
            quality=quality, informed_by=list(informed_by), confidence_threshold=CONFIDENCE_THRESHOLD)
        if predicted is not None:
            self.repository.set_prediction(memory.id, predicted)
        return DecisionRecord(memory_id=memory.id, template_id=template_id, action=action,
                              branch=estimate_rate(result["successes"], result["attempts"]),
                              new_template=new_template, informed_by=list(informed_by))
