"""The learning engine on the real Neo4j, the real model and real GDS."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import neo4j
import pytest

from engram.config import Settings
from engram.embeddings import SentenceTransformerEmbedder
from engram.entities.learning import Verdict
from engram.errors import BadInputError, NotFoundError
from engram.learning.engine import LearningEngine
from engram.memory.builder import build_memory
from engram.seeding import load_seeds
from engram.storage.gds import GraphAlgorithms
from engram.privacy.audit import AuditLog
from engram.privacy.consent import ConsentService
from engram.services import Services, build_services

pytestmark = pytest.mark.integration

CONTEXT = "payment API returns 502 from the upstream gateway"


@pytest.fixture
def engine(learning: LearningEngine) -> LearningEngine:
    return learning


def _count(db: neo4j.Driver, query: str, **params) -> int:
    return db.execute_query(query, params).records[0][0]


def test_one_success_in_one_attempt_is_not_100_percent(engine: LearningEngine, db: neo4j.Driver) -> None:
    first = engine.record_decision("alice", CONTEXT, "retry-with-backoff", "success", memory_id="d1")
    assert first.new_template
    assert first.branch.attempts == 1 and first.branch.mean == pytest.approx(2 / 3)
    assert first.branch.lower < 0.3 and first.branch.upper > 0.95
    again = engine.record_decision("alice", CONTEXT, "retry-with-backoff", "success", memory_id="d1")
    assert again.branch.attempts == 1, "re-recording the same decision must not count twice"
    paraphrase = engine.record_decision("alice", "the payment API keeps answering 502 from the gateway",
                                        "retry-with-backoff", "failure", informed_by=["d1"], memory_id="d2")
    assert paraphrase.template_id == first.template_id and not paraphrase.new_template
    assert paraphrase.branch.attempts == 2 and paraphrase.branch.successes == 1
    assert _count(db, "MATCH (:Memory {id: 'd2'})-[:INFORMED_BY]->(:Memory {id: 'd1'}) RETURN count(*)") == 1
    assert engine.stats("alice").informed_share == pytest.approx(0.5)


def test_a_suggestion_flips_to_the_better_action_as_evidence_accumulates(engine: LearningEngine) -> None:
    engine.record_decision("alice", CONTEXT, "increase-timeout", "success")  # one lucky outcome
    first = engine.suggest("alice", CONTEXT, candidates=["retry-with-backoff"])
    assert first.recommended == "increase-timeout"
    assert first.explore == "retry-with-backoff", "an untried action must stay worth exploring"
    for outcome in ("success", "success", "failure", "success", "success"):
        engine.record_decision("alice", CONTEXT, "retry-with-backoff", outcome)
    for _ in range(3):
        engine.record_decision("alice", CONTEXT, "increase-timeout", "failure")
    later = engine.suggest("alice", CONTEXT)
    assert later.recommended == "retry-with-backoff"
    best, worst = later.actions[0], later.actions[-1]
    assert best.estimate.attempts == 5 and best.estimate.successes == 4
    assert worst.action == "increase-timeout" and worst.estimate.attempts == 4
    assert {e.agent_id for e in best.evidence} == {"alice"} and len(best.evidence) == 5
    prediction = engine.predict_outcome("alice", CONTEXT, "retry-with-backoff")
    assert prediction.probability == pytest.approx(5 / 7) and prediction.lower < prediction.probability < prediction.upper


def test_suggestions_only_draw_on_what_the_agent_may_see(engine: LearningEngine, services: Services) -> None:
    for _ in range(3):
        engine.record_decision("alice", CONTEXT, "retry-with-backoff", "success", domain="payments")
    assert engine.suggest("bob", CONTEXT).actions == []
    consent = services.consent
    services.keys.create_agent("bob")
    grant = consent.grant("alice", grantee="bob", scope="domain", value="payments")
    assert engine.suggest("bob", CONTEXT).recommended == "retry-with-backoff"
    consent.revoke("alice", grant.id)
    assert engine.suggest("bob", CONTEXT).actions == []


def test_a_recurring_failure_of_two_agents_becomes_one_pattern_with_the_fix(engine: LearningEngine) -> None:
    a = engine.learn_from_failure("alice", "ConnectionTimeout: could not reach db-primary-3.internal:5432 after 30s",
                                  context="nightly-report-job", root_cause="pool exhausted",
                                  solution="raise-pool-size", solution_worked=True)
    b = engine.learn_from_failure("bob", "ConnectionTimeout: could not reach db-primary-7.internal:5432 after 45s",
                                  context="invoice export", solution="restart-worker", solution_worked=False)
    # bob may not see alice's failure: he joins nothing of hers, and what he is told is his own alone …
    assert a.pattern_id != b.pattern_id
    assert a.new_pattern and b.new_pattern and b.occurrence_count == 1 and b.agents == ["bob"]
    assert "<NUM>" in a.signature or "<HOST>" in a.signature
    engine.analyze()  # … until analysis groups failures across agents: one pattern; its id names nothing
    view = next(p for p in engine.patterns(None, "failure") if sorted(p.agents) == ["alice", "bob"])
    assert view.id.startswith("fp-") and view.occurrences == 2 and view.name == "nightly-report-job"
    bobs = engine.pattern("bob", view.id)
    assert bobs.agents == ["bob"] and bobs.occurrences == 1 and "nightly" not in bobs.name
    solutions = engine.solutions_for_error(None, "ConnectionTimeout: could not reach db-primary-1.internal:5432 after 12s")
    assert solutions[0].description == "raise-pool-size" and solutions[0].estimate.successes == 1
    assert {s.description: s.agents for s in solutions} == {"raise-pool-size": ["alice"], "restart-worker": ["bob"]}
    # within consent: carol sees no one's failures; bob sees only his own
    assert engine.solutions_for_error("carol", "ConnectionTimeout: could not reach db-primary-9.internal:5432 after 1s") == []
    assert [s.description for s in engine.solutions_for_error("bob", "ConnectionTimeout: could not reach db-primary-2.internal:5432 after 9s")] == ["restart-worker"]


def test_check_action_warns_then_blocks_an_action_that_keeps_failing(engine: LearningEngine) -> None:
    assert engine.check_action("carol", CONTEXT, "restart-gateway").verdict is Verdict.allow
    for _ in range(2):
        engine.record_decision("carol", CONTEXT, "restart-gateway", "failure")
    engine.record_decision("carol", CONTEXT, "switch-region", "success")
    warned = engine.check_action("carol", CONTEXT, "restart-gateway")
    assert warned.verdict is Verdict.warn and len(warned.evidence) == 2
    assert warned.better_action == "switch-region"
    for _ in range(2):
        engine.record_decision("carol", CONTEXT, "restart-gateway", "failure")
    assert engine.check_action("carol", CONTEXT, "restart-gateway").verdict is Verdict.block
    assert engine.check_action("carol", CONTEXT, "switch-region").verdict is Verdict.allow


def test_prevention_checks_are_derived_stored_on_a_stage_and_used(engine: LearningEngine, db: neo4j.Driver) -> None:
    for i, (solution, worked) in enumerate([("verify-npm-cache", True), ("rerun-pipeline", False),
                                            ("rerun-pipeline", False), ("verify-npm-cache", True)]):
        engine.learn_from_failure(f"agent-{i % 2}", f"npm ERR! network ETIMEDOUT after {1000 + i}ms",
                                  context="npm-install-timeout in CI", root_cause="cold npm cache",
                                  solution=solution, solution_worked=worked)
    engine.analyze()  # the two agents' failures, each agent's pattern at first, become one
    with pytest.raises(NotFoundError):
        engine.generate_prevention("no-such-pattern")
    pattern_id = next(p.id for p in engine.patterns(None, "failure") if p.name == "npm-install-timeout")
    with pytest.raises(BadInputError):
        engine.generate_prevention(pattern_id, stage="lunch")
    checks = engine.generate_prevention(pattern_id)
    names = {c.name for c in checks}
    assert {"verify-npm-cache-status", "avoid-rerun-pipeline"} <= names
    assert all(c.stage == "development" for c in checks)
    assert len(engine.generate_prevention(pattern_id)) == len(checks)
    assert _count(db, "MATCH (:FailurePattern {id: $id})-[:PREVENTED_BY]->(c) RETURN count(c)", id=pattern_id) == len(checks)
    verdict = engine.check_action(None, "npm install timed out in CI", "rerun-pipeline")
    assert verdict.verdict in (Verdict.warn, Verdict.block)
    assert any("avoid-rerun-pipeline" in reason for reason in verdict.reasons)
    # agent-0 alone saw rerun-pipeline fail once: the check derived from agent-1's failures is not its to see
    own = engine.check_action("agent-0", "npm install timed out in CI", "rerun-pipeline")
    assert not any("avoid-rerun-pipeline" in reason for reason in own.reasons)
    assert {c.name for c in own.checks} >= {"verify-npm-cache-status", "guard-cold-npm-cache"}


def test_analysis_merges_signatures_of_one_issue_and_finds_success_patterns(
    engine: LearningEngine, db: neo4j.Driver, settings: Settings
) -> None:
    # failures recorded as plain memories (e.g. through `engram memory record`) belong to no pattern yet
    for agent, message in [("alice", "Deadlock detected while updating the orders table"),
                           ("bob", "Deadlock detected while updating orders table"),
                           ("bob", "Deadlock detected while updating orders table"),
                           ("carol", "disk full on /var/lib/postgres")]:
        engine.memories.record(build_memory(agent=agent, kind="failure", context=message, error=message))
    assert _count(db, "MATCH (p:FailurePattern) RETURN count(p)") == 0
    for agent in ("alice", "bob", "carol"):
        engine.record_decision(agent, "database deadlock on orders table", "retry-transaction", "success")
    report = engine.analyze()
    # signature grouping finds 3 groups; GDS kNN + WCC merges the two wordings of the deadlock
    assert report.failures == 4 and report.signature_groups == 3
    assert report.merged_patterns == 1 and report.patterns_after == 2
    deadlock = next(p for p in engine.patterns(None, "failure") if "deadlock" in p.name)
    assert sorted(deadlock.agents) == ["alice", "bob"] and deadlock.occurrences == 3 and deadlock.recurring
    success = engine.patterns(None, "success")
    assert [p.name for p in success] == ["retry-transaction"] and success[0].occurrences == 3
    assert success[0].id.startswith("sp-") and "retry" not in success[0].id  # opaque, like every shared id
    names = _count(db, "CALL gds.graph.list() YIELD graphName RETURN count(graphName)")
    assert names == 0, "projections must be dropped after analysis"
    assert engine.analyze().merged_patterns == 0  # a second run is a no-op


def test_projections_are_dropped_when_an_algorithm_fails(db: neo4j.Driver, settings: Settings) -> None:
    db.execute_query("CREATE (:Memory:Decision {id: 'x', context_embedding: [1.0, 0.0]})")
    gds = GraphAlgorithms(db, settings)
    with pytest.raises(Exception):
        gds.similarity_components("decisions", top_k=0, cutoff=0.5)  # topK 0 is rejected by GDS
    assert _count(db, "CALL gds.graph.list() YIELD graphName RETURN count(graphName)") == 0


def test_nothing_to_compare_gives_no_components_and_leaves_no_projection(db: neo4j.Driver, settings: Settings) -> None:
    gds = GraphAlgorithms(db, settings)
    db.execute_query("CREATE (:Memory:Failure {id: 'f', context_embedding: [1.0, 0.0]})")  # neither kind
    assert gds.similarity_components("decisions", top_k=5, cutoff=0.5) == {}
    assert gds.similarity_components("failure_patterns", top_k=5, cutoff=0.5) == {}
    assert _count(db, "CALL gds.graph.list() YIELD graphName RETURN count(graphName)") == 0


def test_execute_with_memory_runs_the_five_steps(engine: LearningEngine, db: neo4j.Driver) -> None:
    for outcome in ("success", "success", "success"):
        engine.record_decision("dave", CONTEXT, "switch-region", outcome)
    task = engine.create_task("dave", CONTEXT, task_id="t-1", available_actions=["switch-region", "restart-gateway"])
    seen = {}

    def work(strategy):
        seen["strategy"] = strategy.chosen_approach
        seen["memories"] = len(strategy.memories)
        return "ok"

    done = engine.execute_with_memory(task, work)
    assert done.succeeded and done.result == "ok" and seen["memories"] >= 3 and done.informed_by
    assert _count(db, "MATCH (:Memory {id: $id})-[:DURING]->(:Task {id: 't-1'}) RETURN count(*)", id=done.decision_memory_id) == 1

    def broken(strategy):
        raise TimeoutError("gateway timed out after 30s")

    failed = engine.execute_with_memory("t-1", broken, recover=lambda error: "switch-region")
    assert not failed.succeeded and failed.failure_pattern_id and "TimeoutError" in failed.error
    results = engine.task("t-1").results
    assert [r["outcome"] for r in results] == ["success", "failure"]
    assert engine.task("t-1").status == "failed"

    async def async_work(strategy):
        await asyncio.sleep(0)
        return strategy.chosen_approach

    async_done = asyncio.run(engine.execute_with_memory_async("t-1", async_work))
    assert async_done.succeeded and async_done.result in ("switch-region", "restart-gateway")
    stats = engine.stats("dave")
    assert stats.calibration and stats.brier_score is not None
    assert stats.informed_share > 0
    with pytest.raises(NotFoundError):
        engine.record_decision("dave", CONTEXT, "x", "success", task_id="no-such-task")


def test_the_seeded_scenarios_produce_patterns(engine: LearningEngine, db: neo4j.Driver, services: Services) -> None:
    load_seeds(services, log=lambda *_: None)
    recurring = engine.patterns(None, "failure", recurring=True)
    assert [p.name for p in recurring] == ["npm-install-timeout"]
    assert recurring[0].details.solutions[0].description == "verify-npm-cache"
    success_names = {p.name for p in engine.patterns("bob", "success")}
    assert "migration-rollback-strategy" in success_names  # alice shares her db domain with bob
    confident = engine.patterns("alice", "success", min_success_rate=0.7)
    assert "retry-with-exponential-backoff" in {p.name for p in confident}
    task = engine.create_task("bob", "database migration failed, need to roll back", task_id="db-migration-456")
    applied = engine.apply_pattern(None, "migration-rollback-strategy", task.id)
    assert applied.action == "migration-rollback-strategy" and applied.steps
    assert engine.task("db-migration-456").status == "in_progress"


def test_analysis_keeps_the_checks_of_recurring_patterns_in_step_with_the_evidence(
        engine: LearningEngine, db: neo4j.Driver) -> None:
    error = "npm ERR! network ETIMEDOUT request to https://registry.npmjs.org/{pkg} failed"
    for i, pkg in enumerate(["react", "lodash", "express"]):
        engine.learn_from_failure("alice", error.format(pkg=pkg), context=f"npm install in CI job {i}",
                                  solution="npm-ci-with-cache", solution_worked=True, memory_id=f"f{i}")
    report = engine.analyze()
    assert report.recurring_patterns == 1 and report.prevention_checks == 1
    [check] = engine.prevention_checks(None)
    assert check.source == "solution" and check.stage == "development"
    assert engine.analyze().prevention_checks == 1  # idempotent: the same check, updated in place

    # The fix stops working: the check recommending it goes, one guarding against it comes.
    for i, pkg in enumerate(["vue", "axios", "jest", "chalk", "debug"], start=3):
        engine.learn_from_failure("alice", error.format(pkg=pkg), context=f"npm install in CI job {i}",
                                  solution="npm-ci-with-cache", solution_worked=False, memory_id=f"f{i}")
    engine.analyze()
    [check] = engine.prevention_checks(None)
    assert check.source == "failed-fix" and check.guards_actions == ["npm-ci-with-cache"]
    assert _count(db, "MATCH (c:PreventionCheck) RETURN count(c)") == 1


def test_old_evidence_counts_less_so_an_action_that_stopped_working_loses_its_lead(
        db: neo4j.Driver, embedder: SentenceTransformerEmbedder, settings: Settings) -> None:
    six_weeks_ago = datetime.now(UTC) - timedelta(days=42)
    plain = build_services(settings.model_copy(update={"evidence_half_life_days": 0.0}), db, embedder).learning
    ageing = build_services(settings.model_copy(update={"evidence_half_life_days": 7.0}), db, embedder).learning
    for i in range(10):
        plain.record_decision("alice", CONTEXT, "increase-timeout", "success", memory_id=f"old{i}", created_at=six_weeks_ago)
    for i in range(2):
        plain.record_decision("alice", CONTEXT, "increase-timeout", "failure", memory_id=f"new{i}")
        plain.record_decision("alice", CONTEXT, "retry-with-backoff", "success", memory_id=f"backoff{i}")
    try:
        assert plain.suggest("alice", CONTEXT).recommended == "increase-timeout"  # 11/14 beats 3/4
        suggestion = ageing.suggest("alice", CONTEXT)
        assert suggestion.recommended == "retry-with-backoff"
        timeout = next(a for a in suggestion.actions if a.action == "increase-timeout")
        assert timeout.estimate.attempts == pytest.approx(2 + 10 / 64)  # six weeks = six half-lives
        assert sorted({round(e.weight, 6) for e in timeout.evidence}) == [round(1 / 64, 6), 1.0]
        check = ageing.check_action("alice", CONTEXT, "increase-timeout")
        assert check.verdict is Verdict.warn and check.better_action == "retry-with-backoff"
    finally:
        plain.memories.close()
        ageing.memories.close()


def test_merging_a_pattern_without_a_signature_keeps_both_failures(engine: LearningEngine, db: neo4j.Driver,
                                                                   settings: Settings) -> None:
    """A pattern may lack a signature (one an import created); folding it into another must not fail on the
    null (the soak's analysis did: "Collections containing null values can not be stored in properties")."""
    with db.session(database=settings.neo4j_database) as session:
        session.run("""CREATE (:FailurePattern {id: 'keep', signature: 'timeout <*>'})<-[:INSTANCE_OF]-
                              (:Memory:Failure {id: 'f1', agent_id: 'alice'}),
                              (:FailurePattern {id: 'dup'})<-[:INSTANCE_OF]-(:Memory:Failure {id: 'f2', agent_id: 'alice'})""")
    assert engine.repository.merge_patterns([{"keep": "keep", "duplicates": ["dup"]}]) == 1
    records, _, _ = db.execute_query("MATCH (p:FailurePattern) OPTIONAL MATCH (m)-[:INSTANCE_OF]->(p) "
                                     "RETURN p.id AS id, p.merged_signatures AS sigs, collect(m.id) AS members",
                                     database_=settings.neo4j_database)
    assert [(r["id"], r["sigs"], sorted(r["members"])) for r in records] == [("keep", [], ["f1", "f2"])]
