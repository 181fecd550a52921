"""learn_from_failure: signature → similar past failures → FailurePattern with solutions and checks."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from engram.embeddings import Embedder
from engram.entities.learning import Evidence, FailureLearning, SolutionView
from engram.errors import BadInputError
from engram.learning.estimates import estimate_rate
from engram.learning.naming import check_name, pattern_name, slugify
from engram.learning.signature import extract_signature
from engram.memory.builder import build_memory
from engram.memory.service import MemoryService
from engram.storage.learning import LearningRepository

# Signatures whose embeddings have cosine >= 0.9 are taken for the same failure ((1 + cos) / 2 = 0.95).
PATTERN_MATCH_SCORE = 0.95


def solution_id(description: str) -> str:
    return f"sol-{slugify(description, 8)}"


class FailureLearner:
    def __init__(self, memories: MemoryService, repository: LearningRepository, embedder: Embedder) -> None:
        self.memories = memories
        self.repository = repository
        self.embedder = embedder

    def learn_from_failure(
        self, agent_id: str, error_message: str, *, context: str | None = None, root_cause: str | None = None,
        solution: str | None = None, solution_worked: bool | None = None, prevention: str | None = None,
        task_id: str | None = None, domain: str | None = None, tags: list[str] | None = None,
        memory_id: str | None = None, created_at: datetime | None = None,
    ) -> FailureLearning:
        if not error_message or not error_message.strip():
            raise BadInputError("learn_from_failure needs the error message.")
        redact = self.memories.redactor.redact
        error = redact(error_message).text
        solution = redact(solution).text.strip() if solution else None
        worked = solution_worked if solution_worked is not None else bool(solution)
        outcome = None if not solution else ("success" if worked else "failure")
        memory = build_memory(agent=agent_id, kind="failure", context=context or error, error=error,
                              root_cause=root_cause, solution=solution, prevention=prevention, outcome=outcome,
                              domain=domain, tags=tags, memory_id=memory_id, created_at=created_at, task_id=task_id)
        self.memories.record(memory)

        signature = extract_signature(error)
        embedding = self.embedder.embed([signature])[0]
        pattern_id = self.repository.pattern_by_signature(signature) or self.repository.nearest_pattern(
            embedding, PATTERN_MATCH_SCORE)
        new_pattern = pattern_id is None
        if new_pattern:
            pattern_id = self._free_pattern_id(pattern_name(redact(context or "").text, signature), signature)
        checks = []
        if prevention:
            text = redact(prevention).text
            checks.append({"id": f"chk-{pattern_id}-{slugify(text, 5)}", "name": check_name(text),
                           "description": text, "source": "reported"})
        result = self.repository.attach_failure(
            memory_id=memory.id, pattern_id=pattern_id, signature=signature, name=pattern_id, embedding=embedding,
            solution=solution, solution_id=solution_id(solution) if solution else None, solution_worked=worked,
            checks=checks)
        similar, solutions = self.pattern_evidence(pattern_id, agent_id, exclude=memory.id)
        return FailureLearning(
            memory_id=memory.id, signature=signature, pattern_id=pattern_id, new_pattern=new_pattern,
            occurrence_count=result["occurrence_count"], agents=list(result["agents"]), similar_failures=similar,
            solutions=solutions, prevention_checks=self.repository.checks_for_patterns([pattern_id]),
        )

    def pattern_evidence(self, pattern_id: str, agent_id: str | None, exclude: str | None = None
                         ) -> tuple[list[Evidence], list[SolutionView]]:
        """The pattern's failures the agent may see, and the solutions they used with their success counts."""
        rows = self.repository.pattern_failures(pattern_id, agent_id)
        similar, uses = [], defaultdict(list)
        for row in rows:
            f = row["failure"]
            if f["id"] != exclude:
                similar.append(Evidence(memory_id=f["id"], agent_id=f["agent_id"], kind="failure",
                                        context=f.get("context") or "", action="", outcome=None, similarity=1.0,
                                        occurrences=f.get("occurrences") or 1, owned=f["agent_id"] == agent_id))
            for s in row["solutions"]:
                uses[(s["id"], s["description"])].append((bool(s["worked"]), f["agent_id"]))
        solutions = [
            SolutionView(id=sid, description=desc, pattern_id=pattern_id,
                         estimate=estimate_rate(sum(w for w, _ in used), len(used)),
                         agents=sorted({a for _, a in used}))
            for (sid, desc), used in uses.items()
        ]
        solutions.sort(key=lambda s: (-s.estimate.mean, -s.estimate.attempts, s.id))
        return similar, solutions

    def _free_pattern_id(self, name: str, signature: str) -> str:
        candidate, n = name, 1
        while (taken := self.repository.pattern_signature(candidate)) is not None and taken != signature:
            n += 1
            candidate = f"{name}-{n}"
        return candidate
