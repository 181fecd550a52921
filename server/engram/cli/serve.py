"""`engram serve` runs the API; `engram up` brings the whole stack up (what `make run` calls)."""

from __future__ import annotations

import copy
import os
import socket

import typer
import uvicorn
from uvicorn.main import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from engram.api.app import create_app
from engram.cli.output import handle_errors, say, settings_from
from engram.dbserver.process import ManagedNeo4j
from engram.storage.connection import open_driver
from engram.storage.schema import apply_schema


@handle_errors
def serve(
    ctx: typer.Context,
    host: str = typer.Option(None, help="Interface to bind (default ENGRAM_API_HOST or 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (default ENGRAM_API_PORT or 8000)."),
    workers: int = typer.Option(None, min=1, help="Worker processes (default ENGRAM_API_WORKERS, or one per core). "
                                                  "Periodic jobs run once per interval across all of them."),
) -> None:
    """Serve the GraphQL API (GraphiQL at /graphql in a browser) and /health with uvicorn."""
    settings = settings_from(ctx)
    host, port = host or settings.api_host, port or settings.api_port
    workers = workers or settings.api_workers or os.cpu_count() or 1
    _print_urls(settings, host, port)
    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="info", log_config=_log_config())
    else:  # each worker builds its app from the same environment, and dies with the supervisor
        _run_workers(uvicorn.Config("engram.api.worker:supervised_app", factory=True, workers=workers, host=host,
                                    port=port, log_level="info", log_config=_log_config()))


def _run_workers(config: uvicorn.Config) -> None:
    """What `uvicorn.run` does for workers > 1, except that a worker failing its startup (the model cannot
    load, Neo4j settings are wrong) makes `engram serve` exit non-zero: uvicorn's supervisor stops then, but
    exits 0, so a process manager would think the service ended normally."""
    supervisor = Multiprocess(config, sockets=[_tcp_socket(config.bind_socket())])
    try:
        supervisor.run()
    except KeyboardInterrupt:
        pass
    if any(p.exitcode == STARTUP_FAILURE for p in supervisor.processes):
        say(("engram serve: a worker failed to start (its error is above); stopped.", "red"))
        raise typer.Exit(STARTUP_FAILURE)


def _tcp_socket(sock: socket.socket) -> socket.socket:
    """The listening socket, marked as TCP. uvicorn binds it as `socket.socket(family)`, protocol 0, and asyncio
    turns Nagle's algorithm off (TCP_NODELAY) only on accepted sockets whose protocol says TCP, so every
    response in a worker sat behind the client's delayed ACK: 40-200 ms for a request that follows another on
    the same connection. Unix sockets are left as they are."""
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return sock
    return socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())


@handle_errors
def up(
    ctx: typer.Context,
    seed: bool = typer.Option(True, help="Load the demo data in seeds/."),
    serve_api: bool = typer.Option(True, "--serve/--no-serve", help="Run the API in the foreground afterwards."),
) -> None:
    """Start Neo4j (unless NEO4J_URI is set), apply the schema, load the demo data, then serve the API."""
    settings = settings_from(ctx)
    if settings.managed:
        ManagedNeo4j(settings).start(log=say)
    driver = open_driver(settings)
    try:
        apply_schema(driver, settings)
        say("Schema applied; indexes ONLINE.")
        if seed:
            from engram.cli.services import engine_services
            from engram.seeding import load_seeds

            with engine_services(ctx) as services:
                summary = load_seeds(services, log=say)
            say(f"Demo data loaded: {summary}")
    finally:
        driver.close()
    if serve_api:
        serve(ctx, host=None, port=None, workers=None)
    else:
        _print_urls(settings, settings.api_host, settings.api_port)


def _log_config() -> dict:
    """uvicorn's logging, plus Engram's own INFO lines (periodic jobs, refused requests) with their logger name."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["formatters"]["engram"] = {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    config["handlers"]["engram"] = {"formatter": "engram", "class": "logging.StreamHandler",
                                    "stream": "ext://sys.stderr"}
    config["loggers"]["engram"] = {"handlers": ["engram"], "level": "INFO", "propagate": False}
    return config


def _print_urls(settings, host: str, port: int) -> None:
    say(("Engram Memory", "bold"))
    say(f"  GraphiQL:      http://{host}:{port}/graphql")
    say(f"  MCP:           http://{host}:{port}/mcp  (stdio: `engram mcp`)")
    say(f"  Health:        http://{host}:{port}/health")
    say(f"  Neo4j Browser: {settings.browser_url}")
    say(f"  Bolt:          {settings.bolt_uri}")
