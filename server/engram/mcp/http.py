"""Streamable HTTP MCP at /mcp inside the service: the agent's API key as a bearer token, checked before the SDK's
transport sees the request; each tool then runs its GraphQL operation in-process as that agent."""

from __future__ import annotations

import asyncio
import json

import strawberry
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from engram.api.context import bearer_token
from engram.services import Services
from engram.errors import EngramError, UnauthenticatedError
from engram.mcp.executor import InProcessExecutor
from engram.mcp.tools import build_mcp_server

CALLER, TOKEN = "engram_caller", "engram_token"


class BearerKeyAuth:
    """401 for a missing, unknown or revoked key (with the same code as GraphQL: UNAUTHENTICATED), 503 when the
    key store cannot be reached; otherwise the caller rides along in the ASGI scope's state."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        resources: Services = request.app.state.resources
        token = bearer_token(request)
        try:
            caller = await asyncio.to_thread(resources.keys.authenticate, token)
        except UnauthenticatedError as exc:
            await _refuse(send, 401, exc.code, exc.message)
            return
        except EngramError as exc:
            await _refuse(send, 503, exc.code, "The service is temporarily unavailable.")
            return
        state = scope.setdefault("state", {})
        state[CALLER], state[TOKEN] = caller, token
        await self.app(scope, receive, send)


async def _refuse(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"error": message, "code": code}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if status == 401:
        headers.append((b"www-authenticate", b'Bearer realm="engram", error="invalid_token"'))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def build_mcp_http(schema: strawberry.Schema) -> tuple[ASGIApp, MCPServer]:
    """The ASGI endpoint for /mcp and the server whose `session_manager.run()` the app's lifespan must hold open."""

    def executor_for(ctx: Context) -> InProcessExecutor:
        request = ctx.request_context.request
        state = request.scope["state"]
        return InProcessExecutor(schema, request.app.state.resources, state[TOKEN], caller=state[CALLER],
                                 request=request, execution=request.app.state.execution)

    server = build_mcp_server(executor_for)
    # Stateless: every POST stands alone (no server-side session to hijack or to keep in memory per agent).
    # No DNS-rebinding Host check: the credential is a bearer header, never ambient, so a rebound page has none.
    server.streamable_http_app(stateless_http=True, json_response=True,
                               transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False))
    return BearerKeyAuth(StreamableHTTPASGIApp(server.session_manager)), server
