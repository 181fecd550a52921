"""The consent workflow of the README, over HTTP with the documents in graphql/operations/:
bob asks alice for her auth knowledge → alice grants it, scoped and time-bounded → bob's suggestions,
searches, retrievals and solutions draw on it → alice revokes → it is gone from all of them at once."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import GraphQLClient
from tests.integration.api_operations import Operations

pytestmark = pytest.mark.integration

CONTEXT = "auth API request timed out while fetching a token"
ERROR = "TimeoutError: POST https://idp.example.com/oauth/token timed out after 30s"


def alice_remembers(ops: Operations, alice: GraphQLClient) -> None:
    auth = {"domain": "auth", "tags": ["auth", "timeout"]}
    inputs = [
        {"kind": "DECISION", "context": CONTEXT, "action": "increase-timeout", "outcome": "FAILURE", **auth},
        {"kind": "DECISION", "context": "api-auth-timeout", "action": "retry-with-exponential-backoff",
         "outcome": "SUCCESS", **auth},
        {"kind": "DECISION", "context": "token endpoint of the identity provider timed out",
         "action": "retry-with-exponential-backoff", "outcome": "SUCCESS", **auth},
        {"kind": "DECISION", "context": "auth token request timed out", "action": "retry-with-exponential-backoff",
         "outcome": "SUCCESS", "id": "alice-auth-4", **auth},
        {"kind": "DECISION", "context": "invoice totals off by a cent", "action": "use-decimal", "outcome": "SUCCESS",
         "domain": "billing", "id": "alice-billing-1"},
    ]
    assert ops.run(alice, "RecordMemories", inputs=inputs)["recordMemories"]["created"] == 5
    ops.run(alice, "LearnFromFailure", input={"errorMessage": ERROR, "context": "login flow", "domain": "auth",
                                              "solution": "retry-with-exponential-backoff", "solutionWorked": True})


def bob_sees(ops: Operations, bob: GraphQLClient) -> dict[str, set[str]]:
    """Which agents' memories show up in each of bob's results."""
    suggest = ops.run(bob, "Suggest", context=CONTEXT)["suggest"]
    search = ops.run(bob, "SearchMemories", text="auth token timed out", first=20)["searchMemories"]
    retrieve = ops.run(bob, "RetrieveMemories", context=CONTEXT, k=20)["retrieveMemories"]
    solutions = ops.run(bob, "SolutionsForError", message=ERROR)["solutionsForError"]
    failures = ops.run(bob, "Failures")["failures"]["nodes"]
    return {
        "suggest": {a["name"] for action in suggest["actions"] for a in action["agents"]},
        "search": {e["node"]["memory"]["agent"]["id"] for e in search["edges"]},
        "retrieve": {r["memory"]["agent"]["id"] for r in retrieve},
        "solutions": {a["name"] for s in solutions for a in s["agents"]},
        "failures": {f["agent"]["name"] for p in failures for f in p["similarFailures"]},
        "memory_ids": {e["node"]["memory"]["id"] for e in search["edges"]} | {r["memory"]["id"] for r in retrieve},
    }


def test_request_grant_use_revoke(gql: dict[str, GraphQLClient]) -> None:
    ops, alice, bob = Operations(), gql["alice"], gql["bob"]
    alice_remembers(ops, alice)
    ops.run(bob, "RecordMemory", input={"kind": "DECISION", "context": "auth token request timed out",
                                        "action": "increase-timeout", "outcome": "PARTIAL", "domain": "auth"})

    before = bob_sees(ops, bob)
    assert all("alice" not in agents for key, agents in before.items() if key != "memory_ids"), before

    # 1. bob asks alice for her auth knowledge, for three days
    request = ops.run(bob, "RequestAccess", owner="alice", scope="DOMAIN", value="auth",
                      reason="auth timeouts in the checkout service", durationHours=72)["requestAccess"]
    assert request["status"] == "PENDING" and request["requester"]["id"] == "bob"

    # 2. alice sees the request and grants it, until tomorrow
    incoming = ops.run(alice, "ShareRequests", direction="INCOMING", status="PENDING")["shareRequests"]["nodes"]
    assert [r["id"] for r in incoming] == [request["id"]]
    expires = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    grant = ops.run(alice, "GrantAccess", requestId=request["id"], expiresAt=expires)["grantAccess"]
    assert grant["live"] and grant["scope"] == "DOMAIN" and grant["value"] == "auth"
    assert grant["grantee"]["id"] == "bob" and grant["expiresAt"].startswith(expires[:16])
    assert [g["id"] for g in ops.run(bob, "Grants", direction="RECEIVED")["grants"]["nodes"]] == [grant["id"]]

    # 3. bob's suggestions, searches, retrievals and solutions now draw on alice's auth memories
    during = bob_sees(ops, bob)
    for key in ("suggest", "search", "retrieve", "solutions", "failures"):
        assert "alice" in during[key], (key, during)
    assert "alice-auth-4" in during["memory_ids"]
    assert "alice-billing-1" not in during["memory_ids"]  # the grant covers the auth domain only
    suggestion = ops.run(bob, "Suggest", context=CONTEXT)["suggest"]
    assert suggestion["recommended"] == "retry-with-exponential-backoff"
    shared = ops.run(bob, "SearchMemories", text="auth token timed out")["searchMemories"]["edges"]
    assert all(e["node"]["memory"]["visibility"] == "SHARED" for e in shared if not e["node"]["owned"])

    # alice can see who read her memories
    reads = ops.run(alice, "AuditEvents", types=["CROSS_AGENT_READ"])["auditEvents"]["edges"]
    assert reads and {e["node"]["actorId"] for e in reads} == {"bob"}

    # 4. alice revokes: gone from every one of bob's results at once
    revoked = ops.run(alice, "RevokeGrant", grantId=grant["id"])["revokeGrant"]
    assert revoked["live"] is False and revoked["revokedAt"]
    after = bob_sees(ops, bob)
    assert all("alice" not in agents for key, agents in after.items() if key != "memory_ids"), after
    assert not any(i.startswith("alice") for i in after["memory_ids"])
    assert ops.run(bob, "Grants", direction="RECEIVED")["grants"]["nodes"] == []
    history = ops.run(alice, "AuditEvents", types=["SHARE_REQUEST", "GRANT", "REVOKE"])["auditEvents"]["edges"]
    assert [e["node"]["type"] for e in history] == ["revoke", "grant", "share_request"]


def test_only_the_owner_decides_and_grants_end_in_time(gql: dict[str, GraphQLClient]) -> None:
    ops, alice, bob, carol = Operations(), gql["alice"], gql["bob"], gql["carol"]
    alice_remembers(ops, alice)
    request = ops.run(bob, "RequestAccess", owner="alice", scope="DOMAIN", value="auth")["requestAccess"]
    # neither the requester nor a third agent can grant alice's memories; to the third the id is unknown
    for intruder, code in ((bob, "FORBIDDEN"), (carol, "NOT_FOUND")):
        errors = ops.errors(intruder, "GrantAccess", requestId=request["id"])
        assert errors[0]["extensions"]["code"] == code
    assert ops.errors(alice, "GrantAccess", requestId=request["id"],
                      expiresAt=(datetime.now(UTC) - timedelta(hours=1)).isoformat())[0]["extensions"]["code"] \
        == "BAD_USER_INPUT"
    # narrowed to one memory, and only for a few seconds
    expires = (datetime.now(UTC) + timedelta(seconds=10)).isoformat()
    grant = ops.run(alice, "GrantAccess", requestId=request["id"], memoryIds=["alice-auth-4"],
                    expiresAt=expires)["grantAccess"]
    assert grant["scope"] == "MEMORY" and grant["memoryIds"] == ["alice-auth-4"]
    seen = bob_sees(ops, bob)["memory_ids"]
    assert "alice-auth-4" in seen and not (seen - {"alice-auth-4"})
    time.sleep(max(0.0, (datetime.fromisoformat(expires) - datetime.now(UTC)).total_seconds()) + 0.5)
    assert bob_sees(ops, bob)["memory_ids"] == set()
    # a denied request cannot be granted any more
    second = ops.run(bob, "RequestAccess", owner="alice", scope="TAG", value="timeout")["requestAccess"]
    assert ops.run(alice, "DenyRequest", requestId=second["id"])["denyRequest"]["status"] == "DENIED"
    assert ops.errors(alice, "GrantAccess", requestId=second["id"])[0]["extensions"]["code"] == "BAD_USER_INPUT"
