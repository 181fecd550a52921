"""GraphQL over HTTP details on top of strawberry's ASGI view: the application/graphql-response+json
media type (with 400 for requests that fail before execution) and 405 for mutations over GET."""

from __future__ import annotations

from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

GRAPHQL_RESPONSE = "application/graphql-response+json"


def wants_graphql_response(request: Request) -> bool:
    """The newer media type when the client accepts it; plain application/json otherwise (and for
    clients that send no Accept header), as the GraphQL-over-HTTP spec's watershed rules say."""
    return GRAPHQL_RESPONSE in request.headers.get("accept", "")


def is_request_error(result: ExecutionResult) -> bool:
    """Parse, validation and variable coercion errors: nothing was executed, so there is no data."""
    return result.data is None and bool(result.errors) and all(e.path is None for e in result.errors)


class GraphQLOverHTTP(GraphQL):
    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        processed = await super().process_result(request, result)
        if wants_graphql_response(request) and is_request_error(result):
            request.state.graphql_request_error = True
            processed.pop("data", None)
        return processed

    async def execute_single(self, request: Request, request_adapter: Any, *args: Any,
                             **kwargs: Any) -> ExecutionResult:
        try:
            return await super().execute_single(request, request_adapter, *args, **kwargs)
        except HTTPException as exc:
            if request_adapter.method == "GET" and exc.status_code == 400 and "GET" in exc.reason:
                raise HTTPException(405, exc.reason) from exc
            raise

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        response = await super().run(request, context, root_value)
        if (isinstance(request, Request) and isinstance(response, Response) and wants_graphql_response(request)
                and response.headers.get("content-type", "").startswith("application/json")):
            response.headers["content-type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
            if getattr(request.state, "graphql_request_error", False):
                response.status_code = 400
        return response
