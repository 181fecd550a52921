"""create_app(settings) -> Starlette: the lifespan owns the Neo4j driver, the model and the engine services;
GraphQL at /graphql (GraphiQL in browsers when enabled, its assets under /playground), MCP at /mcp, /health,
and a request body size limit."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from typing import Any
from concurrent.futures import ThreadPoolExecutor

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from strawberry.types.unset import UNSET

from engram.api.context import RequestContext, bearer_token
from engram.api.execution import ExecutionLoop
from engram.api.gql.loaders import build_loaders
from engram.api.gql.schema import build_schema
from engram.api.health_probe import HealthProbe
from engram.api.http import GraphQLOverHTTP
from engram.api.limits import BodySizeLimit, PerCallerConcurrency
from engram.api.scheduling import favour_event_loop, lower_thread_priority
from engram.api.playground import ASSETS_PATH, assets_app, playground_response
from engram.config import Settings
from engram.embedding.batching import MicroBatcher
from engram.embeddings import build_embedder
from engram.health import check_health
from engram.mcp.http import build_mcp_http
from engram.periodic import PeriodicJob
from engram.privacy.retention import RetentionScheduler
from engram.services import Services, build_services
from engram.storage.connection import Driver, open_driver
from engram.storage.leases import LeaseRepository, holder_id, slot_claim


class EngramGraphQL(GraphQLOverHTTP):
    async def get_context(self, request: Request, response=None) -> RequestContext:  # type: ignore[override]
        resources: Services = request.app.state.resources
        context = RequestContext(request=request, resources=resources, token=bearer_token(request),
                                 loaders=build_loaders(resources))
        if context.token:
            context.start_authentication()  # while strawberry parses, validates and costs the query
        return context

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        """Everything but reading the body (the ASGI channel belongs to the serving loop) runs on the execution
        loop (engram.api.execution): parsing, execution and encoding the response, however large."""
        if not isinstance(request, Request):
            return await super().run(request, context, root_value)
        await request.body()  # read here, kept on the request for strawberry
        return await request.app.state.execution.run(super().run(request, context, root_value))

    async def render_graphql_ide(self, request: Request) -> Response:  # type: ignore[override]
        return playground_response()  # pinned local assets under a self-only CSP, never a CDN


def create_app(settings: Settings, *, driver_factory: Callable[[Settings], Driver] = open_driver) -> Starlette:
    """`driver_factory` lets a test wrap the real driver (e.g. to count round trips)."""

    schema = build_schema(settings)
    mcp_endpoint, mcp_server = build_mcp_http(schema)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Database and model work runs on a bounded pool (asyncio.to_thread uses it); /health has its own. The
        # loop must not wait behind that work for a core or the GIL (engram.api.scheduling).
        favour_event_loop(settings.api_switch_interval_ms)
        workers = ThreadPoolExecutor(max_workers=settings.api_worker_threads, thread_name_prefix="engram-worker",
                                     initializer=lower_thread_priority, initargs=(settings.api_worker_nice,))
        asyncio.get_running_loop().set_default_executor(workers)
        app.state.execution = ExecutionLoop(workers)
        driver = await asyncio.to_thread(driver_factory, settings)
        app.state.model = build_embedder(settings)
        await asyncio.to_thread(app.state.model.info)  # load the model before the first request
        # Concurrent requests' texts are embedded together (ENGRAM_EMBEDDING_BATCH_WINDOW_MS).
        embedder = MicroBatcher(app.state.model, settings.embedding_batch_window_ms / 1000, settings.embedding_batch_max)
        app.state.resources = build_services(settings, driver, embedder)
        # /health answers from a report refreshed every second on a thread of its own (api.health_probe).
        app.state.health = HealthProbe(lambda: check_health(driver, app.state.model, settings),
                                       down_reason=getattr(driver, "down_reason", None))
        app.state.health.start()
        # Periodic jobs run once per interval across every process that serves this database (a lease in Neo4j).
        leases, holder = LeaseRepository(driver, settings), holder_id()
        retention = RetentionScheduler(app.state.resources.retention, settings.retention_interval_s,
                                       claim=slot_claim(leases, "retention cleanup", holder))
        retention.start()  # periodic retention cleanup (ENGRAM_RETENTION_INTERVAL_S; 0 turns it off)
        analysis = PeriodicJob("pattern analysis", app.state.resources.learning.analyze, settings.analyze_interval_s,
                               claim=slot_claim(leases, "pattern analysis", holder))
        analysis.start()  # periodic pattern recognition (ENGRAM_ANALYZE_INTERVAL_S; 0 turns it off)
        try:
            async with mcp_server.session_manager.run():
                yield
        finally:
            await app.state.health.stop()
            await analysis.stop()
            await retention.stop()
            app.state.resources.close()
            embedder.close()
            driver.close()
            app.state.execution.close()

    async def health(request: Request) -> JSONResponse:
        body, status = await request.app.state.health.current()
        return JSONResponse(body, status_code=status)

    async def root(request: Request) -> RedirectResponse:
        return RedirectResponse("/graphql")

    graphql_app = EngramGraphQL(schema, graphql_ide="graphiql" if settings.graphiql_enabled else None,
                                allow_queries_via_get=True, multipart_uploads_enabled=False,
                                max_response_bytes=settings.api_max_response_bytes)
    return Starlette(
        routes=[
            Route("/", root),
            Route("/health", health),
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
            Route("/mcp", mcp_endpoint, methods=["GET", "POST", "DELETE"]),
            Mount(ASSETS_PATH, assets_app()),
        ],
        middleware=[Middleware(PerCallerConcurrency, max_in_flight=settings.api_max_in_flight_per_key),
                    Middleware(BodySizeLimit, max_bytes=settings.api_max_body_bytes)],
        lifespan=lifespan,
    )


def app_from_environment() -> Starlette:
    """The app with settings from the environment: what each `engram serve --workers N` process builds."""
    return create_app(Settings())
