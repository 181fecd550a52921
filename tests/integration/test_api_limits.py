"""Cost and size limits over real HTTP: the attack shapes of issue 13 are refused before any work,
with QUERY_TOO_COSTLY or BAD_USER_INPUT, and /health keeps answering while they run."""

from __future__ import annotations

import statistics
import threading
import time

import httpx
import pytest

from tests.conftest import GraphQLClient

pytestmark = pytest.mark.integration

FAST = 5.0  # seconds: a refusal costs the server no real work (generous: the test machine is shared)


def refused(client: GraphQLClient, query: str, variables: dict | None = None, *, code: str) -> dict:
    start = time.monotonic()
    response = client.post(query, variables)
    elapsed = time.monotonic() - start
    assert response.status_code < 500, response.text
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == code, body["errors"]
    assert body.get("data") is None, body
    assert elapsed < FAST, f"refused only after {elapsed:.1f}s"
    return body["errors"][0]


def nested_related(levels: int, first: int = 2, k: int = 5) -> str:
    inner = ""
    for _ in range(levels):
        inner = f"related(k: {k}) {{ memory {{ id {inner} }} }}"
    return f'{{ searchMemories(text: "timeout", first: {first}) {{ nodes {{ memory {{ id {inner} }} }} }} }}'


def seed(client: GraphQLClient, n: int = 12) -> None:
    inputs = [{"kind": "DECISION", "context": f"request {i} timed out talking to the billing service",
               "action": f"retry with backoff {i % 3}", "outcome": "SUCCESS"} for i in range(n)]
    client.execute("mutation($i: [RecordMemoryInput!]!) { recordMemories(inputs: $i) { created } }", {"i": inputs})


# The shapes of the issue, each as (query, variables).
def attack_shapes() -> list[tuple[str, dict]]:
    aliases = " ".join(f'a{i}: retrieveMemories(context: "timeout", k: 200) {{ score }}' for i in range(30))
    return [
        (nested_related(3), {}),
        (f"{{ {aliases} }}", {}),
        ("mutation($i: [RecordMemoryInput!]!) { recordMemories(inputs: $i) { created } }",
         {"i": [{"kind": "DECISION", "context": "c", "action": "a"}] * 10_000}),
        ("query($c: [String!]) { suggest(context: \"deploy\", candidates: $c) { recommended } }",
         {"c": [f"action {i}" for i in range(20_000)]}),
        ("query($t: String!) { retrieveMemories(context: $t) { score } }", {"t": "word " * 190_000}),
    ]


def test_nested_retrievals_are_too_costly(gql: dict[str, GraphQLClient]) -> None:
    seed(gql["alice"])
    error = refused(gql["alice"], nested_related(3), code="QUERY_TOO_COSTLY")
    assert "limit is 1000" in error["message"]
    # one level less is an ordinary request and runs
    assert gql["alice"].execute(nested_related(2))["searchMemories"]["nodes"]


def test_aliases_of_large_retrievals_are_too_costly(gql: dict[str, GraphQLClient]) -> None:
    query, _ = attack_shapes()[1]
    refused(gql["alice"], query, code="QUERY_TOO_COSTLY")
    deep_default = "query($k: Int! = 200) { a: retrieveMemories(context: \"x\", k: $k) { memory { related(k: $k) { score } } } }"
    refused(gql["alice"], deep_default, code="QUERY_TOO_COSTLY")


def test_a_cached_document_is_still_checked_on_every_request(gql: dict[str, GraphQLClient]) -> None:
    """Parsing and validation are cached per document (api/gql/document_cache.py); the cost, which depends on
    the variables, and the limits and errors of a document are the same on its first request and later ones."""
    seed(gql["alice"])
    cheap_or_not = "query($k: Int!) { a: retrieveMemories(context: \"timeout\", k: $k) { memory { related(k: $k) { score } } } }"
    for _ in range(2):
        assert gql["alice"].execute(cheap_or_not, {"k": 2})["a"]
        refused(gql["alice"], cheap_or_not, {"k": 200}, code="QUERY_TOO_COSTLY")
        refused(gql["alice"], nested_related(13, first=1, k=1), code="GRAPHQL_VALIDATION_FAILED")  # too deep
        refused(gql["alice"], "{ searchMemories(text: ", code="GRAPHQL_PARSE_FAILED")


@pytest.mark.parametrize("shape", [2, 3, 4], ids=["10k-batch", "20k-candidates", "950kB-context"])
def test_oversized_inputs_are_refused_before_any_work(gql: dict[str, GraphQLClient], shape: int) -> None:
    query, variables = attack_shapes()[shape]
    error = refused(gql["alice"], query, variables, code="BAD_USER_INPUT")
    assert "word word" not in error["message"] and "action 1" not in error["message"]  # never echoed


def test_every_list_and_string_argument_is_bounded(gql: dict[str, GraphQLClient]) -> None:
    long_label = "x" * 40_000  # over Neo4j's index key limit
    cases = [
        ('mutation($v: RecordMemoryInput!) { recordMemory(input: $v) { id } }',
         {"v": {"kind": "DECISION", "context": "c", "action": "a", "id": long_label}}),
        ('mutation($v: RecordMemoryInput!) { recordMemory(input: $v) { id } }',
         {"v": {"kind": "DECISION", "context": "c", "action": "a", "tags": [long_label]}}),
        ('mutation($v: RecordMemoryInput!) { recordMemory(input: $v) { id } }',
         {"v": {"kind": "KNOWLEDGE", "context": "c", "domain": long_label}}),
        ('mutation($v: RecordDecisionInput!) { recordDecision(input: $v) { memoryId } }',
         {"v": {"context": "c", "action": long_label, "outcome": "SUCCESS"}}),
        ('mutation($v: [String!]) { createTask(context: "c", availableActions: $v) { id } }',
         {"v": ["a"] * 101}),
        ('mutation($v: [String!]) { requestAccess(owner: "bob", scope: MEMORY, memoryIds: $v) { id } }',
         {"v": ["m"] * 501}),
        ('query($v: String) { memories(after: $v) { nodes { id } } }', {"v": long_label}),
    ]
    for query, variables in cases:
        refused(gql["alice"], query, variables, code="BAD_USER_INPUT")
    assert gql["alice"].execute("{ memories { nodes { id } } }")["memories"]["nodes"] == []  # nothing stored


def test_health_answers_fast_while_the_attack_shapes_run(api_url: str, gql: dict[str, GraphQLClient]) -> None:
    """/health p99 while several callers send the refused shapes and the dearest shapes still allowed."""
    seed(gql["alice"], 30)
    allowed = [
        (nested_related(2, first=5), {}),
        ("{ " + " ".join(f'a{i}: retrieveMemories(context: "timeout {i}", k: 200) {{ score }}' for i in range(4))
         + " }", {}),
        ("mutation($i: [RecordMemoryInput!]!) { recordMemories(inputs: $i) { created } }",
         {"i": [{"kind": "DECISION", "context": f"{i} " + "deploy the service " * 50, "action": "roll back"}
                for i in range(100)]}),
    ]
    shapes = attack_shapes() + allowed
    stop = threading.Event()
    sent = [0]

    def attacker(offset: int) -> None:
        i = offset
        with httpx.Client(timeout=120) as client:
            while not stop.is_set():
                query, variables = shapes[i % len(shapes)]
                response = client.post(f"{api_url}/graphql", json={"query": query, "variables": variables},
                                       headers={"Authorization": f"Bearer {gql['alice'].key}"})
                assert response.status_code < 500
                sent[0] += 1
                i += 1

    threads = [threading.Thread(target=attacker, args=(n,), daemon=True) for n in range(4)]
    for thread in threads:
        thread.start()
    latencies: dict[str, list[float]] = {"/health": [], "/": []}  # "/" is a redirect: no IO at all
    try:
        with httpx.Client(timeout=30) as client:
            deadline = time.monotonic() + 25
            while time.monotonic() < deadline:
                for path, seen in latencies.items():
                    start = time.monotonic()
                    assert client.get(f"{api_url}{path}").status_code in (200, 307)
                    seen.append(time.monotonic() - start)
                time.sleep(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
    p50, p99 = {}, {}
    for path, seen in latencies.items():
        seen.sort()
        p50[path] = statistics.median(seen)
        p99[path] = seen[min(len(seen) - 1, int(0.99 * len(seen)))]
        print(f"\n{path} under attack: {len(seen)} probes, p50 {statistics.median(seen) * 1000:.0f} ms, "
              f"p99 {p99[path] * 1000:.0f} ms, max {seen[-1] * 1000:.0f} ms", end="")
    print(f"; {sent[0]} attack requests sent")
    assert sent[0] > len(shapes)
    # /health waits for nothing but the event loop itself: it answers like a route with no IO at all (the
    # tails of both depend on how loaded the machine is; the closing note of issue 13 gives the figures).
    assert p50["/health"] <= p50["/"] + 0.05
    assert p99["/health"] < 2.0


def test_one_key_flooding_is_rate_limited_before_any_work_and_others_are_served(
        api_url: str, gql: dict[str, GraphQLClient], db) -> None:
    """Per-key fairness: past ENGRAM_API_MAX_IN_FLIGHT_PER_KEY (4) requests in flight, alice gets HTTP 429
    RATE_LIMITED at once, with nothing written, while bob is served normally meanwhile."""
    size = 20
    batch = {"i": [{"kind": "DECISION", "context": f"{i} " + "deploy the billing service again " * 30,
                    "action": "roll back"} for i in range(size)]}
    query = "mutation($i: [RecordMemoryInput!]!) { recordMemories(inputs: $i) { created } }"
    start = threading.Barrier(12)
    answers: list[tuple[int, str | None, float]] = []

    def flood() -> None:
        with httpx.Client(timeout=120) as client:
            start.wait()
            began = time.monotonic()
            response = client.post(f"{api_url}/graphql", json={"query": query, "variables": batch},
                                   headers={"Authorization": f"Bearer {gql['alice'].key}"})
            errors = response.json().get("errors") or [{}]
            answers.append((response.status_code, errors[0].get("extensions", {}).get("code"),
                            time.monotonic() - began))

    threads = [threading.Thread(target=flood) for _ in range(12)]
    for thread in threads:
        thread.start()
    served = gql["bob"].execute("{ me { id } }")  # another key is never counted against alice's
    for thread in threads:
        thread.join(timeout=180)
    assert served == {"me": {"id": "bob"}}
    limited = [a for a in answers if a[0] == 429]
    # admitted: served (on a badly overloaded machine one may run past its deadline, its write still lands)
    admitted = [a for a in answers if a[0] == 200 and a[1] in (None, "DEADLINE_EXCEEDED")]
    assert len(answers) == 12 and len(limited) + len(admitted) == 12, answers
    assert len(admitted) >= 1 and len(limited) >= 1, answers
    assert all(code == "RATE_LIMITED" and elapsed < FAST for _, code, elapsed in limited), limited
    # a refused request wrote nothing: alice holds exactly the admitted batches (waiting for late writes)
    deadline, stored = time.monotonic() + 120, -1
    while time.monotonic() < deadline:
        stored = db.execute_query("MATCH (m:Memory {agent_id: 'alice'}) RETURN count(m) AS n").records[0]["n"]
        if stored >= size * len(admitted):
            break
        time.sleep(0.5)
    time.sleep(1)
    assert db.execute_query("MATCH (m:Memory {agent_id: 'alice'}) RETURN count(m) AS n").records[0]["n"] \
        == stored == size * len(admitted)
    assert gql["alice"].execute("{ me { id } }") == {"me": {"id": "alice"}}  # served again once they finished
