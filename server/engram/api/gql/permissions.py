"""Who may call what: authenticated agents, operators, and acting for another agent (operators only)."""

from __future__ import annotations

import logging
from typing import Annotated, Any

import strawberry

from strawberry.permission import BasePermission
from strawberry.types import Info

from engram.api.context import RequestContext
from engram.auth.service import Caller
from engram.errors import BadInputError, ForbiddenError
from engram.entities.privacy import ON_BEHALF_OF

log = logging.getLogger("engram.api")


class IsAuthenticated(BasePermission):
    """A valid, unrevoked API key; the error (UNAUTHENTICATED) is raised by the lookup itself."""

    message = "Authentication required."

    async def has_permission(self, source: Any, info: Info[RequestContext, None], **kwargs: Any) -> bool:
        await info.context.caller()
        return True


class IsOperator(BasePermission):
    message = "Only an operator key may do this."

    async def has_permission(self, source: Any, info: Info[RequestContext, None], **kwargs: Any) -> bool:
        if not (await info.context.caller()).operator:
            raise ForbiddenError(self.message)
        return True


AsAgent = Annotated[str | None, strawberry.argument(description="Operators only: act as this agent (audited).")]

AUTHENTICATED = [IsAuthenticated]
OPERATOR = [IsOperator]


async def acting_agent(info: Info[RequestContext, None], as_agent: str | None) -> str:
    """The agent a request acts as: always the key's own agent, except that an operator may name another
    with `asAgent`. That is audited, so an owner can see when an operator read or changed their memories:
    an `operator_access` event here, and every event the engine audits for the request names the operator
    as actor and the agent as `on_behalf_of` (RequestContext.acting)."""
    caller = await info.context.caller()
    if as_agent is None or as_agent == caller.agent_id:
        if caller.agent_id is None:
            raise BadInputError("The operator key from the settings is no agent: pass asAgent.")
        return caller.agent_id
    if not caller.operator:
        raise ForbiddenError("Only an operator key may act for another agent (asAgent).")
    await record_operator_action(info, caller, as_agent)
    return as_agent


async def record_operator_action(info: Info[RequestContext, None], caller: Caller, as_agent: str) -> None:
    """An operator acts for `as_agent` in this field: recorded now, and everything the request audits as done
    by `as_agent` is recorded as done by the operator on its behalf (also for `agent(id:){patterns}`)."""
    info.context.acting.act_for(caller.name, as_agent)
    field = info.field_name
    log.info("operator %s (key %s) acts as %s in %s", caller.name, caller.key_prefix, as_agent, field)
    await info.context.run(info.context.resources.audit.record, "operator_access", caller.name, as_agent, (),
                           {"via": "api", "field": field, "key_prefix": caller.key_prefix, ON_BEHALF_OF: as_agent})
