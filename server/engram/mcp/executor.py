"""Running one operation of graphql/operations for an MCP tool: in-process through the service's own Strawberry
schema (with the same per-request context as HTTP GraphQL), or over HTTP with the typed client. GraphQL errors
become ToolErrors that carry the same extensions.code."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Protocol

import strawberry
from strawberry.types import ExecutionResult
from mcp.server.mcpserver.exceptions import ToolError

from engram.api.context import RequestContext
from engram.api.execution import ExecutionLoop
from engram.services import Services
from engram.api.gql.loaders import build_loaders
from engram.auth.service import Caller
from engram.client import AsyncEngramClient, EngramClientError
from engram.client.base import json_value
from engram.client.generated import DOCUMENTS


class OperationError(ToolError):
    """A GraphQL error turned MCP tool error; the message starts with the code, e.g. `[FORBIDDEN] …`."""

    def __init__(self, code: str, message: str, hint: str | None = None) -> None:
        self.code, self.hint = code, hint
        super().__init__(f"[{code}] {message}" + (f" Hint: {hint}" if hint else ""))


class Executor(Protocol):
    async def run(self, operation: str, variables: dict[str, Any]) -> dict[str, Any]: ...


def _variables(variables: dict[str, Any]) -> dict[str, Any]:
    return {k: json_value(v) for k, v in variables.items() if v is not None}


class InProcessExecutor:
    """The operation through `schema.execute` with a RequestContext for this caller's key, as /graphql builds it."""

    def __init__(self, schema: strawberry.Schema, resources: Services, token: str | None, *,
                 caller: Caller | None = None, request: Any = None, execution: ExecutionLoop | None = None) -> None:
        self.schema, self.resources, self.token = schema, resources, token
        self.caller, self.request, self.execution = caller, request, execution

    def _context(self) -> RequestContext:
        context = RequestContext(request=self.request, resources=self.resources, token=self.token,
                                 loaders=build_loaders(self.resources))
        if self.caller is not None:  # already authenticated by the transport: no second lookup
            known: asyncio.Future[Caller] = asyncio.get_running_loop().create_future()
            known.set_result(self.caller)
            context._caller = known
        return context

    async def _execute(self, operation: str, variables: dict[str, Any]) -> ExecutionResult:
        return await self.schema.execute(DOCUMENTS[operation], variable_values=_variables(variables),
                                         context_value=self._context(), operation_name=operation)

    async def run(self, operation: str, variables: dict[str, Any]) -> dict[str, Any]:
        execution = self._execute(operation, variables)
        # In the service, off the serving loop as /graphql's queries are (engram.api.execution).
        result = await (self.execution.run(execution) if self.execution is not None else execution)
        if result.errors:
            first = result.errors[0]
            extensions = first.extensions or {}
            raise OperationError(extensions.get("code", "INTERNAL_SERVER_ERROR"), first.message, extensions.get("hint"))
        assert result.data is not None
        limit = self.resources.settings.api_max_response_bytes
        if len(json.dumps(result.data, separators=(",", ":"))) > limit:  # the limit /graphql answers with too
            raise OperationError("RESPONSE_TOO_LARGE", f"The result would be larger than {limit} bytes "
                                 "(ENGRAM_API_MAX_RESPONSE_BYTES); ask for fewer items.")
        return result.data


class HttpExecutor:
    """The operation over HTTP against a running service, with the typed async client."""

    def __init__(self, client: AsyncEngramClient) -> None:
        self.client = client

    async def run(self, operation: str, variables: dict[str, Any]) -> dict[str, Any]:
        try:
            return await self.client.execute(operation, **variables)
        except EngramClientError as exc:
            raise OperationError(exc.code, exc.message, exc.hint) from exc
