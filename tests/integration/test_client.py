"""engram.client against the real service: typed results, errors with codes, retries on connection errors only,
and execute_with_memory over HTTP learning from a failure so that the next task picks what worked."""

from __future__ import annotations

import random

import anyio
import httpx
import pytest

from engram.client import AsyncEngramClient, EngramClient, EngramClientError, Task, execute_with_memory
from engram.client import execute_with_memory_async
from engram.client.generated import ShareScope, Verdict
from tests.conftest import GraphQLClient, free_port

pytestmark = pytest.mark.integration

ACTIONS = ["flush-cache", "rotate-signing-key"]  # flush-cache comes first among equals, and never works here


class CountingTransport(httpx.HTTPTransport):
    """The real transport, counting the requests it is asked to send."""

    def __init__(self) -> None:
        super().__init__()
        self.sent = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        return super().handle_request(request)


def broken_unless_rotated(strategy) -> str:
    if strategy.chosen_approach != "rotate-signing-key":
        raise PermissionError("token signature rejected by the gateway")
    return "ok"


def test_execute_with_memory_learns_and_next_time_picks_what_worked(api_url: str, api_keys: dict[str, str],
                                                                     gql: dict[str, GraphQLClient]) -> None:
    with EngramClient(api_url, api_keys["alice"]) as engram:
        first = execute_with_memory(engram, Task("gateway rejects tokens after the key rollover on api-1", ACTIONS),
                                    broken_unless_rotated, policy="best")
        assert first.strategy == "flush-cache" and not first.succeeded
        assert first.decision_memory_id and first.failure_pattern_id and "PermissionError" in first.error
        second = execute_with_memory(engram, Task("gateway rejects tokens after the key rollover on api-2", ACTIONS),
                                     broken_unless_rotated, policy="best")
        assert second.strategy == "rotate-signing-key" and second.succeeded and second.informed_by
        third = execute_with_memory(engram, Task("gateway rejects tokens after the key rollover on api-3", ACTIONS),
                                    broken_unless_rotated, policy="best")
        assert third.strategy == "rotate-signing-key" and third.succeeded
        check = engram.check_action("gateway rejects tokens after the key rollover", "flush-cache").check_action
        assert check.verdict in (Verdict.ALLOW, Verdict.WARN, Verdict.BLOCK) and check.reasons
    memories = gql["alice"].execute("{ memories(kind: DECISION, first: 10) { nodes { outcome } } }")["memories"]["nodes"]
    assert [m["outcome"] for m in memories].count("FAILURE") == 1 and len(memories) == 3


def test_async_client_runs_the_same_loop(api_url: str, api_keys: dict[str, str]) -> None:
    async def go():
        async with AsyncEngramClient(api_url, api_keys["bob"]) as engram:
            outcomes = []
            for host in ("a", "b", "c"):
                outcomes.append(await execute_with_memory_async(
                    engram, Task(f"gateway rejects tokens after the key rollover on {host}", ACTIONS),
                    broken_unless_rotated, rng=random.Random(3)))
            return outcomes, (await engram.viewer()).viewer.agent_id

    outcomes, agent = anyio.run(go)
    assert agent == "bob" and [o.succeeded for o in outcomes].count(True) >= 1
    assert all(o.decision_memory_id for o in outcomes)


def test_errors_are_raised_with_their_codes_and_only_connection_errors_are_retried(
        api_url: str, api_keys: dict[str, str]) -> None:
    counting = CountingTransport()
    with EngramClient(api_url, "eng_not_a_key_0000000000000000000000000",
                      http=httpx.Client(transport=counting)) as stranger:
        with pytest.raises(EngramClientError) as refused:
            stranger.viewer()
    assert refused.value.code == "UNAUTHENTICATED" and counting.sent == 1  # an answer is never retried

    counting = CountingTransport()
    with EngramClient(api_url, api_keys["alice"], http=httpx.Client(
            transport=counting, headers={"Authorization": f"Bearer {api_keys['alice']}"})) as alice:
        with pytest.raises(EngramClientError) as bad:
            alice.suggest_action("x", k=500)
        assert bad.value.code in ("BAD_USER_INPUT", "QUERY_TOO_COSTLY") and counting.sent == 1  # refused, not retried
        with pytest.raises(EngramClientError) as missing:
            alice.request_access("alice", ShareScope.DOMAIN, value="auth")  # one's own memories: refused
        assert missing.value.code == "BAD_USER_INPUT" and "own memories" in missing.value.message
        assert counting.sent == 2

    counting = CountingTransport()
    nowhere = f"http://127.0.0.1:{free_port()}"
    with EngramClient(nowhere, api_keys["alice"], http=httpx.Client(transport=counting)) as lost:
        with pytest.raises(EngramClientError) as down:
            lost.viewer()
    assert down.value.code == "UNAVAILABLE" and counting.sent == 4  # the first try and three retries
