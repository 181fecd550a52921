"""Denial-of-service shapes against the real server: each is refused fast, with a stable error code.

The shapes follow the published advisories the pinned releases fix: circular fragments in the depth
limiter (GHSA-qfwv-87qj-98xq), aliases multiplied through fragment spreads (GHSA-fr49-mhgj-crfc),
quadratic overlapping-fields validation (GHSA-vj8h-fx38-h3vc), comments that bypass max_tokens
(GHSA-r77w-qph3-7vf8, CVE-2026-134795)."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.conftest import GraphQLClient

pytestmark = pytest.mark.integration

FAST = 3.0  # seconds: a rejection must not cost the server real work


def rejected(client: GraphQLClient, query: str, *, code: str = "GRAPHQL_VALIDATION_FAILED") -> list[dict]:
    start = time.monotonic()
    response = client.post(query)
    elapsed = time.monotonic() - start
    assert elapsed < FAST, f"took {elapsed:.1f}s"
    body = response.json()
    assert body.get("data") is None, body
    assert body["errors"], body
    assert body["errors"][0]["extensions"]["code"] == code, body["errors"][0]
    return body["errors"]


def test_too_deep_a_query_is_refused(gql: dict[str, GraphQLClient]) -> None:
    inner = "id"
    for _ in range(8):
        inner = f"agent {{ memories {{ nodes {{ {inner} }} }} }}"
    errors = rejected(gql["alice"], f"{{ memory(id: \"x\") {{ {inner} }} }}")
    assert "exceeds maximum operation depth" in errors[0]["message"]


def test_circular_fragments_are_refused_without_recursion(gql: dict[str, GraphQLClient]) -> None:
    query = """
    query { me { ...A } }
    fragment A on Agent { memories { nodes { agent { ...B } } } }
    fragment B on Agent { ...A }
    """
    errors = rejected(gql["alice"], query)
    assert any("Cannot spread fragment" in e["message"] for e in errors)


def test_aliases_hidden_in_fragment_spreads_are_counted(gql: dict[str, GraphQLClient]) -> None:
    aliases = " ".join(f"a{i}: version" for i in range(10))  # 10 aliases, under the limit of 30 on their own
    query = f"fragment F on Query {{ {aliases} }}\nquery {{ ...F ...F ...F ...F }}"
    errors = rejected(gql["anonymous"], query)
    assert "aliases found" in errors[0]["message"]
    assert gql["anonymous"].execute(f"fragment F on Query {{ {aliases} }}\nquery {{ ...F }}")["a9"]


def test_many_aliases_are_refused(gql: dict[str, GraphQLClient]) -> None:
    rejected(gql["anonymous"], "{ " + " ".join(f"v{i}: version" for i in range(31)) + " }")


def test_overlapping_fields_in_inline_fragments_validate_fast(gql: dict[str, GraphQLClient]) -> None:
    # ~4,800 tokens: under the token limit, so the overlapping-fields rule has to cope on its own.
    query = "{ " + " ".join("... on Query { version }" for _ in range(800)) + " }"
    start = time.monotonic()
    response = gql["anonymous"].post(query)
    assert time.monotonic() - start < FAST
    assert response.status_code == 200


def test_oversized_documents_are_refused_by_token_count(gql: dict[str, GraphQLClient]) -> None:
    errors = rejected(gql["anonymous"], "{ " + "version " * 6000 + "}", code="GRAPHQL_PARSE_FAILED")
    assert "tokens" in errors[0]["message"]


def test_comments_count_towards_the_token_limit(gql: dict[str, GraphQLClient]) -> None:
    query = "#\n" * 200_000 + "{ version }"  # 400 kB of comments around a one-field query
    errors = rejected(gql["anonymous"], query, code="GRAPHQL_PARSE_FAILED")
    assert "tokens" in errors[0]["message"]


def test_introspection_is_depth_limited(gql: dict[str, GraphQLClient]) -> None:
    inner = "name"
    for _ in range(6):
        inner = f"fields {{ type {{ {inner} }} }}"
    rejected(gql["anonymous"], f"{{ __schema {{ types {{ {inner} }} }} }}")


def test_batched_requests_are_refused(api_url: str) -> None:
    response = httpx.post(f"{api_url}/graphql", json=[{"query": "{ version }"}] * 3, timeout=30)
    assert response.status_code == 400
    assert "Batching is not enabled" in response.text


def test_large_bodies_get_413_before_parsing(api_url: str) -> None:
    start = time.monotonic()
    big = {"query": "{ version }", "variables": {"pad": "x" * 2_000_000}}
    response = httpx.post(f"{api_url}/graphql", json=big, timeout=30)
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert response.headers["connection"] == "close"  # the unread body is dropped, not drained

    def chunks():  # no Content-Length: the limit counts the bytes as they arrive
        for _ in range(40):
            yield b"x" * 64_000

    response = httpx.post(f"{api_url}/graphql", content=chunks(), headers={"content-type": "application/json"},
                          timeout=30)
    assert response.status_code == 413
    assert time.monotonic() - start < 10


def test_mutations_are_refused_over_get(api_url: str, api_keys: dict[str, str]) -> None:
    response = httpx.get(f"{api_url}/graphql", params={"query": "mutation { rotateApiKey { token } }"},
                         headers={"Authorization": f"Bearer {api_keys['alice']}"}, timeout=30)
    assert response.status_code == 405  # GraphQL over HTTP: mutations are not allowed over GET
