"""No N+1: the Cypher round trips of a nested list query do not grow with the list (DataLoaders)."""

from __future__ import annotations

import pytest

from engram.auth.service import ApiKeyService

pytestmark = pytest.mark.integration

NESTED = """
query Nested($first: Int!) {
  memories(first: $first, kind: COLLABORATION) {
    edges { node {
      id
      agent { id name }
      ... on CollaborationMemory { partners { id name createdAt } }
    } }
  }
}"""


def round_trips(client, counter, key: str, first: int) -> tuple[int, dict]:
    before = counter.count
    response = client.post("/graphql", json={"query": NESTED, "variables": {"first": first}},
                           headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    body = response.json()
    assert not body.get("errors"), body
    return counter.count - before, body["data"]


def test_round_trips_stay_flat_from_2_to_50_items(in_process_api, db, settings) -> None:
    client, counter = in_process_api
    key = ApiKeyService(db, settings).create_agent("alice").token
    inputs = [{"kind": "COLLABORATION", "context": f"pairing session {i}", "partners": [f"partner-{i:02d}"],
               "lessons": ["write it down"]} for i in range(50)]
    recorded = client.post("/graphql", headers={"Authorization": f"Bearer {key}"}, json={
        "query": "mutation($inputs: [RecordMemoryInput!]!) { recordMemories(inputs: $inputs) { created } }",
        "variables": {"inputs": inputs}}).json()
    assert recorded["data"]["recordMemories"]["created"] == 50

    small, data_small = round_trips(client, counter, key, 2)
    large, data_large = round_trips(client, counter, key, 50)
    assert len(data_small["memories"]["edges"]) == 2 and len(data_large["memories"]["edges"]) == 50
    partners = {e["node"]["partners"][0]["id"] for e in data_large["memories"]["edges"]}
    assert len(partners) == 50  # 50 different agents resolved ...
    assert small == large, (small, large)  # ... in as many round trips as 2 of them
    assert large <= 3  # the key, the page of memories, and one batch for every agent on it


PATTERN_QUERY = """query($first: Int!) {
  patterns(first: $first) { nodes { id name occurrences solutions { description } preventionChecks { name } } }
  failures(first: $first) { nodes { id name occurrences } }
}"""


def test_patterns_and_failures_take_the_same_round_trips_for_2_or_40_patterns(in_process_api, db, settings) -> None:
    client, counter = in_process_api
    key = ApiKeyService(db, settings).create_agent("patterned").token
    learn = """mutation($m: String!, $s: String!) { learnFromFailure(input: {errorMessage: $m, solution: $s,
               solutionWorked: true, prevention: "check the quota first"}) { patternId } }"""
    kinds = ["Quota", "Disk", "Socket", "Cert", "Lock", "Schema", "Token", "Queue", "Cache", "Index"]
    words = ["alpha", "bravo", "charlie", "delta"]
    for kind in kinds:
        for word in words:
            response = client.post("/graphql", headers={"Authorization": f"Bearer {key}"}, json={
                "query": learn, "variables": {"m": f"{kind}{word.title()}Error: {word} {kind.lower()} subsystem "
                                                   f"rejected the {word} request", "s": f"fix-{kind.lower()}-{word}"}})
            assert not response.json().get("errors"), response.json()

    def trips(first: int) -> tuple[int, dict]:
        before = counter.count
        body = client.post("/graphql", json={"query": PATTERN_QUERY, "variables": {"first": first}},
                           headers={"Authorization": f"Bearer {key}"}).json()
        assert not body.get("errors"), body
        return counter.count - before, body["data"]

    small, few = trips(2)
    large, many = trips(40)
    assert len(few["patterns"]["nodes"]) == 2 and len(many["failures"]["nodes"]) >= 20
    assert small == large, (small, large)
