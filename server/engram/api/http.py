"""GraphQL over HTTP details on top of strawberry's ASGI view: the application/graphql-response+json
media type (with 400 for requests that fail before execution), 405 for mutations over GET, a
400 with a code for JSON bodies nested too deep to parse, and a RESPONSE_TOO_LARGE error instead of a response
over the size limit."""

from __future__ import annotations

from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

GRAPHQL_RESPONSE = "application/graphql-response+json"


class NestedTooDeep(Exception):
    """The JSON body is nested deeper than the parser's recursion allows."""


def nested_too_deep_response() -> JSONResponse:
    return JSONResponse({"errors": [{"message": "The request body is JSON nested too deeply.",
                                     "extensions": {"code": "BAD_REQUEST"}}]}, status_code=400)


def wants_graphql_response(request: Request) -> bool:
    """The newer media type when the client accepts it; plain application/json otherwise (and for
    clients that send no Accept header), as the GraphQL-over-HTTP spec's watershed rules say."""
    return GRAPHQL_RESPONSE in request.headers.get("accept", "")


def is_request_error(result: ExecutionResult) -> bool:
    """Parse, validation and variable coercion errors: nothing was executed, so there is no data."""
    return result.data is None and bool(result.errors) and all(e.path is None for e in result.errors)


def response_too_large(limit: int) -> dict[str, Any]:
    return {"data": None, "errors": [{
        "message": f"The response would be larger than {limit} bytes (ENGRAM_API_MAX_RESPONSE_BYTES); ask for "
                   "fewer items (first, k) or fewer fields.",
        "extensions": {"code": "RESPONSE_TOO_LARGE"}}]}


class GraphQLOverHTTP(GraphQL):
    def __init__(self, *args: Any, max_response_bytes: int | None = None, **kwargs: Any) -> None:
        """`max_response_bytes`: a larger encoded response is replaced by a RESPONSE_TOO_LARGE error."""
        super().__init__(*args, **kwargs)
        self.max_response_bytes = max_response_bytes

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        response = super().create_response(response_data, sub_response)
        limit = self.max_response_bytes
        if limit is not None and len(response.body) > limit:
            replaced = super().create_response(response_too_large(limit), sub_response)
            replaced.status_code = response.status_code
            return replaced
        return response

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

    def decode_json(self, data: str | bytes) -> object:
        try:
            return super().decode_json(data)
        except RecursionError:
            raise NestedTooDeep from None

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        try:
            response = await super().run(request, context, root_value)
        except NestedTooDeep:
            return nested_too_deep_response()
        if (isinstance(request, Request) and isinstance(response, Response) and wants_graphql_response(request)
                and response.headers.get("content-type", "").startswith("application/json")):
            response.headers["content-type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
            if getattr(request.state, "graphql_request_error", False):
                response.status_code = 400
        return response
