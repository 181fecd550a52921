"""The request guard without a database: every string argument has a rule, cost arithmetic on real
documents, size / Unicode / secret refusals, fragment chains, Lucene queries and cursors."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import GraphQLInputObjectType, GraphQLList, GraphQLNonNull, get_named_type, parse

from engram.api.gql.guard import MAX_SPREAD_CHAIN, RequestGuard, spread_chain_depth
from engram.api.gql.input_limits import MAX_JSON_DEPTH, STRING_RULES, check_json
from engram.api.gql.pagination import decode_cursor, encode_cursor
from engram.api.gql.schema import build_schema
from engram.errors import BadInputError
from engram.memory.text import lucene_query
from engram.privacy.redaction import Redactor

REPO = Path(__file__).resolve().parents[2]
SCHEMA = build_schema()._schema


def _string_names() -> set[str]:
    """Every argument and input-field name in the schema whose type is (a list of) String or ID."""
    names: set[str] = set()
    seen: set[str] = set()

    def visit_input(kind: GraphQLInputObjectType) -> None:
        if kind.name in seen:
            return
        seen.add(kind.name)
        for name, field in kind.fields.items():
            visit_type(name, field.type)

    def visit_type(name: str, gql_type) -> None:
        named = get_named_type(gql_type)
        if named.name in ("String", "ID"):
            names.add(name)
        elif isinstance(named, GraphQLInputObjectType):
            visit_input(named)

    for kind in SCHEMA.type_map.values():
        for field in getattr(kind, "fields", {}).values() if not kind.name.startswith("__") else ():
            for arg_name, arg in getattr(field, "args", {}).items():
                visit_type(arg_name, arg.type)
    return names


def test_every_string_argument_and_input_field_has_a_rule() -> None:
    missing = _string_names() - set(STRING_RULES)
    assert not missing, f"add these to input_limits.STRING_RULES: {sorted(missing)}"


def guard(max_cost: int = 1000) -> RequestGuard:
    return RequestGuard(max_cost=max_cost, max_batch=100, redactor=Redactor())


def cost(query: str, variables: dict | None = None) -> int:
    return guard()._walk(SCHEMA, parse(query), None, variables or {})


RELATED = "related(k: 5) {{ memory {{ id {inner} }} }}"


def nested_related(levels: int) -> str:
    inner = ""
    for _ in range(levels):
        inner = RELATED.format(inner=inner)
    return f"{{ searchMemories(text: \"x\", first: 2) {{ nodes {{ memory {{ id {inner} }} }} }} }}"


def test_nested_retrievals_multiply() -> None:
    assert cost(nested_related(1)) < cost(nested_related(2)) < 1000 < cost(nested_related(3))


def test_aliases_and_k_add_up() -> None:
    one = cost("{ retrieveMemories(context: \"x\", k: 200) { score } }")
    many = cost("{ " + " ".join(f"a{i}: retrieveMemories(context: \"x\", k: 200) {{ score }}" for i in range(30)) + " }")
    assert many == 30 * one > 1000 > one


def test_variables_and_their_defaults_count() -> None:
    query = "query Q($k: Int! = 150) { retrieveMemories(context: \"x\", k: $k) { memory { related(k: $k) { score } } } }"
    assert cost(query) > cost(query, {"k": 5})
    assert cost(query, {"k": 5}) < 1000 < cost(query)


def test_fragments_are_expanded_for_cost() -> None:
    query = ("fragment R on Memory { related(k: 50) { memory { id } } }\n"
             "{ retrieveMemories(context: \"x\", k: 50) { memory { ...R } } }")
    assert cost(query) > 50 * 50


@pytest.mark.parametrize("path", sorted((REPO / "graphql" / "operations").glob("*.graphql")), ids=lambda p: p.name)
def test_shipped_operations_are_within_budget(path: Path) -> None:
    document = parse(path.read_text())
    for operation in [d for d in document.definitions if d.kind == "operation_definition"]:
        spent = guard()._walk(SCHEMA, document, operation.name.value if operation.name else None, {})
        assert spent <= 1000, (operation.name and operation.name.value, spent)


def check(field: str, arg: str, value) -> None:
    definition = (SCHEMA.query_type.fields.get(field) or SCHEMA.mutation_type.fields[field])
    guard().checker.check_argument(field, arg, definition.args[arg].type, value)


def test_size_unicode_and_secret_rules() -> None:
    check("suggest", "context", "retry the request AND bump the timeout")
    with pytest.raises(BadInputError, match="longer than"):
        check("suggest", "context", "x" * 10_001)
    with pytest.raises(BadInputError, match="at most 100 items"):
        check("suggest", "candidates", ["a"] * 101)
    with pytest.raises(BadInputError, match="Unicode"):
        check("searchMemories", "text", "bad \ud800 text")
    with pytest.raises(BadInputError, match="longer than 200"):
        check("recordMemory", "input", {"kind": "DECISION", "context": "c", "action": "a", "tags": ["t" * 201]})
    with pytest.raises(BadInputError, match="secret") as refused:
        check("recordMemory", "input", {"kind": "DECISION", "context": "c", "action": "a",
                                        "domain": "AKIAIOSFODNN7EXAMPLF"})
    assert "AKIA" not in str(refused.value)  # the message names the field, never the value
    with pytest.raises(BadInputError, match="secret"):
        check("createTask", "availableActions", ["deploy with token=ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"])
    check("recordMemory", "input", {"kind": "DECISION", "context": "password=hunter2Secret!", "action": "a"})


def test_json_depth_is_checked_without_recursion() -> None:
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(BadInputError, match="nested deeper"):
        check_json(deep, "document")
    shallow: list = []
    for _ in range(MAX_JSON_DEPTH - 1):
        shallow = [shallow]
    check_json(shallow, "document")


def test_fragment_chains_are_measured_without_recursion() -> None:
    chain = "\n".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(400))
    chain += "\nfragment F400 on Query { version }\nquery { ...F0 }"
    assert spread_chain_depth(parse(chain)) > MAX_SPREAD_CHAIN
    assert spread_chain_depth(parse("fragment A on Query { version }\nquery { ...A }")) == 1


@pytest.mark.parametrize("text", ["retry the request AND bump the timeout", "NOT this OR that", "a && b || c",
                                  "x" * 260_000, "(unbalanced [ { \" ~ ^ : \\ /"])
def test_lucene_queries_are_literal(text: str) -> None:
    query = lucene_query(text) or ""
    words = query.split(" OR ")
    assert all(w not in ("AND", "OR", "NOT", "&&", "||") for w in words)
    assert all(len(w) <= 200 for w in words)


def test_cursors_decode_only_to_small_positions() -> None:
    assert decode_cursor(encode_cursor(41)) == 41
    with pytest.raises(BadInputError):
        decode_cursor(encode_cursor(10 ** 30))
    with pytest.raises(BadInputError):
        decode_cursor(encode_cursor(-1))


def test_input_and_store_limits_stay_within_the_export_format() -> None:
    from pydantic import TypeAdapter

    from engram.knowledge.document import Name, Text
    from engram.memory import store
    from engram.api.gql.input_limits import ACTION, LABEL, TEXT

    def max_length(annotated) -> int:
        return TypeAdapter(annotated).json_schema()["maxLength"]

    assert store.MAX_TEXT == max_length(Text) and store.MAX_NAME == max_length(Name)
    assert TEXT.max_length <= store.MAX_TEXT and max(ACTION.max_length, LABEL.max_length) <= store.MAX_NAME


def test_engine_calls_past_the_request_deadline_are_refused() -> None:
    """A slow engine call (a real sleep on a worker thread) is answered DEADLINE_EXCEEDED at the deadline."""
    import asyncio
    import time
    from types import SimpleNamespace

    from engram.api.context import RequestContext
    from engram.config import Settings
    from engram.errors import DeadlineExceededError

    context = RequestContext(request=None, resources=SimpleNamespace(settings=Settings(api_request_timeout_s=0.3)),
                             token=None, loaders=None)

    async def calls() -> float:
        assert await context.run(lambda: "quick") == "quick"
        start = time.monotonic()
        with pytest.raises(DeadlineExceededError):
            await context.run(time.sleep, 2)
        with pytest.raises(DeadlineExceededError):  # later calls of the same request fail at once
            await context.run(lambda: "late")
        return time.monotonic() - start

    assert asyncio.run(calls()) < 1.0
