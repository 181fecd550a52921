"""Schema-driven fuzzing over real HTTP against the real stack: documents for every query and mutation
from hypothesis-graphql (literal arguments), and documents whose arguments are all variables filled
with arbitrary values (any Unicode including lone surrogates, long strings, long lists, huge numbers,
nested JSON). No response may be a 5xx or carry an INTERNAL error, and /health stays healthy.

Bounded by wall-clock time (FUZZ_SECONDS, default 100 s) rather than by example count."""

from __future__ import annotations

import os
import re
import time
from datetime import UTC
from pathlib import Path

import httpx
import pytest
from graphql import (
    GraphQLEnumType, GraphQLInputObjectType, GraphQLList, GraphQLNonNull, GraphQLScalarType, get_named_type,
)
from hypothesis import HealthCheck, Phase, given, settings as hypothesis_settings, strategies as st
from hypothesis_graphql import from_schema, nodes

from engram.api.gql.schema import build_schema, sdl
from engram.auth.service import ApiKeyService
from tests.conftest import GraphQLClient

pytestmark = pytest.mark.integration

FUZZ_SECONDS = float(os.environ.get("FUZZ_SECONDS", "100"))
SCHEMA = build_schema()._schema
INTERNAL_CODES = {"INTERNAL_SERVER_ERROR", "INTERNAL"}

# ---- strategy B: every argument a variable, values drawn per input type
ANY_TEXT = st.one_of(
    st.text(st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF), max_size=40),  # surrogates too
    st.sampled_from(["retry AND bump", "NOT x OR y", "a && b || !c", "(", "\"", "*", "~", "field:value", ""]),
    st.integers(0, 60_000).map(lambda n: "w" * n),  # one long word, under and over every limit
    st.integers(0, 3_000).map(lambda n: "word " * n),
)
JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers(-2 ** 53, 2 ** 53) | ANY_TEXT,
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4),
                           max_leaves=20)


def value_strategy(gql_type, depth: int = 0) -> st.SearchStrategy:
    if isinstance(gql_type, GraphQLNonNull):
        return value_strategy(gql_type.of_type, depth)
    nullable = st.none()
    if isinstance(gql_type, GraphQLList):
        item = value_strategy(gql_type.of_type, depth + 1)
        sizes = st.one_of(st.lists(item, max_size=5),
                          st.integers(0, 25_000).map(lambda n: ["x"] * n))
        return nullable | sizes
    if isinstance(gql_type, GraphQLInputObjectType):
        if depth > 3:
            return nullable
        fields = {name: value_strategy(field.type, depth + 1) for name, field in gql_type.fields.items()}
        required = {n: s for n, s in fields.items() if isinstance(gql_type.fields[n].type, GraphQLNonNull)}
        optional = {n: s for n, s in fields.items() if n not in required}
        return nullable | st.fixed_dictionaries(required, optional=optional)
    if isinstance(gql_type, GraphQLEnumType):
        return nullable | st.sampled_from(list(gql_type.values)) | ANY_TEXT
    assert isinstance(gql_type, GraphQLScalarType)
    return nullable | {
        "String": ANY_TEXT, "ID": ANY_TEXT, "Boolean": st.booleans(),
        "Int": st.one_of(st.integers(-10, 300), st.integers(-2 ** 70, 2 ** 70)),
        "Float": st.floats(allow_nan=False, allow_infinity=False),
        "DateTime": st.one_of(st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat()), ANY_TEXT),
        "JSON": JSON_VALUES,
    }.get(gql_type.name, ANY_TEXT)


@st.composite
def variable_documents(draw) -> tuple[str, dict]:
    kind, root = draw(st.sampled_from([("query", SCHEMA.query_type), ("mutation", SCHEMA.mutation_type)]))
    name = draw(st.sampled_from(sorted(root.fields)))
    field = root.fields[name]
    declared, passed, values = [], [], {}
    for arg_name, arg in field.args.items():
        if isinstance(arg.type, GraphQLNonNull) or draw(st.booleans()):
            declared.append(f"${arg_name}: {arg.type}")
            passed.append(f"{arg_name}: ${arg_name}")
            values[arg_name] = draw(value_strategy(arg.type))
    named = get_named_type(field.type)
    selection = "" if isinstance(named, (GraphQLScalarType, GraphQLEnumType)) else " { __typename }"
    head = f"({', '.join(declared)})" if declared else ""
    call = f"({', '.join(passed)})" if passed else ""
    return f"{kind} F{head} {{ {name}{call}{selection} }}", values


# ---- strategy A: hypothesis-graphql's documents with literal arguments
LITERAL_DOCUMENTS = from_schema(
    sdl(),
    custom_scalars={
        "DateTime": st.datetimes(timezones=st.just(UTC)).map(lambda d: nodes.String(d.isoformat())),
        "JSON": st.one_of(st.text(max_size=20).map(nodes.String), st.integers(-1000, 1000).map(nodes.Int)),
    },
).map(lambda document: (document, {}))


class Fuzzer:
    def __init__(self, api_url: str, keys: dict[str, str], issue_key) -> None:
        self.url = f"{api_url}/graphql"
        self.keys = keys
        self.issue_key = issue_key
        self.client = httpx.Client(timeout=120)
        self.requests = 0
        self.waiting = 0.0  # seconds spent waiting for the server (the rest is generating)
        self.slowest: list[tuple[float, str]] = []
        self.codes: dict[str, int] = {}
        self.failures: list[str] = []
        self.started = time.monotonic()

    def out_of_time(self) -> bool:
        return time.monotonic() - self.started > FUZZ_SECONDS

    def send(self, agent: str, query: str, variables: dict) -> None:
        from json import dumps

        body = dumps({"query": query, "variables": variables})  # lone surrogates go as \ud800 escapes
        start = time.monotonic()
        response = self.client.post(self.url, content=body, headers={
            "content-type": "application/json", "Authorization": f"Bearer {self.keys[agent]}"})
        took = time.monotonic() - start
        self.waiting += took
        self.slowest = sorted([*self.slowest, (took, query[:120])], reverse=True)[:5]
        self.requests += 1
        if response.status_code >= 500:
            self.failures.append(f"HTTP {response.status_code} for {query[:300]!r}")
            return
        try:
            errors = response.json().get("errors") or []
        except ValueError:
            errors = []
        for error in errors:
            code = (error.get("extensions") or {}).get("code", "NO_CODE")
            self.codes[code] = self.codes.get(code, 0) + 1
            if code in INTERNAL_CODES or code == "NO_CODE":
                self.failures.append(f"{code} for {query[:300]!r} {str(variables)[:300]}")
            if code == "UNAUTHENTICATED":  # the fuzzer rotated or revoked the key it used: issue a fresh one
                self.keys[agent] = self.issue_key(agent)


def server_errors(log: Path, since: int) -> str:
    """The server's ERROR entries (traceback included, caller input cut out) logged after byte `since`."""
    text = log.read_bytes()[since:].decode("utf-8", "replace")
    entries = re.split(r"\n(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ )", text)
    return "\n".join(e for e in entries if " ERROR " in e.split("\n", 1)[0])[-6000:]


def test_fuzz_every_field_and_mutation(api_url: str, api_log: Path, api_keys: dict[str, str], db, settings,
                                       gql: dict[str, GraphQLClient]) -> None:
    log_start = api_log.stat().st_size
    alice = gql["alice"]
    alice.execute("mutation($i: [RecordMemoryInput!]!) { recordMemories(inputs: $i) { created } }", {"i": [
        {"kind": "DECISION", "context": f"deploy {i} failed with a timeout", "action": "retry", "outcome": "FAILURE",
         "tags": ["deploy"], "domain": "ops"} for i in range(5)]})
    alice.execute('mutation { learnFromFailure(input: {errorMessage: "connection refused to db:5432", '
                  'solution: "restart the pool"}) { patternId } }')
    keys = ApiKeyService(db, settings)
    fuzzer = Fuzzer(api_url, {"alice": api_keys["alice"], "ops": api_keys["ops"]},
                    lambda agent: keys.issue_key(agent).token)

    @hypothesis_settings(max_examples=50, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(document=st.one_of(LITERAL_DOCUMENTS, variable_documents()), agent=st.sampled_from(["alice", "ops"]))
    def fuzz(document: tuple[str, dict], agent: str) -> None:
        if not fuzzer.out_of_time():
            query, variables = document
            fuzzer.send(agent, query, variables)

    while not fuzzer.out_of_time():  # rounds of 50 examples until the time budget is spent
        fuzz()
    health = httpx.get(f"{api_url}/health", timeout=30)
    print(f"\nfuzz: {fuzzer.requests} requests in {time.monotonic() - fuzzer.started:.0f} s; error codes "
          f"{dict(sorted(fuzzer.codes.items()))}; INTERNAL/5xx: {len(fuzzer.failures)}; "
          f"{fuzzer.waiting:.0f} s waiting for the server; slowest {fuzzer.slowest[:3]}")
    assert fuzzer.requests >= 50
    assert not fuzzer.failures, "\n".join(fuzzer.failures[:10]) + "\nserver log:\n" + server_errors(api_log, log_start)
    assert health.status_code == 200 and health.json()["status"] == "ok"
