"""GraphQL object types for agents and memories, built from engine entities (no IO here except through
the loaders and the engine services that the traversal fields call)."""

from __future__ import annotations

import asyncio
import enum
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from engram.api.context import RequestContext
from engram.api.gql.pagination import Connection, connection, window
from engram.api.gql.pattern_rendering import render_pattern
from engram.api.gql.permissions import record_operator_action
from engram.entities.memory import (
    AgentMemory, CollaborationContent, DecisionContent, FailureContent, MemoryKind as EngineKind,
    RelevantMemory as EngineRelevant, SuccessContent,
)
from engram.errors import ForbiddenError
from engram.learning.facts import parse_facts
from engram.learning.views import MAX_PATTERNS
from engram.storage.api_keys import AgentRecord

MAX_RELATED = 20

if TYPE_CHECKING:
    from engram.api.gql.learning_types import Pattern, PatternKind

LEARNING = "engram.api.gql.learning_types"


@strawberry.enum(description="The spec's five memory types.")
class MemoryKind(enum.Enum):
    DECISION = "decision"
    FAILURE = "failure"
    SUCCESS = "success"
    COLLABORATION = "collaboration"
    KNOWLEDGE = "knowledge"


@strawberry.enum
class Outcome(enum.Enum):
    SUCCESS = "success"
    PARTIAL = "partial"
    FAILURE = "failure"


@strawberry.enum(description="PRIVATE: the caller's own; SHARED: another agent's, seen through a live grant.")
class Visibility(enum.Enum):
    PRIVATE = "private"
    SHARED = "shared"


@strawberry.type(description="An agent: it remembers, learns, and shares with consent.")
class Agent:
    id: strawberry.ID
    name: str
    created_at: datetime | None

    @strawberry.field(description="The agent's own memories, newest first. Only the agent itself (and operators) "
                                  "may list them; what others shared with you is found by search and retrieve.")
    async def memories(self, info: Info[RequestContext, None], kind: MemoryKind | None = None,
                       first: int | None = None, after: str | None = None) -> Connection[Memory]:
        caller = await info.context.caller()
        if caller.agent_id != self.id and not caller.operator:
            raise ForbiddenError(f"Only {self.id} lists its own memories.")
        if caller.agent_id != self.id:
            await record_operator_action(info, caller, str(self.id))
        win = window(first, after)
        service = info.context.resources.memories
        stored = await info.context.run(service.list, str(self.id), EngineKind(kind.value) if kind else None,
                                        win.fetch, win.offset)
        return connection([memory_type(m, viewer=caller.agent_id) for m in stored], win)

    @strawberry.field(description="The patterns this agent has learned (over what it may see). Only the agent "
                                  "itself (and operators) may list them.")
    async def patterns(self, info: Info[RequestContext, None],
                       kind: Annotated[PatternKind, strawberry.lazy(LEARNING)] | None = None,
                       first: int | None = None, after: str | None = None,
                       ) -> Connection[Annotated[Pattern, strawberry.lazy(LEARNING)]]:
        caller = await info.context.caller()
        if caller.agent_id != self.id and not caller.operator:
            raise ForbiddenError(f"Only {self.id} lists its own patterns.")
        if caller.agent_id != self.id:
            await record_operator_action(info, caller, str(self.id))
        win = window(first, after, limit=MAX_PATTERNS)
        views = await info.context.run(info.context.resources.learning.patterns, str(self.id),
                                       kind.value if kind else None, None, None, min(win.end, MAX_PATTERNS),
                                       via="agent.patterns")
        return connection([render_pattern(v, str(self.id)) for v in views], win, already_offset=False)


INT_MAX = 2 ** 31 - 1  # GraphQL's Int is 32-bit


def count(n: int) -> int:
    """A stored count as a GraphQL Int: sums (occurrences over imported memories) can pass 2^31 - 1, which the
    Int type cannot carry; they read as that maximum rather than failing the whole field."""
    return min(n, INT_MAX)


def agent_type(record: AgentRecord | None, agent_id: str) -> Agent:
    if record is None:  # named in a memory (e.g. a partner) but never seen as an agent itself
        return Agent(id=strawberry.ID(agent_id), name=agent_id, created_at=None)
    return Agent(id=strawberry.ID(record.id), name=record.name, created_at=record.created_at)


async def load_agent(info: Info[RequestContext, None], agent_id: str) -> Agent:
    return agent_type(await info.context.loaders.agents.load(agent_id), agent_id)


@strawberry.interface(description="What an agent remembers. Query the kind's own fields with `... on DecisionMemory`.")
class Memory:
    id: strawberry.ID
    kind: MemoryKind
    context: str
    text: str = strawberry.field(description="One line that sums the memory up (what the fulltext index holds).")
    outcome: Outcome | None
    confidence_score: float
    success_rate: float | None
    access_count: int
    occurrences: int = strawberry.field(description="How many recorded events consolidation folded into this one.")
    created_at: datetime
    last_accessed: datetime | None
    first_seen: datetime | None
    last_seen: datetime | None
    tags: list[str]
    domain: str | None
    visibility: Visibility
    agent_id: strawberry.Private[str]
    viewer: strawberry.Private[str | None]

    @strawberry.field(description="The agent whose memory this is.")
    async def agent(self, info: Info[RequestContext, None]) -> Agent:
        return await load_agent(info, self.agent_id)

    @strawberry.field(description="Memories with a similar context that the caller may see (own or shared).")
    async def related(self, info: Info[RequestContext, None], k: int = 5) -> list[RelevantMemory]:
        k = max(1, min(k, MAX_RELATED))
        service = info.context.resources.memories
        found = await info.context.run(service.retrieve_relevant_memories, self.viewer, self.context, k + 1) \
            if self.viewer else await info.context.run(service.search, self.context, None, k + 1)
        return [relevant_type(r, self.viewer) for r in found
                if (r.memory.agent_id, r.memory.id) != (self.agent_id, self.id)][:k]


@strawberry.type(description="A decision: the action chosen in a context, the alternatives, how it went.")
class DecisionMemory(Memory):
    chosen_action: str
    alternative_actions: list[str]
    facts: JSON = strawberry.field(description="The structured facts recorded with the decision ({} if none).")


@strawberry.type(description="A failure: the error, its normalised signature, the cause and the fix applied.")
class FailureMemory(Memory):
    error_signature: str
    error_message: str
    root_cause: str | None
    solution_applied: str | None
    prevention_strategy: str | None


@strawberry.type(description="What worked, why, and how to repeat it.")
class SuccessMemory(Memory):
    successful_approach: str
    key_factors: list[str]
    replication_steps: list[str]


@strawberry.type(description="Work with other agents and what was learned from it.")
class CollaborationMemory(Memory):
    interaction_type: str
    lessons_learned: list[str]
    partner_ids: strawberry.Private[list[str]]

    @strawberry.field
    async def partners(self, info: Info[RequestContext, None]) -> list[Agent]:
        return list(await asyncio.gather(*(load_agent(info, p) for p in self.partner_ids)))


@strawberry.type(description="Domain knowledge: a fact, procedure or constraint, with related entities.")
class KnowledgeMemory(Memory):
    knowledge_type: str
    expertise_level: str
    related_entities: list[str]
    statement: str | None


@strawberry.type(description="A memory found for a context, with the parts of its ranking score.")
class RelevantMemory:
    memory: Memory
    score: float
    similarity: float
    text_match: float
    recency: float
    owned: bool


MEMORY_TYPES = (DecisionMemory, FailureMemory, SuccessMemory, CollaborationMemory, KnowledgeMemory)


def memory_type(m: AgentMemory, *, viewer: str | None) -> Memory:
    c = m.content
    common = dict(
        id=strawberry.ID(m.id), kind=MemoryKind(m.kind.value), context=m.context, text=m.text,
        outcome=Outcome(m.outcome) if m.outcome else None, confidence_score=m.confidence_score,
        success_rate=m.success_rate, access_count=count(m.access_count), occurrences=count(m.occurrences),
        created_at=m.created_at, last_accessed=m.last_accessed, first_seen=m.first_seen, last_seen=m.last_seen,
        tags=list(m.tags), domain=m.domain,
        visibility=Visibility(m.visibility.value) if viewer is None or m.agent_id == viewer else Visibility.SHARED,
        agent_id=m.agent_id, viewer=viewer,
    )
    if isinstance(c, DecisionContent):
        return DecisionMemory(**common, chosen_action=c.chosen_action, alternative_actions=list(c.alternative_actions),
                              facts=parse_facts(c.facts))
    if isinstance(c, FailureContent):
        return FailureMemory(**common, error_signature=c.error_signature, error_message=c.error_message,
                             root_cause=c.root_cause or None, solution_applied=c.solution_applied or None,
                             prevention_strategy=c.prevention_strategy)
    if isinstance(c, SuccessContent):
        return SuccessMemory(**common, successful_approach=c.successful_approach, key_factors=list(c.key_factors),
                             replication_steps=list(c.replication_steps))
    if isinstance(c, CollaborationContent):
        return CollaborationMemory(**common, interaction_type=c.interaction_type,
                                   lessons_learned=list(c.lessons_learned), partner_ids=list(c.partner_agents))
    return KnowledgeMemory(**common, knowledge_type=c.knowledge_type, expertise_level=c.expertise_level,
                           related_entities=list(c.related_entities), statement=c.statement or None)


def relevant_type(r: EngineRelevant, viewer: str | None) -> RelevantMemory:
    return RelevantMemory(memory=memory_type(r.memory, viewer=viewer), score=r.score, similarity=r.similarity,
                          text_match=r.text_match, recency=r.recency, owned=r.owned)
