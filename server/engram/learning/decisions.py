"""record_decision: the decision memory plus its DecisionTemplate branch (attempts, outcome quality)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from engram.embeddings import Embedder
from engram.entities.learning import DecisionRecord
from engram.entities.memory import Outcome
from engram.errors import BadInputError
from engram.learning.estimates import estimate_rate
from engram.learning.naming import context_signature, keyed_id
from engram.learning.views import KnowledgeViews
from engram.memory.builder import build_memory
from engram.memory.service import MemoryService
from engram.storage.learning import LearningRepository

# Contexts whose embeddings have cosine >= 0.72 share a template ((1 + cos) / 2 = 0.86 in index scores).
TEMPLATE_MATCH_SCORE = 0.86
CONFIDENCE_THRESHOLD = 0.6


class DecisionLearner:
    def __init__(self, memories: MemoryService, repository: LearningRepository, embedder: Embedder,
                 views: KnowledgeViews) -> None:
        self.memories = memories
        self.repository = repository
        self.embedder = embedder
        self.views = views

    def record_decision(
        self, agent_id: str, context: str, action: str, outcome: Outcome | str, *, alternatives: Sequence[str] = (),
        informed_by: Sequence[str] = (), task_id: str | None = None, domain: str | None = None,
        tags: Sequence[str] = (), confidence: float = 0.5, predicted: float | None = None,
        memory_id: str | None = None, created_at: datetime | None = None, facts: object = None,
    ) -> DecisionRecord:
        """The template, branch and "new" flag are as the agent sees them: over the decisions it may see."""
        if not action or not action.strip():
            raise BadInputError("A decision needs the action taken.")
        if predicted is not None and not 0.0 <= predicted <= 1.0:
            raise BadInputError("A predicted success probability must lie between 0 and 1.")
        informed_by = list(dict.fromkeys(informed_by))
        informed_refs = self.memories.require_visible(agent_id, informed_by)
        memory = build_memory(agent=agent_id, kind="decision", context=context, action=action, outcome=outcome,
                              alternatives=list(alternatives), domain=domain, tags=list(tags), confidence=confidence,
                              memory_id=memory_id, task_id=task_id, created_at=created_at,
                              facts=facts)
        self.memories.record_own(memory)
        clean_context = self.memories.redactor.redact(context).text
        embedding = self.embedder.embed([clean_context])[0]
        signature = context_signature(clean_context)
        # Only a template holding a decision the agent may see is joined; otherwise it starts its own (an id
        # keyed by the agent too), so the id returned never tells that another agent holds a similar private one.
        template_id = self.repository.nearest_template(agent_id, embedding, TEMPLATE_MATCH_SCORE)
        template_id = template_id or keyed_id("tmpl", f"{agent_id}\n{signature}", self.repository.id_key())
        self.repository.record_decision_outcome(
            memory_id=memory.id, agent_id=agent_id, template_id=template_id, signature=signature, embedding=embedding,
            action=action, quality=Outcome(outcome).score, informed_by=[ref.row() for ref in informed_refs],
            confidence_threshold=CONFIDENCE_THRESHOLD)
        if predicted is not None:
            self.repository.set_prediction(memory.id, agent_id, predicted)
        view = next(iter(self.views.templates(agent_id, via="record_decision", template_ids=[template_id], limit=1)),
                    None)
        branches = view.details.branches if view is not None else []
        branch = next((b.estimate for b in branches if b.action == action), estimate_rate(0, 0))
        return DecisionRecord(memory_id=memory.id, template_id=template_id, action=action, branch=branch,
                              new_template=view is None or view.occurrences <= 1, informed_by=informed_by)
