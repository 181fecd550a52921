"""Who is calling (viewer, me), agents, and an agent's own API keys (rotate, revoke)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from engram.api.context import RequestContext
from engram.api.gql.permissions import AUTHENTICATED, OPERATOR, AsAgent, acting_agent
from engram.api.gql.types import Agent, load_agent
from engram.errors import BadInputError, NotFoundError
from engram.storage.api_keys import KeyRecord

@strawberry.type(description="The caller, as its API key says.")
class Viewer:
    agent_id: strawberry.ID | None = strawberry.field(description="Null for the operator key from the settings.")
    operator: bool
    key_prefix: str

    @strawberry.field
    async def agent(self, info: Info[RequestContext, None]) -> Agent | None:
        return await load_agent(info, str(self.agent_id)) if self.agent_id else None


@strawberry.type(description="An agent as operators see it in the agent list.")
class AgentSummary:
    id: strawberry.ID
    name: str
    operator: bool
    created_at: datetime | None
    live_keys: int
    memory_count: int


@strawberry.type(description="An API key, by its display prefix; the key itself is never stored.")
class ApiKey:
    prefix: str
    created_at: datetime
    revoked_at: datetime | None


@strawberry.type(description="A new key: `token` is shown this once; store it now.")
class IssuedApiKey:
    token: str
    key: ApiKey


def key_type(k: KeyRecord) -> ApiKey:
    return ApiKey(prefix=k.prefix, created_at=k.created_at, revoked_at=k.revoked_at)


@strawberry.type
class IdentityQuery:
    @strawberry.field(permission_classes=AUTHENTICATED, description="Who you are, as your API key says.")
    async def viewer(self, info: Info[RequestContext, None]) -> Viewer:
        caller = await info.context.caller()
        return Viewer(agent_id=strawberry.ID(caller.agent_id) if caller.agent_id else None,
                      operator=caller.operator, key_prefix=caller.key_prefix)

    @strawberry.field(permission_classes=AUTHENTICATED, description="The agent you act as: start traversals here.")
    async def me(self, info: Info[RequestContext, None], as_agent: AsAgent = None) -> Agent:
        return await load_agent(info, await acting_agent(info, as_agent))

    @strawberry.field(permission_classes=AUTHENTICATED, description="Another agent by id (name only).")
    async def agent(self, info: Info[RequestContext, None], id: strawberry.ID) -> Agent:
        record = await info.context.loaders.agents.load(str(id))
        if record is None:
            raise NotFoundError(f"No agent {id!r}.")
        return await load_agent(info, str(id))

    @strawberry.field(permission_classes=OPERATOR, description="Operators: every agent with key and memory counts.")
    async def agents(self, info: Info[RequestContext, None]) -> list[AgentSummary]:
        records = await info.context.run(info.context.resources.keys.list_agents)
        return [AgentSummary(id=strawberry.ID(a.id), name=a.name, operator=a.operator, created_at=a.created_at,
                             live_keys=a.live_keys, memory_count=a.memories) for a in records]

    @strawberry.field(permission_classes=AUTHENTICATED, description="Your API keys (prefixes only).")
    async def api_keys(self, info: Info[RequestContext, None], as_agent: AsAgent = None) -> list[ApiKey]:
        agent = await acting_agent(info, as_agent)
        return [key_type(k) for k in await info.context.run(info.context.resources.keys.list_keys, agent)]


@strawberry.type(description="What deleting an agent removed.")
class AgentDeletion:
    agent_id: strawberry.ID
    memories: int
    keys: int
    grants: int
    requests: int
    tasks: int
    policies: int


@strawberry.type
class IdentityMutation:
    @strawberry.mutation(permission_classes=OPERATOR,
                         description="Operators: delete an agent for real — its keys stop working, and its memories, "
                                     "grants, share requests, tasks and retention policies are deleted (audited).")
    async def delete_agent(self, info: Info[RequestContext, None], id: strawberry.ID) -> AgentDeletion:
        caller = await info.context.caller()
        r = await info.context.run(info.context.resources.agents.delete, str(id), actor=caller.name)
        return AgentDeletion(agent_id=strawberry.ID(r.agent_id), memories=r.memories, keys=r.keys, grants=r.grants,
                             requests=r.requests, tasks=r.tasks, policies=r.policies)

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="Rotate: issue a new key for yourself; by default every older key is revoked.")
    async def rotate_api_key(self, info: Info[RequestContext, None], revoke_others: bool = True) -> IssuedApiKey:
        caller = await info.context.caller()
        if caller.agent_id is None:
            raise BadInputError("The operator key from the settings is rotated in the settings.")
        issued = await info.context.run(info.context.resources.keys.issue_key, caller.agent_id,
                                        revoke_others=revoke_others)
        return IssuedApiKey(token=issued.token, key=key_type(issued.key))

    @strawberry.mutation(permission_classes=AUTHENTICATED, description="Revoke one of your keys by its prefix.")
    async def revoke_api_key(self, info: Info[RequestContext, None], prefix: str,
                             as_agent: AsAgent = None) -> ApiKey:
        agent = await acting_agent(info, as_agent)
        return key_type(await info.context.run(info.context.resources.keys.revoke_key, prefix, agent))
