"""Context-aware decisions on the real Neo4j with the real model: the evidence of similar contexts
splits into branches on a detail (table size) as outcomes accumulate, suggest / predictOutcome /
checkAction answer from the asked context's side, and the tree is built only from what the caller
may see."""

from __future__ import annotations

import pytest

from engram.entities.learning import Verdict
from engram.learning.engine import LearningEngine
from tests.conftest import GraphQLClient

pytestmark = pytest.mark.integration

TABLES = ("orders", "invoices", "customers", "events")
LARGE = ("80 million", "350 million", "1.2 billion")
SMALL = ("12 thousand", "48 thousand", "90 thousand")


def migration(i: int, size: str) -> str:
    return f"Apply schema migration {100 + i} adding an index to the {TABLES[i % len(TABLES)]} table ({size} rows)"


def test_a_branch_split_appears_as_evidence_accumulates_and_suggest_answers_per_side(learning: LearningEngine) -> None:
    large, small = migration(90, "200 million"), migration(91, "20 thousand")
    # Few outcomes: no credible difference yet, so no split.
    for i in range(2):
        learning.record_decision("alice", migration(i, LARGE[i]), "apply-directly", "failure")
        learning.record_decision("alice", migration(i + 10, SMALL[i]), "apply-directly", "success")
    early = learning.suggest("alice", large, candidates=["online-schema-change"])
    assert early.branch is not None and early.branch.conditions == ()

    for i in range(2, 9):
        learning.record_decision("alice", migration(i, LARGE[i % 3]), "apply-directly", "failure")
        learning.record_decision("alice", migration(i + 10, SMALL[i % 3]), "apply-directly", "success")
    for i in range(6):
        learning.record_decision("alice", migration(i + 20, LARGE[i % 3]), "online-schema-change", "success")
        learning.record_decision("alice", migration(i + 30, SMALL[i % 3]), "online-schema-change",
                                 "success" if i % 2 else "failure")

    on_large, on_small = learning.suggest("alice", large), learning.suggest("alice", small)
    assert on_large.recommended == "online-schema-change"
    assert on_small.recommended == "apply-directly"
    assert on_large.branch.conditions and on_small.branch.conditions
    assert on_large.branch.conditions != on_small.branch.conditions
    assert "apply-directly" in on_large.branch.why and "For contexts" in on_large.rationale
    # predict_outcome and check_action answer from the same branch.
    assert learning.predict_outcome("alice", large, "apply-directly").probability < 0.3
    assert learning.predict_outcome("alice", small, "apply-directly").probability > 0.7
    assert learning.check_action("alice", large, "apply-directly").verdict in (Verdict.warn, Verdict.block)
    assert learning.check_action("alice", small, "apply-directly").verdict is Verdict.allow

    # Bob was granted nothing: the tree, its counts and its reasons come from what he sees (nothing).
    bobs = learning.suggest("bob", large, candidates=["apply-directly", "online-schema-change"])
    assert bobs.branch is not None and bobs.branch.conditions == () and bobs.recommended is None
    assert all(a.estimate.attempts == 0 and not a.evidence for a in bobs.actions)


DEPLOY = "Roll out release {n} of the checkout service to the cluster"
RECORD = """mutation($input: RecordDecisionInput!) { recordDecision(input: $input) { memoryId } }"""
SUGGEST = """query($c: String!, $f: JSON) { suggest(context: $c, facts: $f) {
               recommended branch { conditions why } } }"""


def test_structured_facts_split_decisions_the_words_cannot(gql: dict[str, GraphQLClient]) -> None:
    """Every context reads the same; only the stated fact `env` tells where rolling updates fail."""
    for n in range(8):
        for env, rolling in (("production", "FAILURE"), ("staging", "SUCCESS")):
            gql["alice"].execute(RECORD, {"input": {"context": DEPLOY.format(n=n), "action": "rolling-update",
                                                    "outcome": rolling, "facts": {"env": env, "replicas": 12}}})
        for env, outcome in (("production", "SUCCESS"), ("staging", "SUCCESS" if n % 2 else "FAILURE")):
            gql["alice"].execute(RECORD, {"input": {"context": DEPLOY.format(n=n + 20), "action": "blue-green",
                                                    "outcome": outcome, "facts": {"env": env}}})
    asked = DEPLOY.format(n=99)
    production = gql["alice"].execute(SUGGEST, {"c": asked, "f": {"env": "Production"}})["suggest"]
    staging = gql["alice"].execute(SUGGEST, {"c": asked, "f": {"env": "staging"}})["suggest"]
    assert production["recommended"] == "blue-green" and staging["recommended"] == "rolling-update"
    assert "env = production" in production["branch"]["conditions"], production["branch"]
    # Without the fact the context lies on neither side: no split is taken for it.
    unstated = gql["alice"].execute(SUGGEST, {"c": asked})["suggest"]
    assert not any(c.startswith("env ") for c in unstated["branch"]["conditions"]), unstated["branch"]

    stored = gql["alice"].execute("""{ memories(kind: DECISION, first: 1) { nodes {
                                        ... on DecisionMemory { facts } } } }""")["memories"]["nodes"][0]
    assert stored["facts"] in ({"env": "production", "replicas": 12}, {"env": "staging", "replicas": 12},
                               {"env": "production"}, {"env": "staging"})


@pytest.mark.parametrize("facts, says", [
    ({"env=": "x"}, "without '='"), ({"": "x"}, "non-empty name"), ({"env": {"nested": 1}}, "must be a non-empty"),
    ({"env": "x" * 201}, "at most 200"), ({f"k{i}": i for i in range(33)}, "at most 32 keys"), (["env"], "object"),
])
def test_bad_facts_are_refused_and_nothing_is_stored(gql: dict[str, GraphQLClient], facts: object, says: str) -> None:
    decision = {"context": DEPLOY.format(n=1), "action": "rolling-update", "outcome": "SUCCESS", "facts": facts}
    error = gql["alice"].errors(RECORD, {"input": decision})[0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and says in error["message"], error
    assert gql["alice"].errors(SUGGEST, {"c": "anything", "f": facts})[0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert gql["alice"].execute("{ memories { nodes { id } } }")["memories"]["nodes"] == []
