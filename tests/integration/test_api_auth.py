"""API keys over real HTTP: who the caller is comes from the key, never from an argument."""

from __future__ import annotations

import json

import neo4j
import pytest

from engram.auth.service import ApiKeyService
from engram.auth.tokens import hash_token
from engram.config import Settings
from tests.conftest import GraphQLClient, run_cli, server_env

pytestmark = pytest.mark.integration

VIEWER = "{ viewer { agentId operator keyPrefix } }"


def test_the_key_decides_who_calls(gql: dict[str, GraphQLClient]) -> None:
    assert gql["alice"].execute(VIEWER)["viewer"]["agentId"] == "alice"
    assert gql["bob"].execute(VIEWER)["viewer"]["agentId"] == "bob"
    ops = gql["ops"].execute(VIEWER)["viewer"]
    assert ops == {"agentId": "ops", "operator": True, "keyPrefix": ops["keyPrefix"]}
    assert ops["keyPrefix"].startswith("eng_")


@pytest.mark.parametrize("key", [None, "eng_" + "x" * 43, "not-a-key", "Basic YWxpY2U6cHc="])
def test_missing_or_bad_key_is_unauthenticated(api_url: str, api_keys: dict[str, str], key: str | None) -> None:
    client = GraphQLClient(api_url, key)
    response = client.post("{ me { id } }")
    assert response.status_code == 200  # GraphQL over HTTP with application/json: errors travel in the body
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_public_fields_need_no_key(gql: dict[str, GraphQLClient]) -> None:
    assert gql["anonymous"].execute("{ version __typename }")["__typename"] == "Query"


def test_keys_are_stored_only_as_hashes(db: neo4j.Driver, settings: Settings, api_keys: dict[str, str]) -> None:
    records, _, _ = db.execute_query("MATCH (:Agent {id: 'alice'})-[:HAS_KEY]->(k:ApiKey) RETURN properties(k) AS k")
    stored = records[0]["k"]
    assert stored["hash"] == hash_token(api_keys["alice"])
    assert api_keys["alice"] not in str(stored.values())
    assert set(stored) == {"hash", "prefix", "created_at"}  # revoked_at is unset while the key is live


def test_revoked_key_stops_working_at_once(api_url: str, db: neo4j.Driver, settings: Settings,
                                           api_keys: dict[str, str]) -> None:
    service = ApiKeyService(db, settings)
    new = service.issue_key("alice")
    old, fresh = GraphQLClient(api_url, api_keys["alice"]), GraphQLClient(api_url, new.token)
    assert old.execute(VIEWER)["viewer"]["agentId"] == "alice"
    assert fresh.execute(VIEWER)["viewer"]["agentId"] == "alice"
    prefix = old.execute(VIEWER)["viewer"]["keyPrefix"]
    service.revoke_key(prefix, "alice")
    assert old.errors(VIEWER)[0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert fresh.execute(VIEWER)["viewer"]["agentId"] == "alice"


def test_rotation_over_the_api_revokes_older_keys(gql: dict[str, GraphQLClient]) -> None:
    rotated = gql["bob"].execute("mutation { rotateApiKey { token key { prefix } } }")["rotateApiKey"]
    assert gql["bob"].errors(VIEWER)[0]["extensions"]["code"] == "UNAUTHENTICATED"
    new = gql["bob"].as_key(rotated["token"])
    assert new.execute(VIEWER)["viewer"] == {"agentId": "bob", "operator": False, "keyPrefix": rotated["key"]["prefix"]}
    keys = new.execute("{ apiKeys { prefix revokedAt } }")["apiKeys"]
    assert sorted(k["revokedAt"] is None for k in keys) == [False, True]


def test_as_agent_is_for_operators_only(gql: dict[str, GraphQLClient]) -> None:
    errors = gql["bob"].errors('{ me(asAgent: "alice") { id } }')
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    assert gql["ops"].execute('{ me(asAgent: "alice") { id } }')["me"]["id"] == "alice"
    assert gql["bob"].errors("{ agents { id } }")[0]["extensions"]["code"] == "FORBIDDEN"
    agents = {a["id"]: a for a in gql["ops"].execute("{ agents { id operator liveKeys } }")["agents"]}
    assert agents["ops"]["operator"] and not agents["alice"]["operator"] and agents["bob"]["liveKeys"] == 1


def test_cli_creates_agents_and_prints_the_key_once(api_url: str, db: neo4j.Driver, settings: Settings) -> None:
    env = server_env(settings)
    created = run_cli("agent", "create", "dora", "--format", "json", env=env)
    assert created.returncode == 0, created.stderr
    token = json.loads(created.stdout)["key"]
    assert GraphQLClient(api_url, token).execute(VIEWER)["viewer"]["agentId"] == "dora"
    again = run_cli("agent", "create", "dora", env=env)
    assert again.returncode == 2 and "agent key dora" in again.stderr
    second = run_cli("agent", "key", "dora", "--revoke-others", env=env)
    assert second.returncode == 0, second.stderr
    new_token = next(line for line in second.stdout.splitlines() if line.startswith("eng_"))
    assert GraphQLClient(api_url, token).errors(VIEWER)[0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert GraphQLClient(api_url, new_token).execute(VIEWER)["viewer"]["agentId"] == "dora"
    listing = run_cli("agent", "keys", "dora", "--format", "json", env=env)
    assert [k["revoked_at"] is None for k in json.loads(listing.stdout)].count(True) == 1
    assert token not in listing.stdout and new_token not in listing.stdout
