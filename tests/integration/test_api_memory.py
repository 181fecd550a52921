"""Memories over the real GraphQL API: record, batch, list with cursors, show, retrieve, search, forget,
and isolation between agents (the caller comes from the key, never from an argument)."""

from __future__ import annotations

import pytest

from tests.conftest import GraphQLClient

pytestmark = pytest.mark.integration

RECORD = """
mutation Record($input: RecordMemoryInput!) {
  recordMemory(input: $input) {
    id created redactions memory { id kind agent { id } ... on DecisionMemory { chosenAction } }
  }
}"""
RECORD_MANY = """
mutation RecordMany($inputs: [RecordMemoryInput!]!) {
  recordMemories(inputs: $inputs) { created unchanged results { id created } }
}"""
LIST = """
query List($first: Int, $after: String, $kind: MemoryKind) {
  memories(first: $first, after: $after, kind: $kind) {
    edges { cursor node { id context } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""
SEARCH = """
query Search($text: String!, $first: Int) {
  searchMemories(text: $text, first: $first) { edges { node { owned score memory { id agent { id } visibility } } } }
}"""


def decision(context: str, action: str, outcome: str = "SUCCESS", **extra) -> dict:
    return {"kind": "DECISION", "context": context, "action": action, "outcome": outcome, **extra}


def test_record_show_and_forget_own_memory(gql: dict[str, GraphQLClient]) -> None:
    alice = gql["alice"]
    out = alice.execute(RECORD, {"input": decision("api-auth-timeout", "retry-with-exponential-backoff",
                                                    id="m-1", tags=["auth"], domain="auth")})["recordMemory"]
    assert out["created"] and out["memory"] == {"id": "m-1", "kind": "DECISION", "agent": {"id": "alice"},
                                                "chosenAction": "retry-with-exponential-backoff"}
    again = alice.execute(RECORD, {"input": decision("api-auth-timeout", "x", id="m-1")})["recordMemory"]
    assert again["created"] is False  # idempotent on id
    shown = alice.execute('{ memory(id: "m-1") { id tags domain visibility } }')["memory"]
    assert shown == {"id": "m-1", "tags": ["auth"], "domain": "auth", "visibility": "PRIVATE"}
    # bob cannot see, forget or overwrite it: NOT_FOUND, not FORBIDDEN, so ids do not leak either
    assert gql["bob"].errors('{ memory(id: "m-1") { id } }')[0]["extensions"]["code"] == "NOT_FOUND"
    assert gql["bob"].errors('mutation { forgetMemory(id: "m-1") { id } }')[0]["extensions"]["code"] == "NOT_FOUND"
    # ids are per agent: bob's "m-1" is his own new memory, the same answer as for any unused id (no
    # oracle); alice's memory stays as it was
    reused = gql["bob"].execute(RECORD, {"input": decision("ctx", "y", id="m-1")})["recordMemory"]
    assert reused["created"] and reused["memory"]["agent"] == {"id": "bob"}
    assert alice.execute('{ memory(id: "m-1") { tags } }')["memory"]["tags"] == ["auth"]
    assert alice.execute('mutation { forgetMemory(id: "m-1") { forgotten } }')["forgetMemory"]["forgotten"]
    assert alice.errors('{ memory(id: "m-1") { id } }')[0]["extensions"]["code"] == "NOT_FOUND"


def test_every_kind_records_with_its_own_fields(gql: dict[str, GraphQLClient]) -> None:
    inputs = [
        decision("deploy window", "blue-green", alternatives=["big-bang"]),
        {"kind": "FAILURE", "context": "ci", "error": "npm ERR! ETIMEDOUT registry.npmjs.org",
         "rootCause": "cold cache", "solution": "verify-npm-cache", "outcome": "SUCCESS"},
        {"kind": "SUCCESS", "context": "db migration", "action": "backup-then-migrate", "keyFactors": ["backup"],
         "steps": ["backup", "migrate"]},
        {"kind": "COLLABORATION", "context": "pairing on auth", "partners": ["bob"], "lessons": ["share tokens"]},
        {"kind": "KNOWLEDGE", "context": "idp facts", "domain": "auth", "statement": "tokens live 1h",
         "entities": ["identity-provider"]},
    ]
    out = gql["alice"].execute(RECORD_MANY, {"inputs": inputs})["recordMemories"]
    assert out["created"] == 5 and out["unchanged"] == 0
    nodes = gql["alice"].execute("""{ memories(first: 10) { nodes {
        kind
        ... on DecisionMemory { alternativeActions }
        ... on FailureMemory { errorSignature solutionApplied rootCause }
        ... on SuccessMemory { replicationSteps }
        ... on CollaborationMemory { partners { id } lessonsLearned }
        ... on KnowledgeMemory { statement relatedEntities }
    } } }""")["memories"]["nodes"]
    by_kind = {n["kind"]: n for n in nodes}
    assert by_kind["DECISION"]["alternativeActions"] == ["big-bang"]
    assert by_kind["FAILURE"]["solutionApplied"] == "verify-npm-cache" and by_kind["FAILURE"]["errorSignature"]
    assert by_kind["SUCCESS"]["replicationSteps"] == ["backup", "migrate"]
    assert by_kind["COLLABORATION"]["partners"] == [{"id": "bob"}]
    assert by_kind["KNOWLEDGE"]["relatedEntities"] == ["identity-provider"]


def test_bad_input_has_a_stable_code(gql: dict[str, GraphQLClient]) -> None:
    errors = gql["alice"].errors(RECORD, {"input": {"kind": "DECISION", "context": "no action"}})
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT" and "action" in errors[0]["message"]
    errors = gql["alice"].errors(LIST, {"first": 0})
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    errors = gql["alice"].errors(LIST, {"after": "not-a-cursor"})
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    too_many = [decision(f"c{i}", "a") for i in range(101)]
    assert gql["alice"].errors(RECORD_MANY, {"inputs": too_many})[0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_cursor_pagination_walks_the_whole_list(gql: dict[str, GraphQLClient]) -> None:
    gql["alice"].execute(RECORD_MANY, {"inputs": [decision(f"context {i}", f"a{i}", id=f"p-{i:02d}")
                                                  for i in range(7)]})
    gql["bob"].execute(RECORD_MANY, {"inputs": [decision("bob context", "b")]})
    seen, after, pages = [], None, 0
    while True:
        page = gql["alice"].execute(LIST, {"first": 3, "after": after})["memories"]
        seen += [e["node"]["id"] for e in page["edges"]]
        pages += 1
        assert page["pageInfo"]["hasPreviousPage"] == (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert pages == 3 and sorted(seen) == [f"p-{i:02d}" for i in range(7)] and len(set(seen)) == 7


def test_retrieve_and_search_see_only_own_memories_without_a_grant(gql: dict[str, GraphQLClient]) -> None:
    gql["alice"].execute(RECORD, {"input": decision("auth API request timed out fetching a token",
                                                    "retry-with-exponential-backoff", id="a-1")})
    gql["bob"].execute(RECORD, {"input": decision("auth token request timed out", "increase-timeout", id="b-1")})
    retrieved = gql["bob"].execute('{ retrieveMemories(context: "auth token timeout", k: 5) { owned memory { id } } }')
    assert [r["memory"]["id"] for r in retrieved["retrieveMemories"]] == ["b-1"]
    found = gql["bob"].execute(SEARCH, {"text": "auth token timed out"})["searchMemories"]["edges"]
    assert [e["node"]["memory"]["id"] for e in found] == ["b-1"]
    # operators may search everything, but only when they say so; agents may not
    assert gql["bob"].errors('{ searchMemories(text: "auth", allAgents: true) { edges { cursor } } }')[0][
        "extensions"]["code"] == "FORBIDDEN"
    every = gql["ops"].execute('{ searchMemories(text: "auth token timed out", allAgents: true) '
                               '{ nodes { memory { id agent { id } } } } }')["searchMemories"]["nodes"]
    assert {n["memory"]["id"] for n in every} == {"a-1", "b-1"}


def test_related_memories_and_agent_traversal(gql: dict[str, GraphQLClient]) -> None:
    gql["alice"].execute(RECORD_MANY, {"inputs": [
        decision("auth API request timed out", "retry-with-exponential-backoff", id="r-1"),
        decision("token endpoint of the identity provider timed out", "retry-with-exponential-backoff", id="r-2"),
        decision("css grid layout broke on safari", "add-prefixes", id="r-3"),
    ]})
    data = gql["alice"].execute('{ memory(id: "r-1") { related(k: 1) { memory { id } } agent { id name } } }')
    assert data["memory"]["related"][0]["memory"]["id"] == "r-2"
    me = gql["alice"].execute("{ me { id memories(first: 2) { nodes { id } pageInfo { hasNextPage } } } }")["me"]
    assert me["id"] == "alice" and len(me["memories"]["nodes"]) == 2 and me["memories"]["pageInfo"]["hasNextPage"]
    other = gql["bob"].errors('{ agent(id: "alice") { name memories { nodes { id } } } }')
    assert other[0]["extensions"]["code"] == "FORBIDDEN"


def test_operator_acts_for_an_agent_only_explicitly_and_it_is_audited(gql: dict[str, GraphQLClient]) -> None:
    ops = gql["ops"]
    out = ops.execute('mutation { recordMemory(asAgent: "carol", input: {kind: DECISION, context: "ops test", '
                      'action: "noop", id: "c-1"}) { memory { agent { id } } } }')
    assert out["recordMemory"]["memory"]["agent"]["id"] == "carol"
    assert gql["carol"].execute('{ memory(id: "c-1") { id } }')["memory"]["id"] == "c-1"
    events = gql["carol"].execute("{ auditEvents(types: [OPERATOR_ACCESS]) { nodes { actorId ownerId details } } }")
    nodes = events["auditEvents"]["nodes"]
    assert nodes and nodes[0]["actorId"] == "ops" and nodes[0]["ownerId"] == "carol"
    assert nodes[0]["details"]["field"] == "recordMemory"
    assert gql["bob"].execute("{ auditEvents { nodes { id } } }")["auditEvents"]["nodes"] == []


def test_secrets_are_redacted_on_the_way_in(gql: dict[str, GraphQLClient]) -> None:
    out = gql["alice"].execute(RECORD, {"input": decision("login with password=hunter2secret failed", "rotate",
                                                          id="s-1")})["recordMemory"]
    assert out["redactions"] >= 1
    context = gql["alice"].execute('{ memory(id: "s-1") { context } }')["memory"]["context"]
    assert "hunter2secret" not in context
