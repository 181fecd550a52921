"""Secrets outside the context text (issue 13, part 6): labels, ids and actions holding a secret are
refused before anything is stored, free text is redacted, and the server log never holds caller input."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import GraphQLClient

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
AWS = "AKIAZ7QH3K2M9XW4PL6T"
GITHUB = "ghp_R4nd0mT0kenV4lue9xQ2wE8rT6yU1iO3pA5s"

# One mutation per label-like field, each carrying a secret.
LABEL_CASES = {
    "tags": ('mutation($s: String!) { recordMemory(input: {kind: DECISION, context: "c", action: "a", tags: [$s]}) '
             '{ id } }', AWS),
    "domain": ('mutation($s: String!) { recordMemory(input: {kind: KNOWLEDGE, context: "c", domain: $s}) { id } }',
               f"aws_secret_access_key={GITHUB}"),
    "id": ('mutation($s: String!) { recordMemory(input: {kind: DECISION, context: "c", action: "a", id: $s}) { id } }',
           GITHUB),
    "action": ('mutation($s: String!) { recordDecision(input: {context: "c", action: $s, outcome: SUCCESS}) '
               '{ memoryId } }', f"export GITHUB_TOKEN={GITHUB}"),
    "alternatives": ('mutation($s: String!) { recordMemory(input: {kind: DECISION, context: "c", action: "a", '
                     'alternatives: [$s]}) { id } }', f"curl -H 'Authorization: Bearer {GITHUB}'"),
    "availableActions": ('mutation($s: String!) { createTask(context: "c", availableActions: [$s]) { id } }',
                         f"login with password=Pw{GITHUB[4:14]}"),
    "task context": ('mutation($s: String!) { createTask(context: $s) { id } }', f"use key {AWS} to deploy"),
    "partners": ('mutation($s: String!) { recordMemory(input: {kind: COLLABORATION, context: "c", partners: [$s]}) '
                 '{ id } }', AWS),
    "entities": ('mutation($s: String!) { recordMemory(input: {kind: KNOWLEDGE, context: "c", domain: "d", '
                 'entities: [$s]}) { id } }', GITHUB),
    "request value": ('mutation($s: String!) { requestAccess(owner: "bob", scope: DOMAIN, value: $s) { id } }',
                      GITHUB),
    "candidates": ('query($s: String!) { suggest(context: "c", candidates: [$s]) { recommended } }', AWS),
    "export domain": ('query($s: String!) { exportKnowledge(domain: $s) { memories } }', AWS),
}


def server_log() -> str:
    return (REPO / ".engram" / f"test-uvicorn-{os.getpid()}.log").read_text(errors="replace")


@pytest.mark.parametrize("case", sorted(LABEL_CASES))
def test_secrets_in_labels_are_refused(gql: dict[str, GraphQLClient], case: str) -> None:
    query, secret = LABEL_CASES[case]
    response = gql["alice"].post(query, {"s": secret})
    assert response.status_code < 500
    errors = response.json()["errors"]
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "secret" in errors[0]["message"]
    assert secret not in response.text
    assert gql["alice"].execute("{ memories { nodes { id } } }")["memories"]["nodes"] == []
    audit = gql["alice"].execute("{ auditEvents { nodes { details subjectIds } } }")
    assert secret not in str(audit)


def test_free_text_is_redacted_everywhere_it_is_kept(gql: dict[str, GraphQLClient]) -> None:
    alice = gql["alice"]
    request = alice.execute('mutation($r: String!) { requestAccess(owner: "bob", scope: DOMAIN, value: "billing", '
                            'reason: $r) { reason } }', {"r": f"need it, my key is {AWS}"})
    assert AWS not in str(request) and "[REDACTED" in request["requestAccess"]["reason"]
    alice.execute('mutation($c: String!) { recordMemory(input: {kind: DECISION, context: $c, action: "rotate"}) '
                  '{ id } }', {"c": f"the deploy used {GITHUB} as token"})
    exported = alice.execute("{ exportKnowledge { document } }")
    audit = gql["bob"].execute("{ auditEvents { nodes { details } } }")
    assert GITHUB not in str(exported) and AWS not in str(audit)


def test_the_log_holds_no_caller_input(gql: dict[str, GraphQLClient]) -> None:
    before = server_log()
    marker = "caller-text-4f9e2a"
    gql["alice"].post('query($s: ID!) { memory(id: $s) { id } }', {"s": marker})  # NOT_FOUND
    gql["alice"].post('query($s: String) { memories(after: $s) { nodes { id } } }', {"s": marker})  # BAD_USER_INPUT
    gql["alice"].post('mutation($s: String!) { recordMemory(input: {kind: DECISION, context: "c", action: "a", '
                      'tags: [$s]}) { id } }', {"s": AWS})  # secret refused
    gql["alice"].post('query($s: Int) { memories(first: $s) { nodes { id } } }', {"s": marker})  # coercion
    gql["anonymous"].post('{ me { id } }')  # UNAUTHENTICATED
    new = server_log()[len(before):]
    assert marker not in new and AWS not in new
    assert "Traceback" not in new
    lines = [line for line in new.splitlines() if "engram.api" in line]
    for code in ("NOT_FOUND", "BAD_USER_INPUT", "UNAUTHENTICATED"):
        assert any(f"graphql {code}" in line for line in lines), (code, lines)
