"""The MCP server on the real stack, with the SDK's own client: every tool over streamable HTTP (/mcp in the
service) and over stdio (`engram mcp`, both talking to the service and in-process), isolation between agents,
bad keys, errors with their codes, and the audit of a cross-agent read made through a tool."""

from __future__ import annotations

import json
from pathlib import Path
import sys
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from tests.conftest import GraphQLClient, free_port, server_env

pytestmark = pytest.mark.integration

TOOLS = {"recall", "remember", "suggest_action", "check_action", "record_outcome", "report_failure",
         "predict_outcome", "list_patterns", "request_access"}
CONTEXT = "payments webhook timed out while calling the card processor"


def http_client(api_url: str, key: str | None) -> Client:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return Client(streamable_http_client(api_url + "/mcp", http_client=create_mcp_http_client(headers=headers)))


def stdio_client(settings, key: str, url: str) -> Client:
    env = server_env(settings) | {"ENGRAM_API_KEY": key, "ENGRAM_URL": url}
    engram = Path(sys.executable).with_name("engram")
    return Client(StdioServerParameters(command=str(engram), args=["mcp"], env=env), read_timeout_seconds=180)


def run(coro_fn, *args: Any) -> Any:
    return anyio.run(coro_fn, *args)


async def call(client: Client, tool: str, **arguments: Any) -> tuple[str, dict[str, Any]]:
    """(text, structured content) of a successful call."""
    result = await client.call_tool(tool, arguments)
    text = " ".join(c.text for c in result.content if c.type == "text")
    assert not result.is_error, f"{tool}: {text}"
    assert result.structured_content is not None, tool
    return text, result.structured_content


async def error_of(client: Client, tool: str, **arguments: Any) -> str:
    result = await client.call_tool(tool, arguments)
    assert result.is_error, result
    return " ".join(c.text for c in result.content if c.type == "text")


async def every_tool(client: Client, owner_of_request: str) -> dict[str, str]:
    """Lists the tools and calls each one once, as a new agent would; the texts by tool."""
    listed = await client.list_tools()
    assert {t.name for t in listed.tools} == TOOLS
    for tool in listed.tools:
        assert tool.description and len(tool.description) > 60, tool.name
        assert tool.input_schema["type"] == "object" and tool.output_schema, tool.name
    texts: dict[str, str] = {}
    texts["remember"], stored = await call(
        client, "remember", kind="DECISION", context=CONTEXT, action="retry-with-idempotency-key",
        outcome="SUCCESS", domain="payments", id="mcp-decision-1")
    assert stored["recordMemory"]["id"] == "mcp-decision-1"
    texts["record_outcome"], recorded = await call(
        client, "record_outcome", context=CONTEXT, action="retry-with-idempotency-key", outcome="SUCCESS",
        alternatives=["give-up"], domain="payments")
    assert recorded["recordDecision"]["branch"]["attempts"] >= 1
    texts["report_failure"], learned = await call(
        client, "report_failure", error_message="ReadTimeout: card processor did not answer in 30s",
        context=CONTEXT, root_cause="processor overloaded", solution="retry-with-idempotency-key",
        solution_worked=True, domain="payments")
    assert learned["learnFromFailure"]["patternId"]
    texts["recall"], recalled = await call(client, "recall", context=CONTEXT, k=5)
    assert "mcp-decision-1" in {r["memory"]["id"] for r in recalled["retrieveMemories"]}
    texts["suggest_action"], suggested = await call(client, "suggest_action", context=CONTEXT,
                                                    candidates=["retry-with-idempotency-key", "give-up"])
    assert suggested["suggest"]["recommended"] == "retry-with-idempotency-key"
    assert "Recommended: retry-with-idempotency-key" in texts["suggest_action"]
    texts["check_action"], checked = await call(client, "check_action", context=CONTEXT,
                                                intended_action="retry-with-idempotency-key")
    assert checked["checkAction"]["verdict"] == "ALLOW"
    texts["predict_outcome"], predicted = await call(client, "predict_outcome", context=CONTEXT,
                                                     action="retry-with-idempotency-key")
    assert predicted["predictOutcome"]["probability"] > 0.5
    texts["list_patterns"], patterns = await call(client, "list_patterns", first=10)
    assert "edges" in patterns["patterns"]
    texts["request_access"], requested = await call(client, "request_access", owner=owner_of_request,
                                                    scope="DOMAIN", value="payments", reason="mcp test")
    assert requested["requestAccess"]["status"] == "PENDING"
    templates = await client.list_resource_templates()
    assert {t.uri_template for t in templates.resource_templates} == {
        "engram://patterns/{kind}", "engram://prevention-checks/{pattern}"}
    for uri in ("engram://patterns/all", "engram://prevention-checks/all"):
        contents = (await client.read_resource(uri)).contents
        assert json.loads(contents[0].text)
    return texts


def test_every_tool_over_streamable_http(api_url: str, api_keys: dict[str, str]) -> None:
    async def go() -> dict[str, str]:
        async with http_client(api_url, api_keys["alice"]) as client:
            return await every_tool(client, "bob")

    texts = run(go)
    assert set(texts) == TOOLS and all(texts.values())


def test_every_tool_over_stdio_through_the_service(api_url: str, api_keys: dict[str, str], settings) -> None:
    async def go() -> dict[str, str]:
        async with stdio_client(settings, api_keys["alice"], api_url) as client:
            return await every_tool(client, "bob")

    assert set(run(go)) == TOOLS


def test_every_tool_over_stdio_in_process(api_url: str, api_keys: dict[str, str], settings) -> None:
    """No service at ENGRAM_URL: `engram mcp` runs the operations itself, against the same database."""
    nobody = f"http://127.0.0.1:{free_port()}"

    async def go() -> dict[str, str]:
        async with stdio_client(settings, api_keys["carol"], nobody) as client:
            return await every_tool(client, "alice")

    assert set(run(go)) == TOOLS


def test_bob_sees_nothing_of_alices_private_memory_through_any_tool(api_url: str, api_keys: dict[str, str]) -> None:
    secret_context = "kafka consumer lag spiked after the partition rebalance in region eu-west"

    async def go() -> tuple[list[str], list[str]]:
        async with http_client(api_url, api_keys["alice"]) as alice:
            for i, outcome in enumerate(["SUCCESS", "SUCCESS", "FAILURE"]):
                await call(alice, "record_outcome", context=secret_context, action=f"alice-private-fix-{i % 2}",
                           outcome=outcome, id=f"alice-private-{i}")
            await call(alice, "report_failure", error_message="ConsumerLagError: lag 90000 on orders-7",
                       context=secret_context, solution="alice-private-fix-0", solution_worked=True)
        seen = []
        async with http_client(api_url, api_keys["bob"]) as bob:
            for tool, arguments in [
                ("recall", {"context": secret_context, "k": 50}),
                ("suggest_action", {"context": secret_context, "k": 20}),
                ("check_action", {"context": secret_context, "intended_action": "alice-private-fix-1"}),
                ("predict_outcome", {"context": secret_context, "action": "alice-private-fix-0"}),
                ("list_patterns", {"first": 100}),
            ]:
                text, data = await call(bob, tool, **arguments)
                seen.append(text + json.dumps(data))
            for uri in ("engram://patterns/all", "engram://prevention-checks/all"):
                seen.append((await bob.read_resource(uri)).contents[0].text)
            # Writes answer with what is known across agents (similar failures, solutions, the branch's record):
            # none of it may be alice's.
            written = []
            for tool, arguments in [
                ("report_failure", {"error_message": "ConsumerLagError: lag 90000 on orders-7", "context": secret_context}),
                ("record_outcome", {"context": secret_context, "action": "alice-private-fix-0", "outcome": "FAILURE"}),
            ]:
                text, data = await call(bob, tool, **arguments)
                written.append(text + json.dumps(data))
        return seen, written

    seen, written = run(go)
    for answer in seen:
        assert "alice" not in answer and "kafka" not in answer.lower(), answer[:500]
    for answer in written:
        assert "alice" not in answer.replace("alice-private-fix-0", "bob's own action"), answer[:500]


def test_record_outcome_reports_only_what_bob_may_see(api_url: str, api_keys: dict[str, str]) -> None:
    context = "redis sentinel failover left clients pointing at the old primary in region ap-south"

    async def go() -> dict[str, Any]:
        async with http_client(api_url, api_keys["alice"]) as alice:
            for i, outcome in enumerate(["SUCCESS", "FAILURE", "SUCCESS"]):
                await call(alice, "record_outcome", context=context, action="refresh-sentinel-view", outcome=outcome,
                           id=f"alice-sentinel-{i}")
        async with http_client(api_url, api_keys["bob"]) as bob:
            return (await call(bob, "record_outcome", context=context, action="refresh-sentinel-view",
                               outcome="FAILURE"))[1]

    branch = run(go)["recordDecision"]["branch"]
    assert branch["attempts"] == 1, branch  # bob's own decision only: alice's three are private


def test_a_bad_key_is_refused(api_url: str, api_keys: dict[str, str], settings) -> None:
    for headers in ({}, {"Authorization": "Bearer eng_not_a_real_key_000000000000000000"},
                    {"Authorization": "Basic YWxpY2U6cGFzcw=="}):
        response = httpx.post(api_url + "/mcp", headers=headers | {"Accept": "application/json, text/event-stream"},
                              json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
        assert response.status_code == 401, response.text
        assert response.json()["code"] == "UNAUTHENTICATED"
        assert response.headers["www-authenticate"].startswith("Bearer")

    async def sdk_with_bad_key() -> None:
        async with http_client(api_url, "eng_revoked_or_never_issued_0000000000000") as client:
            await client.list_tools()

    with pytest.raises(BaseException):  # the SDK client cannot even initialise
        run(sdk_with_bad_key)

    async def stdio_with_bad_key() -> str:
        async with stdio_client(settings, "eng_revoked_or_never_issued_0000000000000", api_url) as client:
            return await error_of(client, "recall", context="anything")

    assert "[UNAUTHENTICATED]" in run(stdio_with_bad_key)


def test_errors_reach_the_client_with_their_codes(api_url: str, api_keys: dict[str, str]) -> None:
    async def go() -> list[str]:
        async with http_client(api_url, api_keys["alice"]) as client:
            return [
                await error_of(client, "remember", kind="FAILURE", context="a failure without its error"),
                await error_of(client, "request_access", owner="alice", scope="DOMAIN", value="auth"),
                await error_of(client, "suggest_action", context="x", k=500),  # the JSON schema refuses it
            ]

    missing_error, own_memories, bad_k = run(go)
    assert "[BAD_USER_INPUT]" in missing_error, missing_error
    assert "[BAD_USER_INPUT]" in own_memories and "own memories" in own_memories, own_memories
    assert "k" in bad_k


def test_a_cross_agent_read_through_a_tool_is_audited(api_url: str, api_keys: dict[str, str],
                                                       gql: dict[str, GraphQLClient]) -> None:
    shared_context = "ldap bind failed during the nightly user sync"

    async def go() -> dict[str, Any]:
        async with http_client(api_url, api_keys["alice"]) as alice:
            await call(alice, "remember", kind="DECISION", context=shared_context, action="rebind-with-service-account",
                       outcome="SUCCESS", domain="identity", id="alice-ldap-1")
        async with http_client(api_url, api_keys["bob"]) as bob:
            request = (await call(bob, "request_access", owner="alice", scope="DOMAIN", value="identity",
                                  reason="ldap sync"))[1]["requestAccess"]
            gql["alice"].execute('mutation($id: String!) { grantAccess(requestId: $id) { id live } }',
                                 {"id": request["id"]})
            return (await call(bob, "recall", context=shared_context, k=5))[1]

    recalled = run(go)
    shared = [r for r in recalled["retrieveMemories"] if r["memory"]["id"] == "alice-ldap-1"]
    assert shared and shared[0]["owned"] is False
    events = gql["alice"].execute('{ auditEvents(types: [CROSS_AGENT_READ]) { nodes { actorId subjectIds } } }')
    reads = events["auditEvents"]["nodes"]
    assert any(e["actorId"] == "bob" and "alice-ldap-1" in e["subjectIds"] for e in reads), reads
