"""Parsing and validating a GraphQL document once, not on every request: agents send the same few documents
with new variables, and validation was a fifth of the service's CPU per retrieval under load.

Both caches are strawberry's (LRU, shared across requests), restricted to documents short enough that a
caller sending many distinct large ones cannot make them hold much memory; longer documents are parsed and
validated as before. Validation results are keyed by the parsed document and the tuple of rules, so the
limit rules must be the same classes on every request (engram.api.gql.schema builds them once). The cost
check depends on the variables and runs at execution (engram.api.gql.guard), never from a cache."""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import ParserCache, ValidationCache

CACHED_DOCUMENTS = 256
MAX_CACHED_CHARS = 8_192  # 256 documents of at most this size: a few MB at worst


def _small(query: str | None) -> bool:
    return query is not None and len(query) <= MAX_CACHED_CHARS


class SmallDocumentParserCache(ParserCache):
    def __init__(self) -> None:
        super().__init__(maxsize=CACHED_DOCUMENTS)

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if _small(context.query):
            try:
                context.graphql_document = self.cached_parse_document(context.query, **context.parse_options)
            except Exception:  # noqa: BLE001 - strawberry parses it again and reports the error as it always does
                context.graphql_document = None
        yield  # a document not set here strawberry parses itself


class SmallDocumentValidationCache(ValidationCache):
    def __init__(self) -> None:
        super().__init__(maxsize=CACHED_DOCUMENTS)

    def on_validate(self) -> Iterator[None]:
        if _small(self.execution_context.query):
            yield from super().on_validate()
        else:
            yield  # strawberry validates it itself
