"""Every document in graphql/operations/ runs against the real server (uvicorn over HTTP), in a small
story that gives each one something to find; the test fails if an operation is added and not run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import GraphQLClient
from tests.integration.api_operations import Operations

pytestmark = pytest.mark.integration

ERROR = "npm ERR! network request to https://registry.npmjs.org/react failed, reason: ETIMEDOUT"


def test_every_operation_runs(gql: dict[str, GraphQLClient]) -> None:
    ops, alice, bob, carol = Operations(), gql["alice"], gql["bob"], gql["carol"]

    # identity
    assert ops.run(alice, "Viewer")["viewer"]["agentId"] == "alice"
    rotated = ops.run(carol, "RotateApiKey")["rotateApiKey"]
    carol = carol.as_key(rotated["token"])
    assert [k["revokedAt"] is None for k in ops.run(carol, "ApiKeys")["apiKeys"]].count(True) == 1

    # memories
    one = ops.run(alice, "RecordMemory", input={
        "kind": "DECISION", "context": "api-auth-timeout", "action": "retry-with-exponential-backoff",
        "outcome": "SUCCESS", "domain": "auth", "tags": ["auth"], "id": "op-1"})["recordMemory"]
    assert one["created"] and one["memory"]["chosenAction"] == "retry-with-exponential-backoff"
    many = ops.run(alice, "RecordMemories", inputs=[
        {"kind": "DECISION", "context": "auth API request timed out", "action": "increase-timeout",
         "outcome": "FAILURE", "domain": "auth"},
        {"kind": "SUCCESS", "context": "db migration on a big table", "action": "backup-then-migrate",
         "steps": ["backup", "migrate in batches"], "domain": "db"},
        {"kind": "KNOWLEDGE", "context": "identity provider facts", "domain": "auth", "statement": "tokens live 1h"},
    ])["recordMemories"]
    assert many["created"] == 3
    page = ops.run(alice, "MyMemories", first=2)["memories"]
    assert len(page["edges"]) == 2 and page["pageInfo"]["hasNextPage"]
    rest = ops.run(alice, "MyMemories", first=10, after=page["pageInfo"]["endCursor"])["memories"]
    assert len(rest["edges"]) == 2
    shown = ops.run(alice, "Memory", id="op-1")["memory"]
    assert shown["related"] and shown["related"][0]["memory"]["id"] != "op-1"
    assert ops.run(alice, "RetrieveMemories", context="auth request timed out", k=2)["retrieveMemories"]
    assert ops.run(alice, "SearchMemories", text="database migration")["searchMemories"]["edges"]

    # learning
    decision = ops.run(alice, "RecordDecision", input={
        "context": "auth token endpoint timed out", "action": "retry-with-exponential-backoff", "outcome": "SUCCESS",
        "alternatives": ["increase-timeout"], "informedBy": ["op-1"], "domain": "auth", "predicted": 0.7,
    })["recordDecision"]
    assert decision["branch"]["attempts"] >= 1
    learned = ops.run(alice, "LearnFromFailure", input={
        "errorMessage": ERROR, "context": "CI install step", "rootCause": "cold npm cache", "domain": "ci",
        "solution": "verify-npm-cache", "solutionWorked": True, "prevention": "warm the npm cache before install",
    })["learnFromFailure"]
    assert learned["signature"] and learned["patternId"]
    suggestion = ops.run(alice, "Suggest", context="auth API request timed out")["suggest"]
    among = ops.run(alice, "SuggestAction", context="auth API request timed out",
                    candidates=["increase-timeout", "never-tried"])["suggest"]
    assert "never-tried" in {a["action"] for a in among["actions"]}
    assert suggestion["recommended"] == "retry-with-exponential-backoff"
    prediction = ops.run(alice, "PredictOutcome", context="auth API request timed out",
                         action="increase-timeout")["predictOutcome"]
    assert prediction["probability"] < 0.5
    assert ops.run(alice, "CheckAction", context="auth API request timed out",
                   intendedAction="increase-timeout")["checkAction"]["verdict"] in ("ALLOW", "WARN", "BLOCK")
    patterns = ops.run(alice, "Patterns")["patterns"]["edges"]
    assert learned["patternId"] in {p["node"]["id"] for p in patterns}
    failures = ops.run(alice, "Failures")["failures"]["nodes"]
    assert failures[0]["similarFailures"][0]["solutions"][0]["description"] == "verify-npm-cache"
    solutions = ops.run(alice, "SolutionsForError", message=ERROR)["solutionsForError"]
    assert solutions[0]["description"] == "verify-npm-cache"
    checks = ops.run(alice, "PreventionChecks", patternId=learned["patternId"])["preventionChecks"]
    assert checks and checks[0]["patternId"] == learned["patternId"]
    assert ops.run(bob, "PreventionChecks")["preventionChecks"] == []  # alice's patterns are not bob's to see
    assert ops.run(alice, "LearningStats")["learningStats"]["decisions"] >= 1
    assert ops.run(alice, "MyPatterns")["me"]["patterns"]["nodes"]
    task = ops.run(alice, "CreateTask", context="npm install keeps timing out in CI", id="task-ci-1")["createTask"]
    applied = ops.run(alice, "ApplyPattern", patternId=learned["patternId"], taskId=task["id"])["applyPattern"]
    assert applied["action"] == "verify-npm-cache"
    assert ops.errors(bob, "ApplyPattern", patternId=learned["patternId"], taskId=task["id"])[0]["extensions"][
        "code"] == "NOT_FOUND"  # not bob's task

    # sharing and knowledge transfer
    request = ops.run(bob, "RequestAccess", owner="alice", scope="DOMAIN", value="db",
                      reason="migrations", durationHours=24)["requestAccess"]
    denied = ops.run(alice, "DenyRequest", requestId=request["id"])["denyRequest"]
    assert denied["status"] == "DENIED"
    assert ops.run(alice, "ShareRequests", direction="INCOMING")["shareRequests"]["nodes"][0]["status"] == "DENIED"
    expires = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    grant = ops.run(alice, "GrantAccess", grantee="carol", scope="DOMAIN", value="auth",
                    expiresAt=expires)["grantAccess"]
    assert ops.run(carol, "Grants", direction="RECEIVED")["grants"]["nodes"][0]["id"] == grant["id"]
    exported = ops.run(alice, "ExportKnowledge", domain="auth")["exportKnowledge"]
    assert exported["memories"] >= 3 and exported["document"]["format"] == "engram.knowledge"
    imported = ops.run(carol, "ImportKnowledge", document=exported["document"])["importKnowledge"]
    assert imported["total"] == exported["memories"] and imported["created"] == imported["total"]
    merged = ops.run(carol, "MergeKnowledge", fromAgent="alice", domain="auth")["mergeKnowledge"]
    assert merged["considered"] >= 3
    assert ops.run(alice, "RevokeGrant", grantId=grant["id"])["revokeGrant"]["live"] is False
    assert ops.errors(carol, "ImportKnowledge", document=exported["document"])[0]["extensions"]["code"] in (
        "FORBIDDEN", "BAD_USER_INPUT")
    assert ops.run(alice, "ForgetMemory", id="op-1")["forgetMemory"]["forgotten"]

    # audit
    events = ops.run(alice, "AuditEvents", first=50)["auditEvents"]["edges"]
    types = {e["node"]["type"] for e in events}
    assert {"deny", "grant", "revoke", "export", "delete"} <= types, types

    assert ops.ran == set(ops.documents), f"operations never run: {set(ops.documents) - ops.ran}"
