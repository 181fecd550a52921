"""Reads bounded however much is stored, and memories bounded in size, over real HTTP and against the real
Neo4j: share requests, a pattern's failures and the pattern views read a page, not everything; cursors
reach a bounded depth; a memory over the character cap is refused and nothing of its batch is stored."""

from __future__ import annotations

from typing import Any

import neo4j
import pytest

from engram.api.gql.pagination import MAX_POSITION, encode_cursor
from engram.config import Settings
from engram.storage.catalog import catalog_for
from engram.storage.consent import ConsentRepository
from engram.storage.learning import LearningRepository
from tests.conftest import GraphQLClient

pytestmark = pytest.mark.integration


def _codes(errors: list[dict]) -> list[str]:
    return [e["extensions"]["code"] for e in errors]


def test_a_memory_over_the_character_cap_is_refused_and_nothing_of_its_batch_is_stored(
        gql: dict[str, GraphQLClient]) -> None:
    alice = gql["alice"]
    record = "mutation($inputs: [RecordMemoryInput!]!) { recordMemories(inputs: $inputs) { created } }"
    fits = {"id": "fits", "kind": "COLLABORATION", "context": "pairing", "partners": ["bob"],
            "lessons": ["x" * 9_000] * 7}
    over = {**fits, "id": "over", "lessons": ["y" * 9_000] * 8}  # 72,000 characters, each field within its limit
    errors = alice.errors(record, {"inputs": [fits, over]})
    assert _codes(errors) == ["BAD_USER_INPUT"]
    assert "limit is 65536 per memory" in errors[0]["message"] and "Memory 1" in errors[0]["message"]
    assert alice.execute("{ memories { nodes { id } } }")["memories"]["nodes"] == []
    assert alice.execute(record, {"inputs": [fits]})["recordMemories"]["created"] == 1


def test_a_cursor_past_the_deepest_position_is_bad_input(gql: dict[str, GraphQLClient]) -> None:
    query = "query($after: String) { memories(first: 5, after: $after) { nodes { id } } }"
    assert gql["alice"].execute(query, {"after": encode_cursor(MAX_POSITION - 10)})["memories"]["nodes"] == []
    errors = gql["alice"].errors(query, {"after": encode_cursor(MAX_POSITION * 5)})
    assert _codes(errors) == ["BAD_USER_INPUT"] and f"at most {MAX_POSITION} items" in errors[0]["message"]


def test_share_requests_are_read_a_page_at_a_time(gql: dict[str, GraphQLClient], db: neo4j.Driver,
                                                  settings: Settings) -> None:
    ask = 'mutation($v: String!) { requestAccess(owner: "alice", scope: DOMAIN, value: $v) { id } }'
    for requester in ("bob", "carol"):
        for domain in ("auth", "billing", "deploy"):
            gql[requester].execute(ask, {"v": domain})
    listing = ("query($after: String) { shareRequests(direction: INCOMING, first: 2, after: $after) "
               "{ nodes { id } pageInfo { hasNextPage endCursor } } }")
    whole = gql["alice"].execute("{ shareRequests(direction: INCOMING, first: 50) { nodes { id } } }")
    paged, after = [], None
    while True:
        page = gql["alice"].execute(listing, {"after": after})["shareRequests"]
        paged += [n["id"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert paged == [n["id"] for n in whole["shareRequests"]["nodes"]] and len(paged) == 6
    # Neo4j returns only the page asked for, never the whole list.
    rows = ConsentRepository(db, settings, audit=None).requests("alice", "incoming", None, offset=2, limit=3)
    assert [r.id for r in rows] == paged[2:5]


def _seed_failures(db: neo4j.Driver, settings: Settings, owner: str, count: int, *, pattern: str | None = None) -> None:
    """`count` failures of `owner`, each of its own pattern (or all of `pattern`)."""
    db.execute_query(
        "UNWIND range(1, $count) AS i "
        "MERGE (p:FailurePattern {id: coalesce($pattern, $owner + '-pattern-' + i)}) "
        "CREATE (f:Memory:Failure {id: $owner + '-failure-' + i, agent_id: $owner, context: 'ctx ' + i, "
        "       error_message: 'boom', created_at: datetime() + duration({seconds: i}), occurrences: 1})"
        "-[:INSTANCE_OF]->(p)",
        count=count, owner=owner, pattern=pattern, database_=settings.neo4j_database)


def test_a_patterns_failures_are_read_newest_first_up_to_a_limit(db: neo4j.Driver, settings: Settings) -> None:
    _seed_failures(db, settings, "alice", 12, pattern="busy-pattern")
    rows = LearningRepository(db, settings).pattern_failures("busy-pattern", "alice", limit=5)
    assert [r["failure"]["id"] for r in rows] == [f"alice-failure-{i}" for i in (12, 11, 10, 9, 8)]


def _db_hits(plan: dict[str, Any]) -> int:
    return plan.get("dbHits", 0) + sum(_db_hits(child) for child in plan.get("children", []))


def test_an_agents_pattern_view_reads_only_what_it_could_see(db: neo4j.Driver, settings: Settings) -> None:
    """alice's `patterns(first: 1)` must not cost more when other agents hold many more failures."""
    statement = catalog_for(settings.cypher_dir).get("learning/failure_pattern_views")
    params = {"agent_id": "alice", "pattern_ids": None, "since": None, "recurring": None, "recurring_at": 2,
              "limit": 1}

    def profile() -> tuple[list[str], int]:
        with db.session(database=settings.neo4j_database) as session:
            result = session.run("PROFILE " + statement, params)
            ids = [r["id"] for r in result]
            return ids, _db_hits(result.consume().profile)

    _seed_failures(db, settings, "alice", 1)
    _seed_failures(db, settings, "bob", 20)
    ids, few = profile()
    _seed_failures(db, settings, "carol", 2000)
    again, many = profile()
    assert ids == again == ["alice-pattern-1"]
    assert many < few * 1.5, (few, many)  # without the owner seek it grows with every agent's failures
    operator = LearningRepository(db, settings).failure_pattern_views(None, recurring_at=2, limit=5000)
    assert len(operator) == 2021  # the operator still sees every pattern
