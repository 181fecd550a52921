"""create_app(settings) -> Starlette: the lifespan owns the Neo4j driver and the embedding model."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route
from strawberry.asgi import GraphQL

from engram.api.context import RequestContext, Resources
from engram.api.gql.schema import schema
from engram.config import Settings
from engram.embeddings import SentenceTransformerEmbedder
from engram.health import check_health
from engram.storage.connection import open_driver


class EngramGraphQL(GraphQL):
    async def get_context(self, request: Request, response=None) -> RequestContext:  # type: ignore[override]
        return RequestContext(request=request, resources=request.app.state.resources)


def create_app(settings: Settings) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        driver = await asyncio.to_thread(open_driver, settings)
        embedder = SentenceTransformerEmbedder(settings.embedding_model, settings.embedding_batch_size)
        await asyncio.to_thread(embedder.info)  # load the model before the first request
        app.state.resources = Resources(settings=settings, driver=driver, embedder=embedder)
        try:
            yield
        finally:
            driver.close()

    async def health(request: Request) -> JSONResponse:
        res: Resources = request.app.state.resources
        report = await asyncio.to_thread(check_health, res.driver, res.embedder, res.settings)
        return JSONResponse(report.as_dict(), status_code=200 if report.ok else 503)

    async def root(request: Request) -> RedirectResponse:
        return RedirectResponse("/graphql")

    graphql_app = EngramGraphQL(schema, graphql_ide="graphiql" if settings.graphiql_enabled else None)
    return Starlette(
        routes=[
            Route("/", root),
            Route("/health", health),
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
        ],
        lifespan=lifespan,
    )
