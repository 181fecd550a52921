"""Memories: record (one or a batch), retrieve, search, list, show, forget. Resolvers call MemoryService."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from engram.api.context import RequestContext
from engram.api.gql.pagination import Connection, connection, window
from engram.api.gql.permissions import AUTHENTICATED, AsAgent, acting_agent
from engram.api.gql.types import Memory, MemoryKind, Outcome, RelevantMemory, memory_type, relevant_type
from engram.entities.memory import MemoryKind as EngineKind, NewMemory
from engram.errors import BadInputError, ForbiddenError, NotFoundError
from engram.memory.builder import build_memory
from engram.memory.retrieval import MAX_K

@strawberry.input(description="One memory to record. Which fields a kind needs: decision and success need "
                              "`action`; failure needs `error`; collaboration needs `partners`; knowledge "
                              "needs `domain`.")
class RecordMemoryInput:
    kind: MemoryKind
    context: str
    action: str | None = None
    outcome: Outcome | None = None
    alternatives: list[str] | None = None
    error: str | None = None
    root_cause: str | None = None
    solution: str | None = None
    prevention: str | None = None
    partners: list[str] | None = None
    interaction: str | None = None
    lessons: list[str] | None = None
    domain: str | None = None
    knowledge_type: str | None = None
    expertise: str | None = None
    entities: list[str] | None = None
    statement: str | None = None
    key_factors: list[str] | None = None
    steps: list[str] | None = None
    tags: list[str] | None = None
    confidence: float = 0.5
    id: str | None = strawberry.field(default=None, description="A stable id makes recording idempotent.")
    task_id: str | None = None
    facts: JSON | None = strawberry.field(default=None, description=(
        "A decision's structured details, e.g. {env: \"production\", rows: 80000000} (see recordDecision)."))


def new_memory(agent_id: str, item: RecordMemoryInput) -> NewMemory:
    return build_memory(
        agent=agent_id, kind=item.kind.value, context=item.context, action=item.action,
        outcome=item.outcome.value if item.outcome else None, alternatives=item.alternatives, error=item.error,
        root_cause=item.root_cause, solution=item.solution, prevention=item.prevention, partners=item.partners,
        interaction=item.interaction or "collaboration", lessons=item.lessons, domain=item.domain,
        knowledge_type=item.knowledge_type or "fact", expertise=item.expertise or "intermediate",
        entities=item.entities, content=item.statement, key_factors=item.key_factors, steps=item.steps,
        tags=item.tags, confidence=item.confidence, memory_id=item.id, task_id=item.task_id, facts=item.facts,
    )


@strawberry.type
class RecordMemoryPayload:
    id: strawberry.ID
    created: bool = strawberry.field(description="False when a memory with this id was stored already (unchanged).")
    redactions: int = strawberry.field(description="Secrets redacted before the memory was embedded and stored.")
    agent_id: strawberry.Private[str]

    @strawberry.field(description="The stored memory (null if the id belongs to another agent's memory).")
    async def memory(self, info: Info[RequestContext, None]) -> Memory | None:
        return await own_memory(info, str(self.id), self.agent_id)


@strawberry.type
class RecordResult:
    id: strawberry.ID
    created: bool


@strawberry.type
class RecordMemoriesPayload:
    results: list[RecordResult]
    created: int
    unchanged: int
    redactions: int


@strawberry.type
class ForgetMemoryPayload:
    id: strawberry.ID
    forgotten: bool


async def own_memory(info: Info[RequestContext, None], memory_id: str, agent_id: str) -> Memory | None:
    try:
        stored, _ = await info.context.run(info.context.resources.memories.show, memory_id, agent_id)
    except NotFoundError:
        return None
    return memory_type(stored, viewer=agent_id)


@strawberry.type
class MemoryQuery:
    @strawberry.field(permission_classes=AUTHENTICATED, description="One of your own memories by id.")
    async def memory(self, info: Info[RequestContext, None], id: strawberry.ID,
                     as_agent: AsAgent = None) -> Memory:
        agent = await acting_agent(info, as_agent)
        found = await own_memory(info, str(id), agent)
        if found is None:
            raise NotFoundError(f"No memory with id {id!r} among {agent}'s memories.")
        return found

    @strawberry.field(permission_classes=AUTHENTICATED, description="Your own memories, newest first.")
    async def memories(self, info: Info[RequestContext, None], kind: MemoryKind | None = None,
                       first: int | None = None, after: str | None = None,
                       as_agent: AsAgent = None) -> Connection[Memory]:
        agent = await acting_agent(info, as_agent)
        win = window(first, after)
        stored = await info.context.run(info.context.resources.memories.list, agent,
                                        EngineKind(kind.value) if kind else None, win.fetch, win.offset)
        return connection([memory_type(m, viewer=agent) for m in stored], win)

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="The k memories most relevant to a context among those you may see: your own "
                                  "and those shared with you by a live grant (the spec's retrieve_relevant_memories).")
    async def retrieve_memories(self, info: Info[RequestContext, None], context: str, k: int = 10,
                                min_similarity: float = 0.0, as_agent: AsAgent = None) -> list[RelevantMemory]:
        agent = await acting_agent(info, as_agent)
        found = await info.context.run(info.context.resources.memories.retrieve_relevant_memories, agent, context, k,
                                       min_similarity=min_similarity)
        return [relevant_type(r, agent) for r in found]

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="Hybrid (vector + keyword) search over what you may see, best first. Operators may "
                                  "pass allAgents: true to search every agent's memories.")
    async def search_memories(self, info: Info[RequestContext, None], text: str, first: int | None = None,
                              after: str | None = None, all_agents: bool = False,
                              as_agent: AsAgent = None) -> Connection[RelevantMemory]:
        win = window(first, after, limit=MAX_K)
        caller = await info.context.caller()
        if all_agents:
            if not caller.operator:
                raise ForbiddenError("Only an operator key may search every agent's memories.")
            agent = None
        else:
            agent = await acting_agent(info, as_agent)
        k = min(win.end, MAX_K)
        found = await info.context.run(info.context.resources.memories.search, text, agent, k, operator=caller.name)
        return connection([relevant_type(r, agent) for r in found], win, already_offset=False)


@strawberry.type
class MemoryMutation:
    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="Record one memory for yourself. Secrets are redacted before storing.")
    async def record_memory(self, info: Info[RequestContext, None], input: RecordMemoryInput,
                            as_agent: AsAgent = None) -> RecordMemoryPayload:
        agent = await acting_agent(info, as_agent)
        summary = await info.context.run(info.context.resources.memories.record_many, [new_memory(agent, input)])
        result = summary.results[0]
        return RecordMemoryPayload(id=strawberry.ID(result.id), created=result.created,
                                   redactions=summary.redactions, agent_id=agent)

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="Record a batch of memories (embedded and written together).")
    async def record_memories(self, info: Info[RequestContext, None], inputs: list[RecordMemoryInput],
                              as_agent: AsAgent = None) -> RecordMemoriesPayload:
        limit = info.context.resources.settings.api_max_batch
        if not 0 < len(inputs) <= limit:
            raise BadInputError(f"recordMemories takes 1 to {limit} memories per call.")
        agent = await acting_agent(info, as_agent)
        summary = await info.context.run(info.context.resources.memories.record_many,
                                         [new_memory(agent, item) for item in inputs])
        return RecordMemoriesPayload(
            results=[RecordResult(id=strawberry.ID(r.id), created=r.created) for r in summary.results],
            created=summary.created, unchanged=summary.unchanged, redactions=summary.redactions)

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="Delete one of your memories for real (node, links and index entries).")
    async def forget_memory(self, info: Info[RequestContext, None], id: strawberry.ID,
                            as_agent: AsAgent = None) -> ForgetMemoryPayload:
        agent = await acting_agent(info, as_agent)
        await info.context.run(info.context.resources.memories.forget, str(id), agent)
        return ForgetMemoryPayload(id=id, forgotten=True)

