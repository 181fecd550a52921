"""create_app(settings) -> Starlette: the lifespan owns the Neo4j driver, the model and the engine services;
GraphQL at /graphql (GraphiQL in browsers when enabled), /health, and a request body size limit."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor

import neo4j
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route

from engram.api.context import RequestContext, Resources, bearer_token
from engram.api.gql.loaders import build_loaders
from engram.api.gql.schema import build_schema
from engram.api.http import GraphQLOverHTTP
from engram.api.limits import BodySizeLimit
from engram.api.services import build_resources
from engram.config import Settings
from engram.embedding.batching import MicroBatcher
from engram.embeddings import build_embedder
from engram.health import check_health
from engram.periodic import PeriodicJob
from engram.privacy.audit import AuditLog
from engram.privacy.retention import RetentionScheduler, RetentionService
from engram.storage.connection import open_driver
from engram.storage.leases import LeaseRepository, holder_id, slot_claim


HEALTH_TTL_S = 1.0  # /health reports a check at most this old


class EngramGraphQL(GraphQLOverHTTP):
    async def get_context(self, request: Request, response=None) -> RequestContext:  # type: ignore[override]
        resources: Resources = request.app.state.resources
        return RequestContext(request=request, resources=resources, token=bearer_token(request),
                              loaders=build_loaders(resources))


def create_app(settings: Settings, *, driver_factory: Callable[[Settings], neo4j.Driver] = open_driver) -> Starlette:
    """`driver_factory` lets a test wrap the real driver (e.g. to count round trips)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Database and model work runs on a bounded pool (asyncio.to_thread uses it); /health has its own.
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(settings.api_engine_threads, thread_name_prefix="engram-engine"))
        app.state.health_pool = ThreadPoolExecutor(1, thread_name_prefix="engram-health")
        driver = await asyncio.to_thread(driver_factory, settings)
        app.state.model = build_embedder(settings)
        await asyncio.to_thread(app.state.model.info)  # load the model before the first request
        # Concurrent requests' texts are embedded together (ENGRAM_EMBEDDING_BATCH_WINDOW_MS).
        embedder = MicroBatcher(app.state.model, settings.embedding_batch_window_ms / 1000, settings.embedding_batch_max)
        app.state.resources = build_resources(settings, driver, embedder)
        # Periodic jobs run once per interval across every process that serves this database (a lease in Neo4j).
        leases, holder = LeaseRepository(driver, settings), holder_id()
        retention = RetentionScheduler(RetentionService(driver, settings, AuditLog(driver, settings)),
                                       settings.retention_interval_s,
                                       claim=slot_claim(leases, "retention cleanup", holder))
        retention.start()  # periodic retention cleanup (ENGRAM_RETENTION_INTERVAL_S; 0 turns it off)
        analysis = PeriodicJob("pattern analysis", app.state.resources.learning.analyze, settings.analyze_interval_s,
                               claim=slot_claim(leases, "pattern analysis", holder))
        analysis.start()  # periodic pattern recognition (ENGRAM_ANALYZE_INTERVAL_S; 0 turns it off)
        try:
            yield
        finally:
            await analysis.stop()
            await retention.stop()
            app.state.resources.close()
            embedder.close()
            driver.close()
            app.state.health_pool.shutdown(wait=False)

    async def health(request: Request) -> JSONResponse:
        # Checked on its own thread and reused for HEALTH_TTL_S, so probes stay quick while the engine is busy.
        state = request.app.state
        checked_at, report = getattr(state, "health_report", (float("-inf"), None))
        if report is None or time.monotonic() - checked_at > HEALTH_TTL_S:
            res: Resources = state.resources
            report = await asyncio.get_running_loop().run_in_executor(
                state.health_pool, check_health, res.driver, state.model, res.settings)
            state.health_report = (time.monotonic(), report)
        return JSONResponse(report.as_dict(), status_code=200 if report.ok else 503)

    async def root(request: Request) -> RedirectResponse:
        return RedirectResponse("/graphql")

    graphql_app = EngramGraphQL(build_schema(settings), graphql_ide="graphiql" if settings.graphiql_enabled else None,
                                allow_queries_via_get=True, multipart_uploads_enabled=False)
    return Starlette(
        routes=[
            Route("/", root),
            Route("/health", health),
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
        ],
        middleware=[Middleware(BodySizeLimit, max_bytes=settings.api_max_body_bytes)],
        lifespan=lifespan,
    )


def app_from_environment() -> Starlette:
    """The app with settings from the environment: what each `engram serve --workers N` process builds."""
    return create_app(Settings())
