"""How GraphQL errors reach the server log without the caller's input.

Expected errors (bad input, not found, forbidden, a refused query) are one line: the code, the
operation and the field path — never the message, which may quote what the caller sent. Unexpected
errors keep their traceback, but with every string the caller sent cut out and the rest through the
redactor, and the variables named with their sizes only."""

from __future__ import annotations

import logging
import traceback
from typing import Any

from graphql.error import GraphQLError

from engram.api.gql.input_limits import raw_strings
from engram.errors import EngramError
from engram.privacy.redaction import Redactor

log = logging.getLogger("engram.api")

EXPECTED_CODES = frozenset({"BAD_USER_INPUT", "NOT_FOUND", "FORBIDDEN", "UNAUTHENTICATED", "QUERY_TOO_COSTLY",
                            "DEADLINE_EXCEEDED", "GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED",
                            "PAYLOAD_TOO_LARGE"})
_redactor = Redactor()


def _code(error: GraphQLError) -> str | None:
    if error.extensions and "code" in error.extensions:
        return str(error.extensions["code"])
    original = error.original_error
    if isinstance(original, EngramError):
        return original.code
    if original is None:  # parse and validation errors: about the caller's document
        return "GRAPHQL_VALIDATION_FAILED"
    if error.path is None and error.message.startswith("Variable "):  # variable coercion (bad scalar values)
        return "BAD_USER_INPUT"
    return None


def variables_summary(variables: dict[str, Any] | None) -> str:
    """`name:type(size)` per variable: enough to tell what was sent, nothing of what it said."""
    parts = []
    for name, value in (variables or {}).items():
        size = f"({len(value)})" if isinstance(value, (str, list, dict)) else ""
        parts.append(f"{name}:{type(value).__name__}{size}")
    return ", ".join(parts) or "-"


def _without_arguments(text: str, variables: dict[str, Any] | None) -> str:
    """The traceback with every string the caller sent (≥ 4 characters) replaced, longest first."""
    sent = sorted({s for s in raw_strings(variables or {}) if len(s) >= 4}, key=len, reverse=True)
    for value in sent:
        text = text.replace(value, "[ARGUMENT]")
        if len(repr(value)) > len(value) + 2:
            text = text.replace(repr(value)[1:-1], "[ARGUMENT]")
    return text


def log_errors(errors: list[GraphQLError], operation: str | None, variables: dict[str, Any] | None) -> None:
    for error in errors:
        code = _code(error)
        path = ".".join(str(p) for p in error.path) if error.path else "-"
        if code in EXPECTED_CODES:
            log.info("graphql %s op=%s path=%s", code, operation or "-", path)
            continue
        original = error.original_error or error
        text = _without_arguments("".join(traceback.format_exception(type(original), original,
                                                                      original.__traceback__)), variables)
        log.error("graphql %s op=%s path=%s variables=[%s]\n%s", code or "INTERNAL", operation or "-", path,
                  variables_summary(variables), _redactor.redact(text).text)
