"""Engram's own error tree; each error carries a stable code that the CLI and GraphQL API surface."""

from __future__ import annotations


class EngramError(Exception):
    """Base of every error Engram raises on purpose."""

    code = "INTERNAL"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message


class ConfigurationError(EngramError):
    code = "CONFIGURATION"


class ToolMissingError(EngramError):
    """A program Engram needs on the machine (java, mvn) is not there."""

    code = "TOOL_MISSING"


class PortInUseError(EngramError):
    code = "PORT_IN_USE"


class DatabaseUnavailableError(EngramError):
    """Neo4j cannot be reached, or refused our credentials."""

    code = "DATABASE_UNAVAILABLE"


class DatabaseStartError(EngramError):
    code = "DATABASE_START_FAILED"


class BadInputError(EngramError):
    code = "BAD_USER_INPUT"


class NotFoundError(EngramError):
    code = "NOT_FOUND"


class ForbiddenError(EngramError):
    code = "FORBIDDEN"


class UnauthenticatedError(EngramError):
    code = "UNAUTHENTICATED"


class QueryTooCostlyError(EngramError):
    """A GraphQL request would do more work (retrievals, list items) than one request may."""

    code = "QUERY_TOO_COSTLY"


class DeadlineExceededError(EngramError):
    """A request ran past its deadline; what it started may still finish, nothing half-written is shown."""

    code = "DEADLINE_EXCEEDED"
