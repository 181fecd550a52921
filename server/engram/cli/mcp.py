"""`engram mcp`: Engram's tools for an MCP client (Claude Desktop/Code, Cursor …) over stdio."""

from __future__ import annotations

import os

import typer

from engram.cli.output import handle_errors, settings_from
from engram.errors import BadInputError


def api_key_from_env() -> str:
    """ENGRAM_API_KEY, or the file named by ENGRAM_API_KEY_FILE (as `engram agent create --save` writes it)."""
    from engram.client import key_from_env

    key = key_from_env()
    if not key:
        raise BadInputError("No API key: set ENGRAM_API_KEY (or ENGRAM_API_KEY_FILE, naming a readable file).",
                            hint="`engram agent create NAME --save NAME.key` makes one.")
    return key


@handle_errors
def mcp(
    ctx: typer.Context,
    url: str = typer.Option(None, help="The running service (default ENGRAM_URL, else http://API_HOST:API_PORT)."),
    mode: str = typer.Option("auto", help="auto: over HTTP when the service answers, else in-process; or http, "
                                          "in-process.", case_sensitive=False),
) -> None:
    """Serve Engram's MCP tools over stdio as the agent of ENGRAM_API_KEY (logs go to stderr)."""
    if mode not in ("auto", "http", "in-process"):
        raise BadInputError("--mode is auto, http or in-process.")
    settings = settings_from(ctx)
    from engram.mcp.stdio import serve_stdio

    serve_stdio(settings, api_key_from_env(), url or os.environ.get("ENGRAM_URL")
                or f"http://{settings.api_host}:{settings.api_port}", mode)
