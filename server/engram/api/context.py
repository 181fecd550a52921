"""Process-wide resources (owned by the lifespan) and the per-request GraphQL context."""

from __future__ import annotations

from dataclasses import dataclass

import neo4j
from starlette.requests import Request

from engram.config import Settings
from engram.embeddings import SentenceTransformerEmbedder


@dataclass
class Resources:
    settings: Settings
    driver: neo4j.Driver
    embedder: SentenceTransformerEmbedder


@dataclass
class RequestContext:
    request: Request
    resources: Resources
