"""Prevention that prevents, on the real Neo4j with the real model: a check reaches the agent about to act
(naming itself, its step and the better action), execute_with_memory applies it, each check keeps its
record (shown, followed, ignored, before), a check that lowers failures in its context is promoted and
one that does not help is retired — and all of it only from what the caller may see."""

from __future__ import annotations

import neo4j
import pytest

from engram.config import Settings
from engram.entities.learning import CheckStatus, Verdict
from engram.errors import NotFoundError
from engram.learning.engine import LearningEngine
from engram.learning.tasks import apply_check
from engram.storage.schema import apply_schema
from tests.conftest import GraphQLClient

pytestmark = pytest.mark.integration

TABLES = ("orders", "invoices", "customers", "events", "payments")


def migration(i: int) -> str:
    return f"Apply schema migration {300 + i} adding an index to the {TABLES[i % len(TABLES)]} table (80 million rows)"


def deploy(i: int) -> str:
    return f"Deploy {('checkout', 'billing', 'search')[i % 3]} v2.{i} to production in eu-west-1"


def lock_timeout(i: int) -> str:
    return f"Lock wait timeout exceeded; try restarting transaction (table {TABLES[i % len(TABLES)]})"


def seed_migrations(learning: LearningEngine, agent: str = "alice", n: int = 8) -> None:
    """Before any check: applying directly on big tables mostly fails with a lock timeout, and the online
    schema change that followed resolved it."""
    for i in range(n):
        ok = i % 4 == 3
        learning.record_decision(agent, migration(i), "apply-directly", "success" if ok else "failure")
        if not ok:
            learning.learn_from_failure(agent, lock_timeout(i), context=migration(i), failed_action="apply-directly",
                                        solution="online-schema-change", solution_worked=True)


def cause_check(checks, action: str):
    return next(c for c in checks if c.source == "cause" and action in c.guards_actions)


def test_a_followed_check_lowers_failures_in_its_context_and_is_promoted(learning: LearningEngine) -> None:
    seed_migrations(learning)
    before = learning.check_action("alice", migration(50), "apply-directly")
    check = cause_check(before.checks, "apply-directly")
    # The check reaches the agent about to act: named, with its step and the better action.
    assert before.verdict is Verdict.warn and before.token
    assert before.better_action == "online-schema-change" == check.better_action
    assert check.step == "do online-schema-change instead of apply-directly"
    assert any(check.id in r and check.step in r for r in before.reasons)

    outcomes = []
    for i in range(100, 112):
        shown = learning.check_action("alice", migration(i), "apply-directly")
        action = apply_check("apply-directly", shown, ["apply-directly", "online-schema-change"])
        ok = i % 6 != 0  # the online change mostly works here
        outcomes.append(ok)
        learning.record_decision("alice", migration(i), action, "success" if ok else "failure",
                                 check_token=shown.token, memory_id=f"d-{i}")
    # A retry of a decision counts once.
    learning.record_decision("alice", migration(111), "online-schema-change", "success" if outcomes[-1] else "failure",
                             check_token=shown.token, memory_id="d-111")

    [listed] = [c for c in learning.prevention_checks("alice") if c.id == check.id]
    r = listed.record
    assert r.followed.attempts == 12 and r.ignored.attempts == 0 and r.shown >= 12
    assert r.before.attempts >= 6
    followed_failures = 1 - r.followed.successes / r.followed.attempts
    before_failures = 1 - r.before.successes / r.before.attempts
    assert followed_failures < before_failures / 2
    assert listed.status is CheckStatus.promoted and learning.prevention_checks("alice")[0].status is CheckStatus.promoted
    # Promoted: the guard now blocks the action it guards.
    after = learning.check_action("alice", migration(200), "apply-directly")
    assert after.verdict is Verdict.block and after.better_action == "online-schema-change"
    # The operator's list reports the same record on the stored check.
    learning.generate_prevention(listed.pattern_id)
    [stored] = [c for c in learning.prevention_checks(None) if c.id == check.id]
    assert stored.status is CheckStatus.promoted and stored.record.followed.attempts == 12


def test_a_check_that_does_not_help_is_retired_and_no_longer_shown(learning: LearningEngine) -> None:
    # Rolling updates to production fail half the time; twice blue-green followed and worked, so a check
    # asks for blue-green instead — but in these contexts blue-green fails whenever it is followed.
    for i in range(10):
        ok = i % 2 == 0
        learning.record_decision("alice", deploy(i), "rolling-update", "success" if ok else "failure")
        if not ok:
            learning.learn_from_failure(
                "alice", f"Deployment exceeded its progress deadline: {i % 3 + 1} of 6 replicas unavailable",
                context=deploy(i), failed_action="rolling-update",
                solution="blue-green-deploy" if i < 5 else None, solution_worked=True if i < 5 else None)
    first = learning.check_action("alice", deploy(40), "rolling-update")
    check = cause_check(first.checks, "rolling-update")
    assert check.better_action == "blue-green-deploy" and first.better_action == "blue-green-deploy"

    for i in range(100, 120):
        shown = learning.check_action("alice", deploy(i), "rolling-update")
        if not any(c.id == check.id for c in shown.checks):
            break
        action = apply_check("rolling-update", shown, ["rolling-update", "blue-green-deploy", "recreate-pods"])
        assert action == "blue-green-deploy"
        learning.record_decision("alice", deploy(i), action, "failure", check_token=shown.token)

    [listed] = [c for c in learning.prevention_checks("alice") if c.id == check.id]
    r = listed.record
    assert r.followed.attempts >= 2 and r.followed.successes == 0
    assert listed.status is CheckStatus.retired
    later = learning.check_action("alice", deploy(300), "rolling-update")
    assert check.id not in {c.id for c in later.checks}
    assert not any(check.id in reason for reason in later.reasons)


def test_records_are_per_caller_and_a_decision_links_only_to_its_own_agents_showing(learning: LearningEngine) -> None:
    seed_migrations(learning)
    shown = learning.check_action("alice", migration(60), "apply-directly")
    check = cause_check(shown.checks, "apply-directly")
    with pytest.raises(NotFoundError):
        learning.record_decision("bob", migration(60), "online-schema-change", "success", check_token=shown.token)
    assert learning.memories.list("bob") == []  # refused before anything was recorded
    with pytest.raises(NotFoundError):
        learning.record_decision("alice", migration(61), "online-schema-change", "success", check_token="show-forged")
    learning.record_decision("alice", migration(60), "online-schema-change", "success", check_token=shown.token)
    # Bob sees none of alice's failures: no check, no record.
    assert learning.prevention_checks("bob") == []
    [mine] = [c for c in learning.prevention_checks("alice") if c.id == check.id]
    assert mine.record.followed.attempts == 1


def record_of(learning: LearningEngine, agent: str | None, check_id: str):
    return next(c for c in learning.prevention_checks(agent) if c.id == check_id).record


def showings(db: neo4j.Driver, settings: Settings) -> int:
    return db.execute_query("MATCH (s:CheckShowing) RETURN count(s) AS n",
                            database_=settings.neo4j_database).records[0]["n"]


def test_an_expired_token_is_refused_and_analysis_deletes_its_showing_while_the_record_keeps_its_counts(
        learning: LearningEngine, db: neo4j.Driver, settings: Settings) -> None:
    seed_migrations(learning)
    tokens = []
    for i in range(100, 104):
        shown = learning.check_action("alice", migration(i), "apply-directly")
        tokens.append(shown.token)
        learning.record_decision("alice", migration(i), "online-schema-change", "success", check_token=shown.token,
                                 memory_id=f"d-{i}")
    unused = learning.check_action("alice", migration(150), "apply-directly")
    check = cause_check(unused.checks, "apply-directly")
    before = record_of(learning, "alice", check.id)
    assert before.shown == 5 and before.followed.attempts == 4 and showings(db, settings) == 5

    # A day and more passes for every showing but the one of d-103.
    db.execute_query("MATCH (s:CheckShowing) WHERE s.id <> $keep SET s.created_at = datetime() - duration({hours: 25})",
                     keep=tokens[-1], database_=settings.neo4j_database)
    with pytest.raises(NotFoundError, match="valid"):
        learning.record_decision("alice", migration(150), "online-schema-change", "success", check_token=unused.token)
    assert learning.analyze().expired_check_showings == 4 and showings(db, settings) == 1
    after = record_of(learning, "alice", check.id)
    assert (after.shown, after.followed, after.ignored, after.before) == (
        before.shown, before.followed, before.ignored, before.before)
    assert record_of(learning, None, check.id).shown == 5  # the operator's count too

    # The same check shown again for the same context and action is a new showing with a live token.
    again = learning.check_action("alice", migration(150), "apply-directly")
    assert again.token == unused.token
    learning.record_decision("alice", migration(150), "online-schema-change", "success", check_token=again.token)
    renewed = record_of(learning, "alice", check.id)
    assert renewed.shown == 6 and renewed.followed.attempts == 5


def test_records_stored_before_the_per_check_links_read_the_same_after_the_migration(
        learning: LearningEngine, db: neo4j.Driver, settings: Settings) -> None:
    seed_migrations(learning)
    seed_migrations(learning, agent="bob")
    check_ids = set()
    for agent in ("alice", "bob"):
        for i in range(100, 106):
            shown = learning.check_action(agent, migration(i), "apply-directly")
            check_ids |= {c.id for c in shown.checks}
            action = "apply-directly" if i % 3 == 0 else "online-schema-change"
            learning.record_decision(agent, migration(i), action, "failure" if i % 3 == 0 else "success",
                                     check_token=shown.token)
        learning.check_action(agent, migration(200), "apply-directly")  # shown, not acted on

    def records() -> dict:
        return {who: sorted(((c.id, c.record) for c in learning.prevention_checks(who) if c.id in check_ids),
                            key=lambda pair: pair[0]) for who in ("alice", "bob")}

    current = records()
    assert any(r.shown and r.followed.attempts and r.ignored.attempts for _, r in current["alice"])

    # Back to the layout stored before: decisions linked to the showing, counts read from the showings.
    db.execute_query("""MATCH (d:Memory:Decision)-[w:ACTED_WITH]->(:CheckTrack)
                        MATCH (s:CheckShowing {id: w.showing})
                        MERGE (d)-[a:ACTED_ON]->(s) ON CREATE SET a.followed = w.followed
                        DELETE w""", database_=settings.neo4j_database)
    db.execute_query("MATCH (:Agent)-[c:SAW_CHECK]->(:CheckTrack) DELETE c", database_=settings.neo4j_database)
    apply_schema(db, settings)
    apply_schema(db, settings)  # the migrations run at every start: a second run changes nothing
    assert records() == current
    left = db.execute_query("MATCH ()-[a:ACTED_ON]->() RETURN count(a) AS n", database_=settings.neo4j_database)
    assert left.records[0]["n"] == 0


CHECK = """query($c: String!, $a: String!) { checkAction(context: $c, intendedAction: $a) {
  verdict betterAction token preventionChecks { id step betterAction guardsActions status } } }"""
RECORD = "mutation($i: RecordDecisionInput!) { recordDecision(input: $i) { memoryId } }"
LEARN = "mutation($i: LearnFromFailureInput!) { learnFromFailure(input: $i) { patternId } }"
CHECKS = """{ preventionChecks { id status shown step betterAction followed { attempts successes }
  ignored { attempts successes } before { attempts successes } } }"""


def test_over_http_check_action_names_the_check_and_the_decision_counts_in_its_record(
        gql: dict[str, GraphQLClient]) -> None:
    alice, bob = gql["alice"], gql["bob"]
    for i in range(6):
        alice.execute(RECORD, {"i": {"context": migration(i), "action": "apply-directly", "outcome": "FAILURE"}})
        alice.execute(LEARN, {"i": {"errorMessage": lock_timeout(i), "context": migration(i),
                                    "failedAction": "apply-directly", "solution": "online-schema-change",
                                    "solutionWorked": True}})
    answer = alice.execute(CHECK, {"c": migration(70), "a": "apply-directly"})["checkAction"]
    guard = next(c for c in answer["preventionChecks"] if "apply-directly" in c["guardsActions"])
    assert answer["verdict"] in ("WARN", "BLOCK") and answer["betterAction"] == "online-schema-change" and answer["token"]
    assert guard["betterAction"] == "online-schema-change" and guard["status"] == "TRIAL" and guard["step"]

    errors = bob.errors(RECORD, {"i": {"context": migration(70), "action": "online-schema-change",
                                       "outcome": "SUCCESS", "checkToken": answer["token"]}})
    assert errors[0]["extensions"]["code"] == "NOT_FOUND" and answer["token"] in errors[0]["message"]
    assert bob.execute("{ memories { nodes { id } } }")["memories"]["nodes"] == []
    for _ in range(2):  # a retry of the same decision counts once
        alice.execute(RECORD, {"i": {"id": "followed-1", "context": migration(70), "action": "online-schema-change",
                                     "outcome": "SUCCESS", "checkToken": answer["token"]}})
    record = next(c for c in alice.execute(CHECKS)["preventionChecks"] if c["id"] == guard["id"])
    assert record["shown"] == 1 and record["followed"] == {"attempts": 1.0, "successes": 1.0}
    assert record["ignored"]["attempts"] == 0 and record["before"]["attempts"] == 6
    assert bob.execute(CHECKS)["preventionChecks"] == []
