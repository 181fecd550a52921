"""learn_from_failure: signature → similar past failures → FailurePattern with solutions and checks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from engram.embeddings import Embedder
from engram.entities.learning import Evidence, FailureLearning
from engram.errors import BadInputError
from engram.learning.naming import keyed_id, opaque_id
from engram.learning.signature import extract_signature
from engram.learning.views import KnowledgeViews
from engram.memory.builder import build_memory
from engram.memory.service import MemoryService
from engram.storage.learning import LearningRepository

# Signatures whose embeddings have cosine >= 0.9 are taken for the same failure ((1 + cos) / 2 = 0.95).
PATTERN_MATCH_SCORE = 0.95
MAX_SIMILAR_FAILURES = 100  # a pattern's newest failures shown with it; `occurrences` still counts them all


def solution_id(description: str) -> str:
    return opaque_id("sol", description)


class FailureLearner:
    def __init__(self, memories: MemoryService, repository: LearningRepository, embedder: Embedder,
                 views: KnowledgeViews) -> None:
        self.memories = memories
        self.repository = repository
        self.embedder = embedder
        self.views = views

    def learn_from_failure(
        self, agent_id: str, error_message: str, *, context: str | None = None, root_cause: str | None = None,
        solution: str | None = None, solution_worked: bool | None = None, prevention: str | None = None,
        task_id: str | None = None, domain: str | None = None, tags: list[str] | None = None,
        memory_id: str | None = None, created_at: datetime | None = None, failed_action: str | None = None,
    ) -> FailureLearning:
        """Everything returned is rendered from the failures `agent_id` may see (its own included)."""
        if not error_message or not error_message.strip():
            raise BadInputError("learn_from_failure needs the error message.")
        redact = self.memories.redactor.redact
        error = redact(error_message).text
        solution = redact(solution).text.strip() or None if solution else None  # blank: no solution
        failed_action = redact(failed_action).text.strip() or None if failed_action else None
        worked = solution_worked if solution_worked is not None else bool(solution)
        outcome = None if not solution else ("success" if worked else "failure")
        memory = build_memory(agent=agent_id, kind="failure", context=context or error, error=error,
                              root_cause=root_cause, solution=solution, prevention=prevention, outcome=outcome,
                              domain=domain, tags=tags, memory_id=memory_id, created_at=created_at, task_id=task_id)
        self.memories.record_own(memory)

        signature = extract_signature(error)
        embedding = self.embedder.embed([signature])[0]
        # Only a pattern holding a failure the agent may see is joined; otherwise it starts its own (an id keyed
        # by the agent too), so the id returned never tells that another agent holds a similar private failure.
        # Analysis (pattern_recognizer.py) later groups failures across agents.
        pattern_id = (self.repository.pattern_by_signature(agent_id, signature)
                      or self.repository.nearest_pattern(agent_id, embedding, PATTERN_MATCH_SCORE)
                      or keyed_id("fp", f"{agent_id}\n{signature}", self.repository.id_key()))
        self.repository.attach_failure(
            memory_id=memory.id, agent_id=agent_id, pattern_id=pattern_id, signature=signature, name=pattern_id,
            embedding=embedding, solution=solution, solution_id=solution_id(solution) if solution else None,
            solution_worked=worked, failed_action=failed_action)
        similar = self.similar_failures(pattern_id, agent_id, via="learn_from_failure", exclude=memory.id)
        view = self.views.pattern(agent_id, pattern_id, via="learn_from_failure")
        details = view.details if view is not None else None
        return FailureLearning(
            memory_id=memory.id, signature=signature, pattern_id=pattern_id,
            new_pattern=not any(e.memory_id != memory.id for e in similar),
            occurrence_count=view.occurrences if view else 1, agents=view.agents if view else [agent_id],
            similar_failures=similar, solutions=details.solutions if details else [],
            prevention_checks=details.checks if details else [],
        )

    def similar_failures(self, pattern_id: str, agent_id: str | None, *, via: str,
                         exclude: str | None = None) -> list[Evidence]:
        """The pattern's failures the agent may see (audited when they are other agents')."""
        rows = self.repository.pattern_failures(pattern_id, agent_id, limit=MAX_SIMILAR_FAILURES + 1)
        similar = [Evidence(memory_id=f["id"], agent_id=f["agent_id"], kind="failure", context=f.get("context") or "",
                            action=_solution_of(solutions), outcome=None, similarity=1.0,
                            occurrences=f.get("occurrences") or 1, owned=f["agent_id"] == agent_id)
                   for f, solutions in ((row["failure"], row["solutions"]) for row in rows)
                   if f["id"] != exclude][:MAX_SIMILAR_FAILURES]
        others: dict[str, list[str]] = {}
        for e in similar:
            if agent_id is None or e.agent_id != agent_id:
                others.setdefault(e.agent_id, []).append(e.memory_id)
        if others or agent_id is None:
            self.memories.record_derived_reads(agent_id, others, via=via)
        return similar


def _solution_of(solutions: Sequence[dict]) -> str:
    return solutions[0]["description"] if solutions else ""
