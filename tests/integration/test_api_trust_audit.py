"""Who the audit trail names, over real HTTP: an operator acting for an agent (`asAgent`) is the actor, with
the agent as `on_behalf_of`, on every audited read and write path; and an import cannot store a secret in
an id (ids are refused, never redacted)."""

from __future__ import annotations

import json

import pytest

from engram.config import Settings
from engram.entities.privacy import AuditEvent
from engram.privacy.audit import AuditLog
from tests.conftest import GraphQLClient, run_cli, server_env

pytestmark = pytest.mark.integration

CONTEXT = "nightly settlement batch for the harbour ledger"
ERROR = "SettlementTimeout: batch 9120 against ledger-3.internal timed out after 45s"
AWS_KEY = "AKIAQWERTYUIOPASDFGH"
GITHUB_TOKEN = "ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5"


def _bob_shares_with_alice(gql: dict[str, GraphQLClient]) -> str:
    """Bob's decision and failure (with a fix), granted to alice by id; returns bob's failure pattern id."""
    gql["bob"].execute('mutation($c: String!) { recordDecision(input: {context: $c, action: "split-settlement", '
                       'outcome: SUCCESS, id: "bob-decision", predicted: 0.6}) { memoryId } }', {"c": CONTEXT})
    failure = gql["bob"].execute(
        'mutation($e: String!, $c: String!) { learnFromFailure(input: {errorMessage: $e, context: $c, '
        'solution: "shard the batch", solutionWorked: true, prevention: "cap batch size", id: "bob-failure"}) '
        '{ patternId } }', {"e": ERROR, "c": CONTEXT})
    gql["bob"].execute('mutation { grantAccess(grantee: "alice", scope: MEMORY, '
                       'memoryIds: ["bob-decision", "bob-failure"]) { id } }')
    return failure["learnFromFailure"]["patternId"]


# Every read that uses memories shared with the caller as evidence, by the `via` it is audited under.
READS = {
    "suggest": ('query($c: String!, $a: String) { suggest(context: $c, asAgent: $a) { recommended } }',
                {"c": CONTEXT}),
    "predict_outcome": ('query($c: String!, $a: String) { predictOutcome(context: $c, action: "split-settlement", '
                        'asAgent: $a) { attempts } }', {"c": CONTEXT}),
    "check_action": ('query($c: String!, $a: String) { checkAction(context: $c, intendedAction: "x", asAgent: $a) '
                     '{ verdict } }', {"c": CONTEXT}),
    "failures": ('query($a: String) { failures(first: 10, asAgent: $a) { nodes { id } } }', {}),
    "patterns": ('query($a: String) { patterns(first: 10, asAgent: $a) { nodes { id } } }', {}),
    "pattern": ('query($p: ID!, $a: String) { pattern(id: $p, asAgent: $a) { id } }', {}),
    "pattern.similar_failures": ('query($p: ID!, $a: String) { pattern(id: $p, asAgent: $a) '
                                 '{ similarFailures { memoryId } } }', {}),
    "solutions_for_error": ('query($m: String!, $a: String) { solutionsForError(message: $m, asAgent: $a) { id } }',
                            {"m": ERROR}),
    "retrieve": ('query($c: String!, $a: String) { retrieveMemories(context: $c, k: 5, asAgent: $a) '
                 '{ memory { id } } }', {"c": CONTEXT}),
    "search": ('query($c: String!, $a: String) { searchMemories(text: $c, first: 5, asAgent: $a) '
               '{ nodes { memory { id } } } }', {"c": CONTEXT}),
    "export": ('query($a: String) { exportKnowledge(includeShared: true, asAgent: $a) { memories } }', {}),
}


def _after(audit: AuditLog, seq: int) -> list[AuditEvent]:
    return [e for e in audit.events(None, limit=10_000) if e.seq > seq]


def _reads_of_bob(events: list[AuditEvent]) -> list[AuditEvent]:
    return [e for e in events if e.owner_id == "bob" and e.type in ("cross_agent_read", "export")]


def test_an_operator_acting_for_an_agent_is_the_actor_on_every_audited_read(gql: dict[str, GraphQLClient],
                                                                           audit: AuditLog) -> None:
    pattern = _bob_shares_with_alice(gql)
    for via, (query, variables) in READS.items():
        variables = {**variables, "p": pattern} if "$p" in query else variables
        start = audit.head()[0]
        gql["alice"].execute(query, {**variables, "a": None})
        own = _reads_of_bob(_after(audit, start))
        assert own, f"{via}: alice's read of bob's shared memories was not audited"
        assert {(e.actor_id, e.on_behalf_of) for e in own} == {("alice", None)}, via

        start = audit.head()[0]
        gql["ops"].execute(query, {**variables, "a": "alice"})
        new = _after(audit, start)
        reads = _reads_of_bob(new)
        assert reads, f"{via}: the operator's read of bob's memories, as alice, was not audited"
        assert {(e.actor_id, e.on_behalf_of) for e in reads} == {("ops", "alice")}, (via, reads)
        assert not [e for e in new if e.actor_id == "alice"], via  # alice did nothing herself
        access = [e for e in new if e.type == "operator_access"]
        assert [(e.actor_id, e.owner_id, e.on_behalf_of) for e in access] == [("ops", "alice", "alice")], via
    assert audit.verify().ok


def test_an_operator_acting_for_an_agent_is_the_actor_on_write_paths(gql: dict[str, GraphQLClient],
                                                                     audit: AuditLog) -> None:
    _bob_shares_with_alice(gql)
    gql["alice"].execute('mutation { recordMemory(input: {kind: KNOWLEDGE, context: "alice note", domain: "notes", '
                         'id: "alice-note"}) { created } }')
    document = gql["alice"].execute('{ exportKnowledge(domain: "notes") { document } }')["exportKnowledge"]["document"]
    start = audit.head()[0]
    gql["ops"].execute('mutation { grantAccess(grantee: "carol", scope: DOMAIN, value: "notes", asAgent: "alice") '
                       '{ id } }')
    learned = gql["ops"].execute('mutation($e: String!) { learnFromFailure(input: {errorMessage: $e}, '
                                 'asAgent: "alice") { similarFailures { memoryId } } }',
                                 {"e": ERROR.replace("9120", "77")})["learnFromFailure"]
    assert [f["memoryId"] for f in learned["similarFailures"]] == ["bob-failure"]
    entry = {**document["memories"][0], "id": "alice-imported", "context": "imported note", "embedding": None}
    gql["ops"].execute('mutation($d: JSON!) { importKnowledge(document: $d, asAgent: "alice") { created } }',
                       {"d": {**document, "memories": [entry]}})
    new = _after(audit, start)
    by_type = {e.type: e for e in new if e.type != "operator_access"}
    assert {"grant", "cross_agent_read", "import"} <= set(by_type), [e.type for e in new]
    for event in new:
        assert (event.actor_id, event.on_behalf_of) == ("ops", "alice"), event
    assert by_type["cross_agent_read"].details["via"] == "learn_from_failure"
    assert audit.verify().ok


def test_the_owner_sees_what_was_done_on_its_behalf_in_the_api_and_the_cli(gql: dict[str, GraphQLClient],
                                                                           audit: AuditLog, settings: Settings) -> None:
    _bob_shares_with_alice(gql)
    query, variables = READS["search"]
    gql["alice"].execute(query, {**variables, "a": None})
    gql["ops"].execute(query, {**variables, "a": "alice"})
    events = gql["alice"].execute('{ auditEvents(types: [CROSS_AGENT_READ], first: 20) '
                                  '{ nodes { actorId onBehalfOf ownerId } } }')["auditEvents"]["nodes"]
    assert {(e["actorId"], e["onBehalfOf"], e["ownerId"]) for e in events} == {("alice", None, "bob"),
                                                                              ("ops", "alice", "bob")}
    env = server_env(settings)
    listed = json.loads(run_cli("audit", "--agent", "alice", "--type", "cross_agent_read", "--format", "json",
                                env=env).stdout)
    assert {(e["actor_id"], e["on_behalf_of"]) for e in listed} == {("alice", None), ("ops", "alice")}
    table = run_cli("audit", "--agent", "alice", "--type", "cross_agent_read", env=env | {"COLUMNS": "200"})
    assert table.returncode == 0
    assert any("ops (for alice)" in line and "bob" in line for line in table.stdout.splitlines()), table.stdout
    verify = run_cli("audit", "verify", env=env)
    assert verify.returncode == 0, verify.stderr


def test_an_import_with_a_secret_in_an_id_is_refused_naming_the_field(gql: dict[str, GraphQLClient], db) -> None:
    gql["alice"].execute('mutation { recordMemory(input: {kind: KNOWLEDGE, context: "alice note", domain: "notes", '
                         'id: "alice-note"}) { created } }')
    document = gql["alice"].execute('{ exportKnowledge(domain: "notes") { document } }')["exportKnowledge"]["document"]
    clean = {**document["memories"][0], "embedding": None}
    importing = "mutation($d: JSON!) { importKnowledge(document: $d) { created } }"

    def refused(memory: dict, patterns: list | None = None) -> dict:
        errors = gql["alice"].errors(importing, {"d": {**document, "memories": [memory],
                                                       "patterns": patterns or []}})
        assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT", errors
        assert AWS_KEY not in errors[0]["message"] and GITHUB_TOKEN not in errors[0]["message"]
        return errors[0]

    error = refused({**clean, "id": AWS_KEY, "context": "first"})
    assert "$.memories[0].id" in error["message"] and "aws" in error["message"].lower()
    error = refused({**clean, "id": f"note-{GITHUB_TOKEN}", "context": "second",
                     "provenance": [{"agent_id": "bob", "memory_id": f"from-{GITHUB_TOKEN}"}],
                     "patterns": [AWS_KEY]},
                    [{"id": AWS_KEY, "label": "FailurePattern", "signature": "x"}])
    for path in ("$.memories[0].id", "$.memories[0].provenance[0].memory_id", "$.memories[0].patterns[0]",
                 "$.patterns[0].id"):
        assert path in error["message"], (path, error["message"])
    stored = db.execute_query("MATCH (n) WHERE n.id CONTAINS $a OR n.id CONTAINS $g RETURN count(n) AS n",
                              a=AWS_KEY, g=GITHUB_TOKEN).records[0]["n"]
    assert stored == 0
    count = db.execute_query("MATCH (m:Memory {agent_id: 'alice'}) RETURN count(m) AS n").records[0]["n"]
    assert count == 1  # only the note she recorded

    # the same document without the secrets imports, and no export holds them
    assert gql["alice"].execute(importing, {"d": {**document, "memories": [{**clean, "id": "alice-copy",
                                                                          "context": "third"}]}}) \
        == {"importKnowledge": {"created": 1}}
    exported = json.dumps([gql["alice"].execute("{ exportKnowledge { document } }"),
                           gql["ops"].execute('{ exportKnowledge(asAgent: "alice") { document } }')])
    assert AWS_KEY not in exported and GITHUB_TOKEN not in exported and "alice-copy" in exported


# Paths beyond READS that use memories shared with the caller as evidence, and the operator's views.
MORE_READS = {
    "prevention_checks": ('query($a: String) { preventionChecks(asAgent: $a) { description } }', {}),
    "me.patterns": ('query($a: String) { me(asAgent: $a) { patterns(first: 10) { nodes { id solutions '
                    '{ description } preventionChecks { description } } } } }', {}),
    "memory.related": ('query($a: String) { memory(id: "alice-own", asAgent: $a) { related(k: 5) '
                       '{ memory { id } } } }', {}),
    "record_decision": ('mutation($c: String!, $a: String) { recordDecision(input: {context: $c, '
                        'action: "split-settlement", outcome: SUCCESS, predicted: 0.5}, asAgent: $a) '
                        '{ templateId branch { attempts } } }', {"c": CONTEXT}),
}


def test_every_other_path_using_shared_evidence_is_audited_for_agent_and_operator(gql: dict[str, GraphQLClient],
                                                                                  audit: AuditLog) -> None:
    _bob_shares_with_alice(gql)
    gql["alice"].execute('mutation($c: String!) { recordMemory(input: {kind: KNOWLEDGE, context: $c, domain: "d", '
                         'id: "alice-own"}) { created } }', {"c": CONTEXT})
    unaudited = []
    for via, (query, variables) in MORE_READS.items():
        for caller, acting, actor, for_whom in (("alice", None, "alice", None), ("ops", "alice", "ops", "alice")):
            start = audit.head()[0]
            gql[caller].execute(query, {**variables, "a": acting})
            reads = _reads_of_bob(_after(audit, start))
            if not reads:
                unaudited.append((via, caller))
            assert {(e.actor_id, e.on_behalf_of) for e in reads} <= {(actor, for_whom)}, (via, caller, reads)
    assert unaudited == []


def test_the_operators_views_of_an_agent_are_audited_under_the_operator(gql: dict[str, GraphQLClient],
                                                                        audit: AuditLog) -> None:
    """`agent(id:){memories patterns}` shows alice's memories and what she learned over bob's shared ones:
    operator access to alice's, and reads of bob's for alice, all by the operator."""
    _bob_shares_with_alice(gql)
    gql["alice"].execute('mutation($c: String!) { learnFromFailure(input: {errorMessage: $c}) { patternId } }',
                         {"c": ERROR.replace("9120", "12")})
    start = audit.head()[0]
    gql["ops"].execute('{ agent(id: "alice") { memories(first: 5) { nodes { id } } patterns(first: 5) '
                       '{ nodes { id solutions { description } } } } }')
    new = _after(audit, start)
    assert {(e.type, e.actor_id, e.owner_id, e.on_behalf_of) for e in new} == {
        ("operator_access", "ops", "alice", "alice"), ("cross_agent_read", "ops", "bob", "alice")}
    assert {e.details.get("field") for e in new if e.type == "operator_access"} == {"memories", "patterns"}
    start = audit.head()[0]
    gql["ops"].execute('{ searchMemories(text: "settlement", allAgents: true, first: 5) { nodes { memory { id } } } }')
    assert {(e.type, e.actor_id, e.on_behalf_of) for e in _after(audit, start)} == {("operator_access", "ops", None)}
    assert audit.verify().ok
