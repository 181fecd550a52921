"""`engram mcp`: Engram's tools for an MCP client (Claude Desktop/Code, Cursor …) over stdio."""

from __future__ import annotations

from pathlib import Path

import typer

from engram.cli.output import handle_errors, settings_from
from engram.cli.remote import service_options
from engram.errors import BadInputError


def required_api_key(key_file: Path | None) -> str:
    """The key as every command finds it (engram.client.credentials); the MCP server cannot run without one."""
    from engram.client import default_key_file, find_api_key

    key = find_api_key(key_file)
    if not key:
        raise BadInputError(f"No API key: set ENGRAM_API_KEY, or name a key file with --api-key-file or "
                            f"ENGRAM_API_KEY_FILE, or save one at {default_key_file()}.",
                            hint="`engram agent create NAME --save ~/.config/engram/api-key` makes one.")
    return key


@handle_errors
def mcp(
    ctx: typer.Context,
    url: str = typer.Option(None, help="The running service (default: `engram --url`, ENGRAM_URL, else "
                                       "http://API_HOST:API_PORT)."),
    mode: str = typer.Option("auto", help="auto: over HTTP when the service answers, else in-process; or http, "
                                          "in-process.", case_sensitive=False),
) -> None:
    """Serve Engram's MCP tools over stdio as the agent of your API key (logs go to stderr)."""
    if mode not in ("auto", "http", "in-process"):
        raise BadInputError("--mode is auto, http or in-process.")
    settings = settings_from(ctx)
    options = service_options(ctx)
    from engram.client import service_url
    from engram.mcp.stdio import serve_stdio

    serve_stdio(settings, required_api_key(options.key_file), service_url(url or options.url), mode)
