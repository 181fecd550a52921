"""Learning over GraphQL/HTTP: events logged afterwards, and the operator's analysis."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import GraphQLClient

pytestmark = pytest.mark.integration


def test_decisions_and_failures_may_be_logged_afterwards_but_not_ahead(gql: dict[str, GraphQLClient]) -> None:
    record = """mutation($input: RecordDecisionInput!) { recordDecision(input: $input) {
                  memory { createdAt } } }"""
    learn = """mutation($input: LearnFromFailureInput!) { learnFromFailure(input: $input) { memoryId } }"""
    week_ago = datetime.now(UTC) - timedelta(days=7)
    decision = {"context": "deploy billing to staging", "action": "rolling-update", "outcome": "SUCCESS",
                "occurredAt": week_ago.isoformat()}
    created = gql["alice"].execute(record, {"input": decision})["recordDecision"]["memory"]["createdAt"]
    assert datetime.fromisoformat(created) == week_ago

    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    errors = gql["alice"].errors(record, {"input": {**decision, "id": "ahead", "occurredAt": tomorrow}})
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT" and "future" in errors[0]["message"]
    errors = gql["alice"].errors(learn, {"input": {"errorMessage": "boom", "occurredAt": tomorrow}})
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert gql["alice"].execute("{ memories { nodes { id } } }")["memories"]["nodes"].__len__() == 1


def test_only_operators_run_the_analysis(gql: dict[str, GraphQLClient]) -> None:
    analyze = "mutation { analyzePatterns { failures recurringPatterns preventionChecks seconds } }"
    assert gql["alice"].errors(analyze)[0]["extensions"]["code"] == "FORBIDDEN"
    for i in range(3):
        gql["alice"].execute("""mutation($m: String!) { learnFromFailure(input: {errorMessage: $m,
                                  solution: "retry-with-backoff", solutionWorked: true}) { patternId } }""",
                             {"m": f"HTTP 429 Too Many Requests from api.partner.com (request {i})"})
    report = gql["ops"].execute(analyze)["analyzePatterns"]
    assert report["failures"] == 3 and report["recurringPatterns"] == 1 and report["preventionChecks"] == 1
