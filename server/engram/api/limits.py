"""ASGI middleware that refuses work before it starts: request bodies over a size limit (HTTP 413), and
requests over a caller's share of the server (HTTP 429, RATE_LIMITED)."""

from __future__ import annotations

import hashlib
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from engram.auth.tokens import well_formed


class BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    """Checks Content-Length up front and counts the bytes of chunked bodies as they arrive."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_large = int(value) > self.max_bytes
                except ValueError:
                    too_large = False
                if too_large:
                    await self._reject(send)
                    return
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not response_started:
                await self._reject(send)

    async def _reject(self, send: Send) -> None:
        body = json.dumps({"errors": [{"message": f"Request body larger than {self.max_bytes} bytes.",
                                       "extensions": {"code": "PAYLOAD_TOO_LARGE"}}]}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"connection", b"close"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class PerCallerConcurrency:
    """Fairness: at most `max_in_flight` requests at once per API key on `paths`, so one agent flooding the
    API cannot take every worker thread from the others. A request over its key's cap is refused at once
    with HTTP 429 and a GraphQL error RATE_LIMITED, before its body is read or any work starts.

    The key is the raw Authorization header (hashed; no lookup, so refusing costs nothing); requests
    without one share a bucket per client address. The count is per server process."""

    def __init__(self, app: ASGIApp, max_in_flight: int, paths: tuple[str, ...] = ("/graphql", "/mcp")) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.paths = paths
        self._in_flight: dict[str, int] = {}

    def _bucket(self, scope: Scope) -> str:
        """The key as `bearer_token` reads it (so `Bearer`, `BEARER` and extra spaces are one bucket); a
        header that cannot be a key of ours (engram.auth.tokens.well_formed) counts with the anonymous
        callers of its address, so made-up headers do not each get a share of their own."""
        client = scope.get("client") or ("?", 0)
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                scheme, _, token = value.decode("latin-1").strip().partition(" ")
                token = token.strip() if scheme.lower() == "bearer" else value.decode("latin-1")
                if well_formed(token):
                    return "key:" + hashlib.sha256(token.encode("latin-1")).hexdigest()
        return f"anonymous:{client[0]}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path", "").rstrip("/") not in self.paths:
            await self.app(scope, receive, send)
            return
        bucket = self._bucket(scope)
        # The event loop is single-threaded: this check and increment cannot interleave with another's.
        if self._in_flight.get(bucket, 0) >= self.max_in_flight:
            await self._reject(send)
            return
        self._in_flight[bucket] = self._in_flight.get(bucket, 0) + 1
        try:
            await self.app(scope, receive, send)
        finally:
            left = self._in_flight[bucket] - 1
            if left:
                self._in_flight[bucket] = left
            else:
                del self._in_flight[bucket]

    async def _reject(self, send: Send) -> None:
        body = json.dumps({"errors": [{
            "message": f"Too many requests in flight for this API key (at most {self.max_in_flight} at once); "
                       "retry when one has finished.",
            "extensions": {"code": "RATE_LIMITED"}}]}).encode()
        await send({"type": "http.response.start", "status": 429,
                    "headers": [(b"content-type", b"application/json"), (b"retry-after", b"1"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
