"""The HTTP layer under the generated operations: one POST per operation to /graphql with the agent's key,
GraphQL errors raised as EngramClientError with their extensions.code, retries on connection errors only."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict

CONNECT_RETRIES = 3
RETRY_BACKOFF_S = 0.3
RATE_LIMIT_WAIT_S = 60.0  # how long a call waits out HTTP 429 (refused before any work, so safe to resend)


def rate_limit_pause(response: httpx.Response, waited: float) -> float | None:
    """Seconds to wait before resending a request the server refused with 429, or None to give up."""
    if response.status_code != 429 or waited >= RATE_LIMIT_WAIT_S:
        return None
    try:
        return min(float(response.headers.get("retry-after", "0.1")), 1.0) or 0.1
    except ValueError:
        return 0.1



class EngramClientError(Exception):
    """An error the service answered with (code from extensions.code), or UNAVAILABLE when it could not be reached."""

    def __init__(self, code: str, message: str, *, hint: str | None = None, path: list[Any] | None = None,
                 status: int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.hint, self.path, self.status = code, message, hint, path, status


class _Result(BaseModel):
    model_config = ConfigDict(populate_by_name=True, frozen=True, defer_build=True)  # built on first use: a CLI call uses one or two


class _Input(BaseModel):
    model_config = ConfigDict(populate_by_name=True, defer_build=True)


def json_value(value: Any) -> Any:
    """A variable's value as JSON: input models by their GraphQL names (unset fields left out), enums by name."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if hasattr(value, "value") and isinstance(getattr(value, "value"), str):  # enums
        return value.value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def body_for(documents: Mapping[str, str], name: str, variables: Mapping[str, Any]) -> dict[str, Any]:
    """The request body: unset (None) variables are left out, so the document's defaults apply."""
    return {"query": documents[name], "operationName": name,
            "variables": {k: json_value(v) for k, v in variables.items() if v is not None}}


def data_of(response: httpx.Response) -> dict[str, Any]:
    """`data` of a GraphQL response, or EngramClientError for its first error (partial data is not returned)."""
    try:
        payload = response.json()
    except ValueError:
        raise EngramClientError("HTTP_ERROR", f"HTTP {response.status_code}: {response.text[:200]}",
                                status=response.status_code) from None
    errors = payload.get("errors") if isinstance(payload, dict) else None
    if errors:
        first = errors[0]
        extensions = first.get("extensions") or {}
        raise EngramClientError(extensions.get("code", "INTERNAL_SERVER_ERROR"), first.get("message", ""),
                                hint=extensions.get("hint"), path=first.get("path"), status=response.status_code)
    if response.status_code != 200 or not isinstance(payload, dict) or payload.get("data") is None:
        raise EngramClientError("HTTP_ERROR", f"HTTP {response.status_code}: {response.text[:200]}",
                                status=response.status_code)
    return payload["data"]


def _headers(api_key: str | None) -> dict[str, str]:
    headers = {"Accept": "application/graphql-response+json, application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    return headers


def _needs_tls(url: str) -> bool:
    """Certificates are loaded only for https (loading them costs ~0.1 s, most of a CLI call's budget)."""
    return url.lower().startswith("https://")


class _SyncExecutor:
    """Holds an httpx.Client; `execute` is the raw call every generated method goes through."""

    documents: Mapping[str, str] = {}  # the generated subclass sets its operations' documents

    def __init__(self, url: str, api_key: str | None, *, timeout: float = 60.0,
                 http: httpx.Client | None = None) -> None:
        self.url = url.rstrip("/") + "/graphql"
        self._http = http or httpx.Client(timeout=timeout, headers=_headers(api_key), verify=_needs_tls(url))

    def is_up(self, timeout: float = 1.0) -> bool:
        """Whether the service answers GET /health (200, or 503 while it is degraded); no retries. The connection
        is kept for the calls that follow."""
        try:
            return self._http.get(self.url.removesuffix("/graphql") + "/health", timeout=timeout).status_code in (200, 503)
        except httpx.HTTPError:
            return False

    def _execute(self, name: str, variables: Mapping[str, Any]) -> dict[str, Any]:
        body = body_for(self.documents, name, variables)
        attempt, waited = 0, 0.0
        while True:
            try:
                response = self._http.post(self.url, json=body)
                if (pause := rate_limit_pause(response, waited)) is not None:  # over our share: wait our turn
                    time.sleep(pause)
                    waited += pause
                    continue
                return data_of(response)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:  # never sent: safe to send again
                if attempt == CONNECT_RETRIES:
                    raise EngramClientError("UNAVAILABLE", f"cannot reach {self.url}: {exc}") from exc
                time.sleep(RETRY_BACKOFF_S * 2 ** attempt)
                attempt += 1

    def execute(self, name: str, **variables: Any) -> dict[str, Any]:
        """Run an operation of graphql/operations by name; the raw `data`."""
        return self._execute(name, variables)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> _SyncExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _AsyncExecutor:
    documents: Mapping[str, str] = {}

    def __init__(self, url: str, api_key: str | None, *, timeout: float = 60.0,
                 http: httpx.AsyncClient | None = None) -> None:
        self.url = url.rstrip("/") + "/graphql"
        self._http = http or httpx.AsyncClient(timeout=timeout, headers=_headers(api_key), verify=_needs_tls(url))

    async def _execute(self, name: str, variables: Mapping[str, Any]) -> dict[str, Any]:
        body = body_for(self.documents, name, variables)
        attempt, waited = 0, 0.0
        while True:
            try:
                response = await self._http.post(self.url, json=body)
                if (pause := rate_limit_pause(response, waited)) is not None:
                    await asyncio.sleep(pause)
                    waited += pause
                    continue
                return data_of(response)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                if attempt == CONNECT_RETRIES:
                    raise EngramClientError("UNAVAILABLE", f"cannot reach {self.url}: {exc}") from exc
                await asyncio.sleep(RETRY_BACKOFF_S * 2 ** attempt)
                attempt += 1

    async def execute(self, name: str, **variables: Any) -> dict[str, Any]:
        return await self._execute(name, variables)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> _AsyncExecutor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
