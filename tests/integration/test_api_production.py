"""Production settings: no GraphiQL, no introspection; the operator key from the settings."""

from __future__ import annotations

import pytest

from engram.auth.service import ApiKeyService
from tests.conftest import OPERATOR_KEY

pytestmark = pytest.mark.integration


def post(client, query: str, key: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return client.post("/graphql", json={"query": query}, headers=headers).json()


def test_graphiql_and_introspection_are_off_in_production(in_process_api) -> None:
    client, _ = in_process_api
    assert client.get("/graphql", headers={"Accept": "text/html"}).status_code == 404
    body = post(client, "{ __schema { types { name } } }")
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "introspection" in body["errors"][0]["message"].lower()
    assert post(client, "{ version }")["data"]["version"]


def test_operator_key_from_the_settings(in_process_api, db, settings) -> None:
    client, _ = in_process_api
    ApiKeyService(db, settings).create_agent("alice")
    viewer = post(client, "{ viewer { agentId operator keyPrefix } }", OPERATOR_KEY)["data"]["viewer"]
    assert viewer == {"agentId": None, "operator": True, "keyPrefix": "settings"}
    errors = post(client, "{ me { id } }", OPERATOR_KEY)["errors"]
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"  # it is no agent: it must say whom it acts for
    assert post(client, '{ me(asAgent: "alice") { id } }', OPERATOR_KEY)["data"]["me"]["id"] == "alice"


def test_unexpected_errors_are_masked(in_process_api, db, settings) -> None:
    client, _ = in_process_api
    resources = client.app.state.resources
    original = resources.keys.authenticate

    def broken(token):
        raise RuntimeError("bolt://secret-host:7687 exploded")

    resources.keys.authenticate = broken
    try:
        body = post(client, "{ viewer { agentId } }", "eng_" + "a" * 43)
    finally:
        resources.keys.authenticate = original
    assert body["errors"][0]["message"] == "Unexpected error."
    assert body["errors"][0]["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert "secret-host" not in str(body)
