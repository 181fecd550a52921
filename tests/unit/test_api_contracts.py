"""API contracts without a database: the exported SDL, the operation documents, keys, cursors, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import GraphQLError, parse, validate

from engram.api.gql.errors import EngramErrors
from engram.api.gql.export import export
from engram.api.gql.pagination import decode_cursor, encode_cursor, window
from engram.api.gql.schema import build_schema, sdl
from engram.auth.service import ApiKeyService
from engram.auth.tokens import hash_token, new_token, well_formed
from engram.config import Settings
from engram.errors import BadInputError, DatabaseUnavailableError, NotFoundError, UnauthenticatedError

REPO = Path(__file__).resolve().parents[2]


def test_exported_sdl_matches_the_schema() -> None:
    assert export(REPO / "graphql" / "schema.graphql", check=True), \
        "graphql/schema.graphql is out of date: run `engram api export-schema`"
    assert (REPO / "graphql" / "schema.graphql").read_text() == sdl()


def test_the_graphql_folder_holds_documents_only() -> None:
    assert not (REPO / "graphql" / "__init__.py").exists()


@pytest.mark.parametrize("path", sorted((REPO / "graphql" / "operations").glob("*.graphql")), ids=lambda p: p.name)
def test_operation_documents_validate_against_the_schema(path: Path) -> None:
    errors = validate(build_schema()._schema, parse(path.read_text()))
    assert not errors, [e.message for e in errors]


def test_schema_builds_with_production_limits() -> None:
    schema = build_schema(Settings(environment="production"))
    result = schema.execute_sync("{ __schema { types { name } } }")
    assert result.errors and "introspection" in result.errors[0].message.lower()


def test_keys_are_random_prefixed_and_hashed() -> None:
    a, b = new_token(), new_token()
    assert a.token != b.token and well_formed(a.token) and a.token.startswith("eng_")
    assert a.prefix == a.token[:12] and a.hash == hash_token(a.token) and len(a.hash) == 64
    assert a.token not in a.hash


def test_operator_key_from_settings_and_malformed_keys_need_no_database() -> None:
    operator = "eng_" + "k" * 43
    service = ApiKeyService(None, Settings(operator_key=operator))  # type: ignore[arg-type]
    caller = service.authenticate(operator)
    assert caller.operator and caller.agent_id is None
    for bad in (None, "", "eng_short", "Basic abc"):
        with pytest.raises(UnauthenticatedError):
            service.authenticate(bad)


def test_cursors_round_trip_and_bad_ones_are_bad_input() -> None:
    assert decode_cursor(encode_cursor(41)) == 41
    assert window(5, encode_cursor(9)).offset == 10
    for bad in ("nope", encode_cursor(3)[:-2] + "!!"):
        with pytest.raises(BadInputError):
            decode_cursor(bad)
    with pytest.raises(BadInputError):
        window(101, None)


def _error(original: Exception | None, path=("field",)) -> GraphQLError:
    return GraphQLError("raw message", path=list(path) if path else None, original_error=original)


def test_error_codes_and_masking() -> None:
    ext = EngramErrors()
    not_found, bad, down, boom, invalid = ext._process_errors([
        _error(NotFoundError("No memory 'x'.")),
        _error(BadInputError("k too big", hint="use 10")),
        _error(DatabaseUnavailableError("Neo4j at bolt://db.internal:7687 is not reachable")),
        _error(RuntimeError("secret detail")),
        _error(None, path=None),
    ])
    assert (not_found.message, not_found.extensions) == ("No memory 'x'.", {"code": "NOT_FOUND"})
    assert bad.extensions == {"code": "BAD_USER_INPUT", "hint": "use 10"}
    assert down.extensions == {"code": "DATABASE_UNAVAILABLE"} and "db.internal" not in down.message
    assert (boom.message, boom.extensions) == ("Unexpected error.", {"code": "INTERNAL_SERVER_ERROR"})
    assert invalid.extensions == {"code": "GRAPHQL_VALIDATION_FAILED"}
