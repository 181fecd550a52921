"""The learning engine's trust boundary over real HTTP, tried as a hostile agent would: the template or
pattern a write joins never reveals another agent's private record, and analysis never widens a grant."""

from __future__ import annotations

import neo4j
import pytest

from engram.config import Settings
from engram.storage.schema import apply_schema
from tests.conftest import GraphQLClient

pytestmark = pytest.mark.integration

DECIDE = """mutation($input: RecordDecisionInput!) { recordDecision(input: $input) {
              memoryId templateId newTemplate branch { attempts } } }"""
FAIL = """mutation($input: LearnFromFailureInput!) { learnFromFailure(input: $input) {
            memoryId patternId newPattern occurrenceCount } }"""
GRANT = 'mutation($p: String!) { grantAccess(grantee: "carol", scope: PATTERN, value: $p) { id memoryIds } }'
ANALYZE = "mutation { analyzePatterns { failures } }"
HUMMINGBIRD = "quasar-ledger reconcile for project hummingbird"
NIGHTINGALE = "quasar-ledger reconcile for project nightingale"  # alice's, private
ERROR = "LedgerTimeout: reconcile of batch 4411 against ledger-7.internal timed out after 30s"


@pytest.fixture(autouse=True)
def _warm_server(gql: dict[str, GraphQLClient]) -> None:
    """The server loads the model on its first embedding; on a busy machine that alone can pass the request
    deadline, so a test's first write does not pay for it (a few tries; nothing is asserted here)."""
    for _ in range(3):
        if not gql["alice"].post('{ suggest(context: "warm up the model") { recommended } }').json().get("errors"):
            return


def _decide(client: GraphQLClient, context: str, **extra) -> dict:
    return client.execute(DECIDE, {"input": {"context": context, "action": "batch-reconcile", "outcome": "SUCCESS",
                                             **extra}})["recordDecision"]


def _fail(client: GraphQLClient, message: str, **extra) -> dict:
    return client.execute(FAIL, {"input": {"errorMessage": message, **extra}})["learnFromFailure"]


def test_a_decision_joins_only_a_template_holding_something_the_caller_sees(gql: dict[str, GraphQLClient]) -> None:
    """Bob's decision is nearest to alice's private template; he joins his own (the next nearest) instead, so
    templateId says nothing about alice. Once she shares, his similar decisions join hers."""
    mine = _decide(gql["bob"], HUMMINGBIRD)
    alices = _decide(gql["alice"], NIGHTINGALE)
    assert alices["templateId"] != mine["templateId"]  # bob's template holds nothing alice may see
    closer_to_alice = _decide(gql["bob"], NIGHTINGALE + " today")
    assert closer_to_alice["templateId"] == mine["templateId"]
    assert closer_to_alice["branch"]["attempts"] == 2 and not closer_to_alice["newTemplate"]
    # with nothing of his own to join, bob starts a template of his own, never alice's
    assert _decide(gql["carol"], NIGHTINGALE)["templateId"] not in (alices["templateId"], mine["templateId"])
    gql["alice"].execute('mutation($m: [String!]!) { grantAccess(grantee: "bob", scope: MEMORY, memoryIds: $m) '
                         '{ id } }', {"m": [alices["memoryId"]]})
    assert _decide(gql["bob"], NIGHTINGALE)["templateId"] == alices["templateId"]


def test_a_failure_joins_only_a_pattern_holding_something_the_caller_sees(gql: dict[str, GraphQLClient]) -> None:
    """Bob's failure has the very signature of alice's private one (exact match) or a near one (vector match):
    either way he gets a pattern of his own, and his next such failure joins it. A grant lets him join hers."""
    alices = _fail(gql["alice"], ERROR, context="nightingale reconcile")
    exact = _fail(gql["bob"], ERROR.replace("4411", "977"))
    assert exact["patternId"] != alices["patternId"] and exact["newPattern"] and exact["occurrenceCount"] == 1
    near = _fail(gql["carol"], ERROR.replace("timed out after 30s", "timed out after 30s on retry"))
    assert near["patternId"] != alices["patternId"]
    again = _fail(gql["bob"], ERROR.replace("4411", "978"), solution="bump-timeout", solutionWorked=True)
    assert again["patternId"] == exact["patternId"] and not again["newPattern"] and again["occurrenceCount"] == 2
    # the solutions of an error come from the pattern the caller sees, not the nearest of anyone's
    solutions = gql["bob"].execute('query($m: String!) { solutionsForError(message: $m) { description } }',
                                   {"m": ERROR.replace("4411", "1")})["solutionsForError"]
    assert solutions == [{"description": "bump-timeout"}]
    gql["alice"].execute('mutation { grantAccess(grantee: "carol", scope: DOMAIN, value: "ledger") { id } }')
    shared = _fail(gql["alice"], ERROR.replace("4411", "12"), domain="ledger")
    assert shared["patternId"] == alices["patternId"]
    assert _fail(gql["carol"], ERROR.replace("4411", "5"))["patternId"] == alices["patternId"]


def _account_failure(account: str) -> str:
    return f"ReconcileError: ledger lock held for account {account} during nightly close"


def test_analysis_cannot_move_more_of_the_owners_failures_under_a_pattern_grant(
        gql: dict[str, GraphQLClient], db: neo4j.Driver) -> None:
    """Carol holds alice's PATTERN grant and floods failures worded like alice's granted one (copies, for the
    majority vote, and many variants of the one word that differs, so that analysis groups them). Analysis
    re-homes alice's other, ungranted failure into the granted pattern; carol still sees only what was granted."""
    granted = _fail(gql["alice"], _account_failure("payroll"), id="alice-granted")
    other = _fail(gql["alice"], _account_failure("telescope"), id="alice-other")
    assert other["patternId"] != granted["patternId"]
    grant = gql["alice"].execute(GRANT, {"p": granted["patternId"]})["grantAccess"]
    search = '{ searchMemories(text: "ReconcileError ledger lock held for account", first: 50) ' \
             '{ nodes { memory { id agent { id } } } } }'

    def carol_sees() -> set[str]:
        nodes = gql["carol"].execute(search)["searchMemories"]["nodes"]
        exported = gql["carol"].execute('{ exportKnowledge(includeShared: true) { document } }')
        ids = {m["id"] for m in exported["exportKnowledge"]["document"]["memories"] if m["agent_id"] == "alice"}
        return {n["memory"]["id"] for n in nodes if n["memory"]["agent"]["id"] == "alice"} | ids

    assert carol_sees() == {"alice-granted"}
    for n in range(4):
        assert _fail(gql["carol"], _account_failure("payroll"))["patternId"] == granted["patternId"]
    for word in ("apple", "river", "granite", "violin", "comet", "maple", "harbor", "quartz"):
        _fail(gql["carol"], _account_failure(word))
    gql["ops"].execute(ANALYZE)
    home = db.execute_query("MATCH (:Memory {agent_id: 'alice', id: 'alice-other'})-[:INSTANCE_OF]->(p) "
                            "RETURN p.id AS p").records
    assert [r["p"] for r in home] == [granted["patternId"]]  # the attack did move it …
    assert carol_sees() == {"alice-granted"}  # … and the grant did not follow
    pattern = gql["carol"].execute('query($p: ID!) { pattern(id: $p) { occurrences similarFailures { memoryId } } }',
                                   {"p": granted["patternId"]})["pattern"]
    assert "alice-other" not in {f["memoryId"] for f in pattern["similarFailures"]}
    assert pattern["occurrences"] == 1 + 4 + 8  # alice's granted failure and carol's own
    assert grant["memoryIds"] == ["alice-granted"]  # what the grant covers, listed on it


def test_pattern_grants_from_before_get_the_memories_their_pattern_holds(gql: dict[str, GraphQLClient],
                                                                         db: neo4j.Driver, settings: Settings) -> None:
    """Migration: a pattern grant stored before snapshots (no memory ids) covers what its pattern held when the
    schema was applied, and keeps covering exactly that afterwards."""
    granted = _fail(gql["alice"], _account_failure("payroll"), id="alice-granted")
    grant_id = gql["alice"].execute(GRANT, {"p": granted["patternId"]})["grantAccess"]["id"]
    db.execute_query("MATCH (g:ShareGrant {id: $id}) SET g.memory_ids = [] REMOVE g.snapshot_at", id=grant_id)
    apply_schema(db, settings)
    apply_schema(db, settings)  # idempotent: a second run changes nothing
    stored = db.execute_query("MATCH (g:ShareGrant {id: $id}) RETURN g.memory_ids AS ids, g.snapshot_at AS at",
                              id=grant_id).records[0]
    assert stored["ids"] == ["alice-granted"] and stored["at"] is not None
    assert [n["memory"]["id"] for n in gql["carol"].execute(
        '{ searchMemories(text: "ReconcileError ledger lock", first: 10) { nodes { memory { id } } } }')
        ["searchMemories"]["nodes"]] == ["alice-granted"]
