"""Whether a data command talks to the running service (GraphQL over HTTP, with an API key) or opens the engine
in-process, as it did before there was a service: the service when it answers /health and a key is found, else
in-process, said once on stderr."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from engram.client import EngramClient

PROBE_TIMEOUT_S = 1.0  # a refused connection answers at once; this only bounds a service that hangs
_META = "engram.service"


@dataclass(frozen=True)
class ServiceOptions:
    """The root options: `engram [--url URL] [--api-key-file PATH] [--in-process] COMMAND …`."""

    url: str | None = None
    key_file: Path | None = None
    in_process: bool = False


def remember_options(ctx: typer.Context, options: ServiceOptions) -> None:
    ctx.meta[_META] = options


def service_options(ctx: typer.Context) -> ServiceOptions:
    return ctx.find_root().meta.get(_META, ServiceOptions())


def service_client(ctx: typer.Context) -> EngramClient | None:
    """A client for the running service, or None (with one line on stderr) when the command runs in-process.
    The URL and key come from engram.client.credentials, as for `engram mcp` and the Python client."""
    options = service_options(ctx)
    if options.in_process:
        return None
    from engram.client import EngramClient, default_key_file, find_api_key, service_url

    key = find_api_key(options.key_file)
    url = service_url(options.url)

    client = EngramClient(url, key)  # one connection for the probe and the calls
    if not client.is_up(PROBE_TIMEOUT_S):
        client.close()
        _say_in_process(f"no Engram service answers at {url}")
        return None
    if key is None:
        client.close()
        _say_in_process(f"the service at {url} is up, but no API key was found (ENGRAM_API_KEY, "
                        f"ENGRAM_API_KEY_FILE, --api-key-file or {default_key_file()})")
        return None
    return client


def _say_in_process(reason: str) -> None:
    from engram.cli.output import say

    say((f"engram: {reason}; working in-process on the database directly.", "dim"), err=True)


@contextmanager
def client_errors() -> Iterator[None]:
    """The service's errors as the CLI's own: a clean message and exit 1 (2 for bad input), as in-process."""
    from engram.cli.output import say_error
    from engram.client import EngramClientError
    from engram.errors import BadInputError

    try:
        yield
    except EngramClientError as exc:
        say_error(exc.code, exc.message, exc.hint)
        raise typer.Exit(2 if exc.code == BadInputError.code else 1) from None


PAGE = 100  # the API's largest page


def paged(fetch: Callable[[int, str | None], Any], limit: int) -> list[Any]:
    """Up to `limit` nodes of a connection, page by page: `fetch(first, after)` returns the connection."""
    found: list[Any] = []
    after = None
    while len(found) < limit:
        connection = fetch(min(PAGE, limit - len(found)), after)
        nodes = connection.nodes if hasattr(connection, "nodes") else [edge.node for edge in connection.edges]
        found.extend(nodes)
        if not connection.page_info.has_next_page or not nodes:
            break
        after = connection.page_info.end_cursor
    return found[:limit]
