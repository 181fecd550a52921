"""No input makes an INTERNAL error (issue 13, part 5): each shape that did gets a stable code now,
and whatever is stored at the size limits can be exported again."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from engram.api.gql.pagination import encode_cursor
from tests.conftest import GraphQLClient

pytestmark = pytest.mark.integration

OPERATOR_WORDS = ["retry the request AND bump the timeout", "NOT a timeout OR a refusal", "a && b || !c",
                  'quote " and (paren] {brace} ^2 ~1 field:value /regex/ \\ back', "TO AND OR NOT"]


def codes(response: httpx.Response) -> list[str]:
    assert response.status_code < 500, response.text
    return [e.get("extensions", {}).get("code") for e in response.json().get("errors", [])]


def test_lucene_operators_are_literal_text(gql: dict[str, GraphQLClient]) -> None:
    alice = gql["alice"]
    alice.execute('mutation { recordMemory(input: {kind: DECISION, context: "retry the request AND bump the '
                  'timeout", action: "retry", outcome: SUCCESS}) { id } }')
    for text in OPERATOR_WORDS:
        data = alice.execute(
            "query($t: String!) { searchMemories(text: $t) { nodes { score } } retrieveMemories(context: $t) { score }"
            " suggest(context: $t) { rationale } checkAction(context: $t, intendedAction: $t) { verdict }"
            " solutionsForError(message: $t) { id } }", {"t": text})
        assert data["suggest"]["rationale"]
    found = alice.execute('{ searchMemories(text: "request AND bump") { nodes { memory { context } } } }')
    assert found["searchMemories"]["nodes"][0]["memory"]["context"].startswith("retry the request AND")


def test_long_words_and_lone_surrogates(api_url: str, gql: dict[str, GraphQLClient]) -> None:
    alice = gql["alice"]
    word = "x" * 9_999  # one word at the size limit: searched and stored without a Lucene error
    assert alice.execute("query($t: String!) { searchMemories(text: $t) { nodes { score } } }", {"t": word})
    alice.execute("mutation($c: String!) { recordMemory(input: {kind: DECISION, context: $c, action: \"a\"}) { id } }",
                  {"c": word})
    assert codes(alice.post("query($t: String!) { suggest(context: $t) { rationale } }",
                            {"t": "y" * 260_000})) == ["BAD_USER_INPUT"]
    # A lone surrogate can only arrive as a JSON escape: send the body by hand.
    body = '{"query": "query($t: String!) { searchMemories(text: $t) { nodes { score } } }", "variables": {"t": "a\\ud800b"}}'
    response = httpx.post(f"{api_url}/graphql", content=body, timeout=30,
                          headers={"content-type": "application/json", "Authorization": f"Bearer {alice.key}"})
    assert codes(response) == ["BAD_USER_INPUT"]
    literal = '{"query": "{ searchMemories(text: \\"a\\ud800b\\") { nodes { score } } }"}'
    response = httpx.post(f"{api_url}/graphql", content=literal, timeout=30,
                          headers={"content-type": "application/json", "Authorization": f"Bearer {alice.key}"})
    assert codes(response) == ["GRAPHQL_PARSE_FAILED"]  # in the document itself, the lexer refuses it


def test_huge_cursors_are_bad_input(gql: dict[str, GraphQLClient]) -> None:
    for position in (10 ** 30, 2 ** 63, 10 ** 7):
        response = gql["alice"].post("query($a: String) { memories(after: $a) { nodes { id } } "
                                     "searchMemories(text: \"x\", after: $a) { nodes { score } } }",
                                     {"a": encode_cursor(position)})
        assert set(codes(response)) == {"BAD_USER_INPUT"}


def test_record_decision_reusing_an_id(gql: dict[str, GraphQLClient]) -> None:
    alice = gql["alice"]
    mutation = ("mutation($c: String!, $a: String!) { recordDecision(input: {id: \"dec-1\", context: $c, action: $a, "
                "outcome: SUCCESS}) { memoryId templateId branch { attempts } } }")
    first = alice.execute(mutation, {"c": "deploy the api to staging", "a": "canary"})["recordDecision"]
    again = alice.execute(mutation, {"c": "deploy the api to staging", "a": "canary"})["recordDecision"]
    assert again == first  # idempotent: counted once
    assert codes(alice.post(mutation, {"c": "rotate the database password", "a": "canary"})) == ["BAD_USER_INPUT"]
    assert codes(alice.post(mutation, {"c": "deploy the api to staging", "a": "big bang"})) == ["BAD_USER_INPUT"]
    stats = alice.execute("{ me { patterns(kind: DECISION) { nodes { id occurrences } } } }")
    assert [p["occurrences"] for p in stats["me"]["patterns"]["nodes"]] == [1]


def test_deeply_nested_json_body_is_a_400_with_a_code(api_url: str) -> None:
    for body in ("[" * 3000 + "]" * 3000, '{"query": "{ version }", "variables": {"v": ' + "[" * 3000 + "]" * 3000 + "}}"):
        response = httpx.post(f"{api_url}/graphql", content=body, headers={"content-type": "application/json"},
                              timeout=30)
        assert response.status_code == 400, response.text
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    response = httpx.get(f"{api_url}/graphql", params={"query": "{ version }", "variables": "[" * 3000 + "]" * 3000},
                         headers={"accept": "application/json"}, timeout=30)
    assert response.status_code == 400


def test_nested_json_arguments_are_bounded(gql: dict[str, GraphQLClient]) -> None:
    deep: list = []
    for _ in range(200):
        deep = [deep]
    response = gql["alice"].post("mutation($d: JSON!) { importKnowledge(document: $d) { created } }", {"d": deep})
    assert codes(response) == ["BAD_USER_INPUT"]


def test_fragment_chains_get_a_code(gql: dict[str, GraphQLClient]) -> None:
    chain = "\n".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(400))
    query = chain + "\nfragment F400 on Query { version }\nquery { ...F0 }"
    start = time.monotonic()
    response = gql["anonymous"].post(query)
    assert codes(response) == ["GRAPHQL_VALIDATION_FAILED"]
    assert time.monotonic() - start < 3


def test_what_is_stored_at_the_limits_exports_again(gql: dict[str, GraphQLClient]) -> None:
    alice = gql["alice"]
    tag, action = "t" * 200, "a" * 500
    text = ("token " * 1700)[:10_000]  # long text, with redaction-prone words
    alice.execute("mutation($v: RecordMemoryInput!) { recordMemory(input: $v) { id } }",
                  {"v": {"kind": "DECISION", "context": text, "action": action, "tags": [tag] * 50,
                         "domain": "d" * 200, "alternatives": [action] * 3}})
    alice.execute("mutation($v: RecordMemoryInput!) { recordMemory(input: $v) { id } }",
                  {"v": {"kind": "FAILURE", "context": text, "error": "1 " * 5_000, "rootCause": text,
                         "solution": text, "prevention": text}})
    alice.execute("mutation($e: String!) { learnFromFailure(input: {errorMessage: $e, solution: \"retry\"}) "
                  "{ patternId } }", {"e": "0 " * 4_999})
    exported = alice.execute("{ exportKnowledge { memories document } }")["exportKnowledge"]
    assert exported["memories"] == 3
    assert json.dumps(exported["document"])


def test_blank_required_values_and_foreign_vectors_are_bad_input(gql: dict[str, GraphQLClient]) -> None:
    """Each of these once answered INTERNAL (found by a hostile review): an empty domain to export, a blank
    solution (which also left the failure stored without its pattern), a collaboration whose only partner is
    blank (stored, then breaking every export), and an imported embedding that is not a unit vector (stored,
    then breaking every retrieval whose keyword matches reached it)."""
    alice = gql["alice"]
    assert codes(alice.post('{ exportKnowledge(domain: "") { memories } }')) == ["BAD_USER_INPUT"]
    learned = alice.execute('mutation { learnFromFailure(input: {errorMessage: "Blank fix probe: disk full", '
                            'solution: "   ", id: "blank-fix"}) { patternId solutions { description } } }')
    assert learned["learnFromFailure"]["patternId"] and learned["learnFromFailure"]["solutions"] == []
    assert codes(alice.post('mutation { recordMemory(input: {kind: COLLABORATION, context: "pairing", '
                            'partners: ["  "]}) { id } }')) == ["BAD_USER_INPUT"]
    document = alice.execute("{ exportKnowledge { document } }")["exportKnowledge"]["document"]
    entry = document["memories"][0]
    for vector in ([0.0] * 384, [1e200] * 384, [0.5] * 384):
        forged = {**document, "embedding_model": "all-MiniLM-L6-v2", "embedding_dimension": 384,
                  "memories": [{**entry, "id": "forged-vector", "embedding": vector}]}
        assert codes(alice.post("mutation($d: JSON!) { importKnowledge(document: $d) { created } }",
                                {"d": forged})) == ["BAD_USER_INPUT"]
    exported = alice.execute("{ exportKnowledge { memories } }")["exportKnowledge"]["memories"]
    assert exported == len(document["memories"])
    assert alice.execute('{ searchMemories(text: "disk full probe") { nodes { score } } }')["searchMemories"]["nodes"]


def test_instants_and_counts_that_could_not_be_read_back_are_refused(gql: dict[str, GraphQLClient]) -> None:
    """Neo4j stores year 1 or 9999 at -14:00, and a count past 2^31, but Python or GraphQL's Int cannot read
    them back: once stored (they used to be, with an INTERNAL answer), every read of the memory or grant failed,
    the grantee's included. Each is refused before anything is stored."""
    alice = gql["alice"]
    alice.execute('mutation { recordMemory(input: {kind: DECISION, context: "date probe", action: "a", '
                  'outcome: SUCCESS}) { id } }')
    before = alice.execute("{ exportKnowledge { memories document } }")["exportKnowledge"]
    assert codes(alice.post('mutation { recordDecision(input: {context: "ancient", action: "a", outcome: SUCCESS, '
                            'occurredAt: "0001-01-01T05:00:00+00:00"}) { memoryId } }')) == ["BAD_USER_INPUT"]
    assert codes(alice.post('mutation { learnFromFailure(input: {errorMessage: "E: ancient", '
                            'occurredAt: "1901-01-01T00:00:00+00:00"}) { memoryId } }')) == ["BAD_USER_INPUT"]
    assert codes(alice.post('mutation { grantAccess(grantee: "bob", scope: TAG, value: "t", '
                            'expiresAt: "9999-12-31T23:59:59+00:00") { id } }')) == ["BAD_USER_INPUT"]
    document, entry = before["document"], before["document"]["memories"][0]
    for forged in ({**entry, "id": "far-future", "first_seen": "9999-12-31T23:59:59-14:00"},
                   {**entry, "id": "too-many", "occurrences": 2 ** 40},
                   {**entry, "id": "blank-partner", "kind": "collaboration",
                    "content": {"partner_agents": [" "], "interaction_type": "pairing"}}):
        assert codes(alice.post("mutation($d: JSON!) { importKnowledge(document: $d) { created } }",
                                {"d": {**document, "memories": [forged]}})) == ["BAD_USER_INPUT"], forged["id"]
    after = alice.execute("{ exportKnowledge { memories } grants(direction: GIVEN) { nodes { id } } "
                          'retrieveMemories(context: "date probe") { score } }')
    assert after["exportKnowledge"]["memories"] == before["memories"] and after["retrieveMemories"]
    assert after["grants"]["nodes"] == []
