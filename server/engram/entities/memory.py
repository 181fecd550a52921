"""AgentMemory and its five MemoryType variants, as in the spec's entity design."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from engram.errors import BadInputError


class MemoryKind(str, enum.Enum):
    """The spec's MemoryType variants; the value is what agents and the CLI use."""

    decision = "decision"
    failure = "failure"
    success = "success"
    collaboration = "collaboration"
    knowledge = "knowledge"

    @property
    def label(self) -> str:
        """The node label next to :Memory (a fixed whitelist, never user text)."""
        return _LABELS[self]


_LABELS = {
    MemoryKind.decision: "Decision",
    MemoryKind.failure: "Failure",
    MemoryKind.success: "Success",
    MemoryKind.collaboration: "Collaboration",
    MemoryKind.knowledge: "Knowledge",
}


class Outcome(str, enum.Enum):
    success = "success"
    partial = "partial"
    failure = "failure"

    @property
    def score(self) -> float:
        """Outcome quality on [0, 1]: what a success is worth when rates are estimated."""
        return {"success": 1.0, "partial": 0.5, "failure": 0.0}[self.value]


class Visibility(str, enum.Enum):
    """Private: only the owner and agents holding a live grant that covers it see it."""

    private = "private"
    shared = "shared"


@dataclass
class DecisionContent:
    decision_context: str
    chosen_action: str
    outcome_quality: Outcome | None = None
    alternative_actions: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)  # "key=value" details of the context (learning/facts.py)


@dataclass
class FailureContent:
    error_signature: str
    error_message: str = ""
    root_cause: str = ""
    solution_applied: str = ""
    prevention_strategy: str | None = None


@dataclass
class SuccessContent:
    context_signature: str
    successful_approach: str
    key_factors: list[str] = field(default_factory=list)
    replication_steps: list[str] = field(default_factory=list)


@dataclass
class CollaborationContent:
    partner_agents: list[str]
    interaction_type: str = "collaboration"
    outcome: Outcome | None = None
    lessons_learned: list[str] = field(default_factory=list)


@dataclass
class KnowledgeContent:
    domain: str
    knowledge_type: str = "fact"
    expertise_level: str = "intermediate"
    related_entities: list[str] = field(default_factory=list)
    statement: str = ""


MemoryContent = DecisionContent | FailureContent | SuccessContent | CollaborationContent | KnowledgeContent

def content_action(c: MemoryContent) -> str | None:
    """The action a memory's content is about: the decision's choice, the failure's fix, the success's approach."""
    if isinstance(c, DecisionContent):
        return c.chosen_action
    if isinstance(c, FailureContent):
        return c.solution_applied or None
    if isinstance(c, SuccessContent):
        return c.successful_approach
    return None


CONTENT_TYPES: dict[MemoryKind, type] = {
    MemoryKind.decision: DecisionContent,
    MemoryKind.failure: FailureContent,
    MemoryKind.success: SuccessContent,
    MemoryKind.collaboration: CollaborationContent,
    MemoryKind.knowledge: KnowledgeContent,
}


@dataclass
class NewMemory:
    """What an agent records. `id` makes recording idempotent; without one a new event is recorded."""

    agent_id: str
    kind: MemoryKind
    context: str
    content: MemoryContent
    outcome: Outcome | None = None
    confidence_score: float = 0.5
    tags: list[str] = field(default_factory=list)
    domain: str | None = None
    id: str = field(default_factory=lambda: f"mem-{uuid.uuid4().hex[:16]}")
    created_at: datetime | None = None
    task_id: str | None = None

    def __post_init__(self) -> None:
        if not self.agent_id or not self.agent_id.strip():
            raise BadInputError("A memory needs an agent id.")
        if not self.context or not self.context.strip():
            raise BadInputError("A memory needs a non-empty context.")
        if not isinstance(self.content, CONTENT_TYPES[self.kind]):
            raise BadInputError(f"A {self.kind.value} memory needs {CONTENT_TYPES[self.kind].__name__}.")
        if not 0.0 <= self.confidence_score <= 1.0:
            raise BadInputError("confidence_score must lie between 0 and 1.")
        self.tags = sorted({t.strip().lower() for t in self.tags if t and t.strip()})

    @property
    def success_rate(self) -> float | None:
        return self.outcome.score if self.outcome else None

    @property
    def action(self) -> str | None:
        """The action this memory is about, whatever its kind."""
        return content_action(self.content)


@dataclass(frozen=True)
class MemoryRef:
    """A stored memory's identity: ids are per agent, so a memory is named by its owner and its id."""

    agent_id: str
    id: str

    def row(self) -> dict[str, str]:
        return {"agent_id": self.agent_id, "id": self.id}


@dataclass
class AgentMemory:
    """A stored memory as read back (embedding omitted unless asked for)."""

    id: str
    agent_id: str
    kind: MemoryKind
    context: str
    text: str
    content: MemoryContent
    outcome: str | None
    confidence_score: float
    success_rate: float | None
    access_count: int
    occurrences: int
    created_at: datetime
    last_accessed: datetime | None
    first_seen: datetime | None
    last_seen: datetime | None
    tags: list[str]
    domain: str | None
    visibility: Visibility = Visibility.private
    context_embedding: list[float] | None = None
    merged_ids: list[str] = field(default_factory=list)  # memories consolidation folded into this one
    merged_contexts: list[str] = field(default_factory=list)

    @property
    def action(self) -> str | None:
        """The action this memory is about, whatever its kind."""
        return content_action(self.content)

    @property
    def ref(self) -> MemoryRef:
        return MemoryRef(self.agent_id, self.id)


@dataclass
class RelevantMemory:
    """A retrieved memory with the parts of its score, so a ranking can be explained."""

    memory: AgentMemory
    score: float
    similarity: float
    text_match: float
    recency: float
    owned: bool
