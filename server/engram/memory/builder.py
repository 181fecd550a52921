"""Builds a NewMemory from flat fields, as the CLI, the seed files and the API receive them."""

from __future__ import annotations

from datetime import datetime

from engram.entities.memory import (
    CollaborationContent, DecisionContent, FailureContent, KnowledgeContent, MemoryKind, NewMemory, Outcome,
    SuccessContent,
)
from engram.entities.instants import past_instant
from engram.errors import BadInputError
from engram.learning.facts import checked_facts, fact_strings
from engram.learning.signature import extract_signature


def occurred_at(moment: datetime | None) -> datetime | None:
    """When a memory's event happened, as given by the caller (naive means UTC): between 1970 and now.
    None: now, when it is stored."""
    return None if moment is None else past_instant(moment, "occurredAt")


def _need(kind: MemoryKind, value, flag: str):
    """The required value; blank text (or a list of only blank names, which the store drops) counts as none."""
    present = [v for v in value if v and v.strip()] if isinstance(value, list) else value and value.strip()
    if not present:
        raise BadInputError(f"A {kind.value} memory needs {flag}.")
    return value


def build_memory(
    *, agent: str, kind: MemoryKind | str, context: str, action: str | None = None,
    outcome: Outcome | str | None = None, alternatives: list[str] | None = None, error: str | None = None,
    root_cause: str | None = None, solution: str | None = None, prevention: str | None = None,
    partners: list[str] | None = None, interaction: str = "collaboration", lessons: list[str] | None = None,
    domain: str | None = None, knowledge_type: str = "fact", expertise: str = "intermediate",
    entities: list[str] | None = None, content: str | None = None, key_factors: list[str] | None = None,
    steps: list[str] | None = None, tags: list[str] | None = None, confidence: float = 0.5,
    memory_id: str | None = None, created_at: datetime | None = None, task_id: str | None = None,
    facts: object = None,
) -> NewMemory:
    """`facts`: a decision's structured details (learning/facts.py), checked and stored as "key=value"."""
    try:
        kind = MemoryKind(kind)
        outcome = Outcome(outcome) if outcome else None
    except ValueError as exc:
        raise BadInputError(str(exc)) from None
    if facts and kind is not MemoryKind.decision:
        raise BadInputError("Structured facts belong to decisions.")
    if kind is MemoryKind.decision:
        body = DecisionContent(context, _need(kind, action, "--action"), outcome, list(alternatives or []),
                               fact_strings(checked_facts(facts)))
    elif kind is MemoryKind.failure:
        message = _need(kind, error, "--error")
        body = FailureContent(extract_signature(message), message, root_cause or "", solution or action or "", prevention)
    elif kind is MemoryKind.success:
        body = SuccessContent(context, _need(kind, action, "--action"), list(key_factors or []), list(steps or []))
    elif kind is MemoryKind.collaboration:
        body = CollaborationContent(list(_need(kind, partners, "--partner")), interaction, outcome, list(lessons or []))
    else:
        body = KnowledgeContent(_need(kind, domain, "--domain"), knowledge_type, expertise, list(entities or []), content or "")
    extra = {"id": memory_id} if memory_id else {}
    return NewMemory(agent_id=agent, kind=kind, context=context, content=body, outcome=outcome,
                     confidence_score=confidence, tags=list(tags or []), domain=domain, created_at=occurred_at(created_at),
                     task_id=task_id, **extra)
