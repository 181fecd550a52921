"""Knowledge transfer on the real Neo4j: exports never carry a secret, imports are idempotent and report
conflicts, crossing agents needs consent, and merge combines counts with provenance, exactly once."""

from __future__ import annotations

import json
from pathlib import Path

import neo4j
import pytest

from engram.auth.service import ApiKeyService
from engram.config import Settings
from engram.embeddings import SentenceTransformerEmbedder
from engram.errors import ForbiddenError
from engram.knowledge.document import dump, parse_json
from engram.knowledge.mapping import derived_id, imported_pattern_id
from engram.knowledge.transfer import KnowledgeTransfer
from engram.memory.builder import build_memory
from engram.memory.service import MemoryService
from engram.privacy.audit import AuditLog
from engram.privacy.consent import ConsentService
from engram.privacy.redaction import Redactor
from engram.privacy.redaction_metrics import load_corpus
from tests.conftest import REPO, run_cli, server_env

pytestmark = pytest.mark.integration

CORPUS = REPO / "tests" / "data" / "redaction_corpus.jsonl"


@pytest.fixture
def transfer(services) -> KnowledgeTransfer:
    return services.knowledge


def _count(db: neo4j.Driver, query: str = "MATCH (m:Memory) RETURN count(m) AS n", **params) -> int:
    return db.execute_query(query, params).records[0]["n"]


def _graph_size(db: neo4j.Driver) -> dict[str, int]:
    return {"nodes": _count(db, "MATCH (n) WHERE NOT n:AuditEvent RETURN count(n) AS n"),
            "relationships": _count(db, "MATCH ()-[r]->() RETURN count(r) AS n"),
            "audit events": _count(db, "MATCH (e:AuditEvent) RETURN count(e) AS n")}


def _seed(memories: MemoryService) -> None:
    memories.record_many([
        build_memory(agent="alice", kind="decision", context="api-auth-timeout", action="retry-with-exponential-backoff",
                     outcome="success", tags=["auth"], domain="auth", memory_id="a-auth-1"),
        build_memory(agent="alice", kind="failure", context="sso login loop", error="Timeout after 30s calling idp",
                     root_cause="idp slow", solution="increase-timeout", domain="auth", memory_id="a-auth-2"),
        build_memory(agent="alice", kind="knowledge", context="token lifetimes", domain="auth", entities=["idp"],
                     content="access tokens live 15 minutes", memory_id="a-auth-3"),
        build_memory(agent="alice", kind="decision", context="db migration rollback", action="rollback",
                     outcome="success", domain="db", memory_id="a-db-1"),
        build_memory(agent="bob", kind="decision", context="db migration rollback", action="rollback", outcome="success",
                     domain="db", memory_id="b-db-1"),
        build_memory(agent="bob", kind="decision", context="schema change broke prod", action="restore-backup",
                     outcome="failure", domain="db", tags=["prod"], memory_id="b-db-2"),
        build_memory(agent="bob", kind="decision", context="flaky ci job", action="retry", domain="ci", memory_id="b-ci-1"),
    ])


def test_an_export_contains_no_secret_from_the_corpus(memories: MemoryService, transfer: KnowledgeTransfer,
                                                      tmp_path: Path, settings: Settings) -> None:
    cases = [c for c in load_corpus(CORPUS) if c.secrets]
    batch = []
    for i, case in enumerate(cases):
        batch.append(build_memory(agent="alice", kind="decision", context=case.text, action="investigate",
                                  outcome="partial", domain="secrets", memory_id=f"s-{i}", lessons=[case.text]))
        batch.append(build_memory(agent="alice", kind="failure", context=f"incident {i}", error=case.text,
                                  root_cause=case.text, solution="rotate", domain="secrets", memory_id=f"f-{i}"))
    memories.record_many(batch)
    document, report = transfer.export("alice", domain="secrets", with_embeddings=True)
    assert report.memories == 2 * len(cases)
    text = dump(document)
    strings = " ".join(_strings(json.loads(text)))
    leaked = {s for case in cases for s in case.secrets if s in text or s in strings}
    # The export adds no leak of its own: anything left is a secret the Redactor itself does not
    # recognise in the raw line (none, when the redaction bench reports a recall of 1.0).
    redactor = Redactor()
    missed_by_redactor = {s for case in cases for s in case.secrets if s in redactor.redact(case.text).text}
    assert leaked <= missed_by_redactor, leaked - missed_by_redactor
    assert len(missed_by_redactor) <= 0.05 * sum(len(c.secrets) for c in cases)  # the bench reports recall ≥ 0.99
    # and through the CLI, to a file
    out = tmp_path / "secrets.json"
    done = run_cli("knowledge", "export", "--agent", "alice", "--domain", "secrets", "--file", str(out), "--quiet",
                   env=server_env(settings))
    assert done.returncode == 0, done.stderr
    on_disk = out.read_text()
    assert {s for case in cases for s in case.secrets if s in on_disk} <= missed_by_redactor
    assert parse_json(on_disk).memories[0].embedding is None  # embeddings only when asked for


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_import_into_a_fresh_graph_twice_creates_once(memories: MemoryService, transfer: KnowledgeTransfer,
                                                      db: neo4j.Driver, settings: Settings) -> None:
    _seed(memories)
    db.execute_query("MATCH (m:Memory {id: 'a-auth-2'}) MERGE (p:FailurePattern {id: 'pat-idp-timeout'}) "
                     "SET p.name = 'idp timeout', p.signature = 'Timeout after <N>s calling idp' MERGE (m)-[:INSTANCE_OF]->(p)")
    db.execute_query("MATCH (m:Memory {id: 'a-auth-1'}) SET m.occurrences = 4")
    document, _ = transfer.export("alice", domain="auth", with_embeddings=True)
    assert [m.id for m in document.memories] == ["a-auth-1", "a-auth-2", "a-auth-3"]
    assert [p.id for p in document.patterns] == ["pat-idp-timeout"]
    before = db.execute_query("MATCH (m:Memory) WHERE m.domain = 'auth' RETURN m.id AS id, m.text AS text, "
                              "m.occurrences AS n, m.context_embedding AS e ORDER BY id").records

    db.execute_query("MATCH (n) WHERE NOT n:AuditEvent AND NOT n:AuditHead DETACH DELETE n")  # another, empty instance
    first = transfer.import_document(parse_json(dump(document)))
    assert (first.created, first.unchanged, first.conflicts) == (3, 0, [])
    after = db.execute_query("MATCH (m:Memory) WHERE m.domain = 'auth' RETURN m.id AS id, m.text AS text, "
                             "m.occurrences AS n, m.context_embedding AS e ORDER BY id").records
    assert [(r["id"], r["text"], r["n"]) for r in after] == [(r["id"], r["text"], r["n"]) for r in before]
    assert all(abs(a - b) < 1e-6 for x, y in zip(after, before) for a, b in zip(x["e"], y["e"]))  # embeddings reused
    # In a graph where alice has no part in it, the pattern takes an id of her own namespace (an import never
    # tells whether an id is unused or another agent's), with the document's name and signature.
    own_id = imported_pattern_id("alice", "FailurePattern", "pat-idp-timeout")
    assert _count(db, "MATCH (:Memory {id: 'a-auth-2'})-[:INSTANCE_OF]->(p:FailurePattern {id: $p}) "
                      "WHERE p.signature = $signature RETURN count(*) AS n",
                  p=own_id, signature=document.patterns[0].signature) == 1
    before = _graph_size(db)

    second = transfer.import_document(parse_json(dump(document)))
    assert (second.created, second.unchanged, second.conflicts) == (0, 3, [])
    after = _graph_size(db)
    assert after == {**before, "audit events": before["audit events"] + 1}  # nothing but the import's audit event
    assert memories.retrieve_relevant_memories("alice", "login api timing out", k=1)[0].memory.id == "a-auth-1"


def test_conflicts_are_reported_and_left_alone(memories: MemoryService, transfer: KnowledgeTransfer,
                                               db: neo4j.Driver) -> None:
    _seed(memories)
    document, _ = transfer.export("alice", domain="auth")
    data = json.loads(dump(document))
    data["memories"][0]["content"]["chosen_action"] = "give-up"
    data["memories"][1]["context"] = "something else"
    report = transfer.import_document(parse_json(json.dumps(data)))
    assert (report.created, report.unchanged) == (0, 1)
    assert {c.id: c.fields for c in report.conflicts} == {"a-auth-1": ["content.chosen_action"], "a-auth-2": ["context"]}
    stored = db.execute_query("MATCH (m:Memory {id: 'a-auth-1'}) RETURN m.chosen_action AS a").records[0]["a"]
    assert stored == "retry-with-exponential-backoff"


def test_importing_as_another_agent_needs_consent(memories: MemoryService, transfer: KnowledgeTransfer,
                                                  consent: ConsentService, audit: AuditLog, db: neo4j.Driver,
                                                  settings: Settings) -> None:
    _seed(memories)
    document, _ = transfer.export("alice", domain="auth")
    with pytest.raises(ForbiddenError, match="without consent"):
        transfer.import_document(document, as_agent="carol")
    assert _count(db) == 7
    ApiKeyService(db, settings).create_agent("carol")
    grant = consent.grant("alice", grantee="carol", scope="domain", value="auth")
    report = transfer.import_document(document, as_agent="carol")
    assert report.created == 3
    copy_id = derived_id("carol", "alice", "a-auth-1")
    copy = db.execute_query("MATCH (m:Memory {id: $id})-[r:IMPORTED_FROM]->(a:Agent) RETURN m.agent_id AS owner, "
                            "a.id AS source, r.memory_id AS source_id", id=copy_id).records[0]
    assert (copy["owner"], copy["source"], copy["source_id"]) == ("carol", "alice", "a-auth-1")
    assert transfer.import_document(document, as_agent="carol").created == 0
    exported = transfer.export("carol")[0]
    assert {(p.agent_id, p.memory_id) for m in exported.memories for p in m.provenance} == {
        ("alice", "a-auth-1"), ("alice", "a-auth-2"), ("alice", "a-auth-3")}
    assert {e.details["role"] for e in audit.events("alice", types=["import"])} == {"source"}
    consent.revoke("alice", grant.id)
    db.execute_query("MATCH (m:Memory {agent_id: 'carol'}) DETACH DELETE m")
    with pytest.raises(ForbiddenError):
        transfer.import_document(document, as_agent="carol")


def test_merge_needs_a_domain_grant_combines_counts_and_keeps_provenance(
    memories: MemoryService, transfer: KnowledgeTransfer, consent: ConsentService, audit: AuditLog, db: neo4j.Driver,
) -> None:
    _seed(memories)
    with pytest.raises(ForbiddenError, match="has not granted alice the domain 'db'"):
        transfer.merge("bob", "db", "alice")
    consent.grant("bob", grantee="alice", scope="tag", value="prod")  # another scope is not the domain
    with pytest.raises(ForbiddenError):
        transfer.merge("bob", "db", "alice")
    consent.grant("bob", grantee="alice", scope="domain", value="db")
    report = transfer.merge("bob", "db", "alice")
    assert (report.considered, report.created, report.combined, report.unchanged) == (2, 1, 1, 0)
    same = db.execute_query("MATCH (m:Memory {id: 'a-db-1'})-[r:IMPORTED_FROM]->(a:Agent) "
                            "RETURN m.occurrences AS n, a.id AS source, r.memory_id AS source_id").records[0]
    assert (same["n"], same["source"], same["source_id"]) == (2, "bob", "b-db-1")
    copy = db.execute_query("MATCH (c:Memory {id: $id}) RETURN c.agent_id AS owner, c.chosen_action AS action, "
                            "labels(c) AS labels, [(c)-[:TAGGED]->(t) | t.name] AS tags",
                            id=derived_id("alice", "bob", "b-db-2")).records[0]
    assert (copy["owner"], copy["action"], set(copy["labels"]), copy["tags"]) == (
        "alice", "restore-backup", {"Memory", "Decision", memories.repository.shards.label_of("alice")}, ["prod"])
    assert memories.repository.shards.label_of("alice") != memories.repository.shards.label_of("bob")  # moved shard
    # the copy is alice's own now: she finds it even when bob's grants are gone
    for grant in consent.list_grants("bob", "given"):
        consent.revoke("bob", grant.id)
    found = memories.retrieve_relevant_memories("alice", "schema change broke production", k=1)[0]
    assert found.owned and found.memory.id == derived_id("alice", "bob", "b-db-2")
    # once only
    consent.grant("bob", grantee="alice", scope="domain", value="db")
    again = transfer.merge("bob", "db", "alice")
    assert (again.created, again.combined, again.unchanged) == (0, 0, 2)
    assert db.execute_query("MATCH (m:Memory {id: 'a-db-1'}) RETURN m.occurrences AS n").records[0]["n"] == 2
    assert _count(db, "MATCH (m:Memory {agent_id: 'alice'}) RETURN count(m) AS n") == 5
    roles = sorted(e.details["role"] for e in audit.events(None, types=["merge"]))
    assert roles == ["source", "target"]
    assert audit.verify().ok


def test_knowledge_cli(memories: MemoryService, consent: ConsentService, settings: Settings, db: neo4j.Driver,
                       tmp_path: Path) -> None:
    _seed(memories)
    env = server_env(settings)
    out = tmp_path / "auth-knowledge.json"
    exported = run_cli("knowledge", "export", "--agent", "alice", "--domain", "auth", "--file", str(out),
                       "--with-embeddings", "--format", "json", env=env)
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["memories"] == 3 and len(json.loads(out.read_text())["memories"][0]["embedding"]) == 384
    stdout = run_cli("knowledge", "export", "--agent", "alice", "--domain", "db", "--quiet", env=env)
    assert [m["id"] for m in json.loads(stdout.stdout)["memories"]] == ["a-db-1"]

    imported = run_cli("knowledge", "import", "--file", str(out), "--format", "json", env=env)
    assert imported.returncode == 0, imported.stderr
    assert (json.loads(imported.stdout)["created"], json.loads(imported.stdout)["unchanged"]) == (0, 3)
    forbidden = run_cli("knowledge", "import", "--file", str(out), "--as-agent", "carol", env=env)
    assert forbidden.returncode == 1 and "[FORBIDDEN]" in forbidden.stderr

    broken = json.loads(out.read_text())
    broken["memories"][2]["content"].pop("domain")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(broken))
    rejected = run_cli("knowledge", "import", "--file", str(bad), env=env)
    assert rejected.returncode == 2 and "[BAD_USER_INPUT]" in rejected.stderr
    assert "$.memories[2].content.domain" in rejected.stderr
    not_json = tmp_path / "not.json"
    not_json.write_text("{")
    assert "not JSON" in run_cli("knowledge", "import", "--file", str(not_json), env=env).stderr
    missing = run_cli("knowledge", "import", "--file", str(tmp_path / "nope.json"), env=env)
    assert missing.returncode == 1 and "[NOT_FOUND]" in missing.stderr

    refused = run_cli("knowledge", "merge", "--from-agent", "bob", "--domain", "db", "--into", "alice", env=env)
    assert refused.returncode == 1 and "[FORBIDDEN]" in refused.stderr
    assert run_cli("memory", "share", "--from", "bob", "--to", "alice", "--domain", "db", env=env).returncode == 0
    merged = run_cli("knowledge", "merge", "--from-agent", "bob", "--domain", "db", "--into", "alice", "--format", "json",
                     env=env)
    assert merged.returncode == 0, merged.stderr
    assert {k: json.loads(merged.stdout)[k] for k in ("created", "combined")} == {"created": 1, "combined": 1}
    table = run_cli("knowledge", "merge", "--from-agent", "bob", "--domain", "db", "--into", "alice", env=env)
    assert "2 merged before" in table.stdout
    for command in (["knowledge", "--help"], ["knowledge", "export", "--help"], ["knowledge", "import", "--help"],
                    ["knowledge", "merge", "--help"]):
        assert run_cli(*command, env=env).returncode == 0
    schema = run_cli("knowledge", "schema", env=env)
    assert json.loads(schema.stdout)["$id"] == "urn:engram:knowledge-export:1"
