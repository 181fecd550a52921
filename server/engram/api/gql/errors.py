"""Errors in GraphQL responses: EngramErrors keep their message with a stable extensions.code, and
everything unexpected is masked as "Unexpected error." (strawberry's MaskErrors), logged by
api.gql.error_log."""

from __future__ import annotations

from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors

from engram.errors import EngramError

# Codes whose message is meant for the caller; other EngramErrors (database down, configuration)
# keep their code but not their message, which may name hosts or paths.
CALLER_CODES = {"BAD_USER_INPUT", "NOT_FOUND", "FORBIDDEN", "UNAUTHENTICATED", "QUERY_TOO_COSTLY", "DEADLINE_EXCEEDED"}
UNAVAILABLE = "The service is temporarily unavailable."
INTERNAL = "INTERNAL_SERVER_ERROR"


def _engram_error(error: GraphQLError) -> EngramError | None:
    original = error.original_error
    return original if isinstance(original, EngramError) else None


def _should_mask(error: GraphQLError) -> bool:
    """Mask what we did not raise on purpose: any exception in a resolver that is no EngramError."""
    original = error.original_error
    return original is not None and not isinstance(original, (EngramError, GraphQLError))


def _request_error_code(error: GraphQLError) -> str:
    if error.message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    if error.message.startswith("Variable "):
        return "BAD_USER_INPUT"
    return "GRAPHQL_VALIDATION_FAILED"


class EngramErrors(MaskErrors):
    def __init__(self) -> None:
        super().__init__(should_mask_error=_should_mask, error_message="Unexpected error.")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        # Logged (traceback, caller input cut out) by the schema's process_errors: api.gql.error_log.
        masked = super().anonymise_error(error)
        masked.extensions = {"code": INTERNAL}
        return masked

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [self._with_code(e) for e in super()._process_errors(errors)]

    @staticmethod
    def _with_code(error: GraphQLError) -> GraphQLError:
        if error.extensions and "code" in error.extensions:
            return error
        engram = _engram_error(error)
        if engram is None:
            code = _request_error_code(error) if error.path is None else INTERNAL
            return GraphQLError(error.message, error.nodes, error.source, error.positions, error.path,
                                extensions={**(error.extensions or {}), "code": code})
        extensions: dict[str, object] = {"code": engram.code}
        if engram.code in CALLER_CODES:
            message = engram.message
            if engram.hint:
                extensions["hint"] = engram.hint
        else:
            message = UNAVAILABLE
        return GraphQLError(message, error.nodes, error.source, error.positions, error.path, extensions=extensions)
