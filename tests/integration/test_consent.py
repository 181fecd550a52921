"""Consent on the real Neo4j: requests, grants (every scope), narrowing, denial, revocation — and that
a revoke hides shared memories at once from retrieval, search and export."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import neo4j
import pytest

from engram.config import Settings
from engram.embeddings import SentenceTransformerEmbedder
from engram.errors import BadInputError, ForbiddenError, NotFoundError
from engram.knowledge.transfer import KnowledgeTransfer
from engram.memory.builder import build_memory
from engram.memory.service import MemoryService
from engram.privacy.audit import AuditLog
from engram.privacy.consent import ConsentService
from tests.conftest import run_cli, server_env

pytestmark = pytest.mark.integration

CONTEXT = "quasar lattice rollout for the ledger service stalls at step seven"


@pytest.fixture
def memories(memories: MemoryService) -> MemoryService:
    """The audited memory service of tests/conftest.py, with alice's two memories and bob's own."""
    memories.record_many([
        build_memory(agent="alice", kind="decision", context=CONTEXT, action="pause-rollout", outcome="success",
                     tags=["ledger"], domain="payments", memory_id="a-ledger"),
        build_memory(agent="alice", kind="decision", context="quasar lattice auth token refresh loops", action="retry",
                     outcome="failure", tags=["auth"], domain="auth", memory_id="a-auth"),
        build_memory(agent="bob", kind="decision", context="ledger rollout notes", action="wait", outcome="partial",
                     memory_id="b-own"),
    ])
    return memories


def _seen_by_bob(memories: MemoryService, transfer: KnowledgeTransfer) -> dict[str, set[str]]:
    return {
        "retrieve": {r.memory.id for r in memories.retrieve_relevant_memories("bob", CONTEXT, k=10)} - {"b-own"},
        "search": {r.memory.id for r in memories.search("quasar lattice", agent_id="bob", k=10)} - {"b-own"},
        "export": {m.id for m in transfer.export("bob", include_shared=True)[0].memories} - {"b-own"},
    }


def test_request_grant_and_revoke_take_effect_at_once_on_every_read_path(
    memories: MemoryService, consent: ConsentService, audit: AuditLog, db: neo4j.Driver, services,
) -> None:
    transfer = services.knowledge
    nothing = {"retrieve": set(), "search": set(), "export": set()}
    assert _seen_by_bob(memories, transfer) == nothing

    request = consent.request_access("bob", "alice", "domain", "payments", reason="on-call for ledger",
                                     duration=timedelta(days=2))
    assert request.status == "pending"
    assert consent.request_access("bob", "alice", "domain", "payments") == request  # asking again: the same request
    assert [r.id for r in consent.list_requests("alice", "incoming", "pending")] == [request.id]
    assert [r.id for r in consent.list_requests("bob", "outgoing")] == [request.id]
    assert _seen_by_bob(memories, transfer) == nothing  # a request alone shares nothing

    with pytest.raises(ForbiddenError):
        consent.grant("bob", request_id=request.id)  # only the owner grants
    grant = consent.grant("alice", request_id=request.id)
    assert (grant.scope, grant.value, grant.grantee_id) == ("domain", "payments", "bob")
    assert timedelta(days=1, hours=23) < grant.expires_at - datetime.now(UTC) <= timedelta(days=2)
    assert consent.grant("alice", request_id=request.id) == grant  # granting again: the same grant
    assert consent.get_request(request.id).status == "granted"
    assert _seen_by_bob(memories, transfer) == {"retrieve": {"a-ledger"}, "search": {"a-ledger"}, "export": {"a-ledger"}}
    assert [g.id for g in consent.list_grants("bob", "received")] == [grant.id]

    with pytest.raises(ForbiddenError):
        consent.revoke("bob", grant.id)
    revoked = consent.revoke("alice", grant.id)
    assert revoked.revoked_at is not None
    assert _seen_by_bob(memories, transfer) == nothing
    assert consent.revoke("alice", grant.id).revoked_at == revoked.revoked_at  # revoking again changes nothing
    assert consent.list_grants("bob", "received") == []
    assert [g.id for g in consent.list_grants("bob", "received", live_only=False)] == [grant.id]

    types = [e.type for e in reversed(audit.events("alice", types=["share_request", "grant", "revoke"]))]
    assert types == ["share_request", "grant", "revoke"]  # once each, although asked/granted/revoked twice
    reads = audit.events("alice", types=["cross_agent_read", "export"])
    assert {(e.type, e.actor_id, tuple(e.subject_ids)) for e in reads} >= {
        ("cross_agent_read", "bob", ("a-ledger",)), ("export", "bob", ("a-ledger",))}
    assert audit.verify().ok


@pytest.mark.parametrize("scope, value, ids", [
    ("memory", None, ["a-ledger"]), ("domain", "payments", None), ("tag", "ledger", None), ("pattern", "pat-ledger", None),
])
def test_every_scope_shares_exactly_what_it_covers(memories: MemoryService, consent: ConsentService,
                                                   db: neo4j.Driver, scope, value, ids) -> None:
    db.execute_query("MATCH (m:Memory {id: 'a-ledger'}) MERGE (p:FailurePattern {id: 'pat-ledger'}) "
                     "MERGE (m)-[:INSTANCE_OF]->(p)")
    grant = consent.grant("alice", grantee="bob", scope=scope, value=value, memory_ids=ids)
    seen = {r.memory.id for r in memories.retrieve_relevant_memories("bob", "quasar lattice", k=10)}
    assert seen == {"a-ledger", "b-own"}  # a-auth shares the words but is not covered
    consent.revoke("alice", grant.id)
    assert {r.memory.id for r in memories.retrieve_relevant_memories("bob", "quasar lattice", k=10)} == {"b-own"}


def test_grants_expire_and_direct_grants_are_idempotent(memories: MemoryService, consent: ConsentService) -> None:
    first = consent.grant_detailed("alice", grantee="bob", scope="tag", value="auth")
    again = consent.grant_detailed("alice", grantee="bob", scope="tag", value="auth")
    assert first.created and not again.created and again.grant.id == first.grant.id
    consent.revoke("alice", first.grant.id)
    assert consent.grant_detailed("alice", grantee="bob", scope="tag", value="auth").created  # new consent after a revoke
    soon = consent.grant("alice", grantee="bob", scope="domain", value="payments",
                         expires_at=datetime.now(UTC) + timedelta(seconds=2))
    assert "a-ledger" in {r.memory.id for r in memories.retrieve_relevant_memories("bob", CONTEXT, k=5)}
    import time

    time.sleep(2.5)
    assert "a-ledger" not in {r.memory.id for r in memories.retrieve_relevant_memories("bob", CONTEXT, k=5)}
    assert soon.id not in {g.id for g in consent.list_grants("alice", "given")}


def test_narrowing_denial_and_bad_input(memories: MemoryService, consent: ConsentService, services) -> None:
    request = consent.request_access("bob", "alice", "domain", "payments")
    with pytest.raises(BadInputError, match="narrow"):
        consent.grant("alice", request_id=request.id, scope="domain", value="auth")  # not narrower: different
    with pytest.raises(BadInputError, match="Not within request"):
        consent.grant("alice", request_id=request.id, memory_ids=["a-auth"])  # outside the requested domain
    narrowed = consent.grant("alice", request_id=request.id, memory_ids=["a-ledger"])
    assert (narrowed.scope, narrowed.memory_ids) == ("memory", ["a-ledger"])

    other = consent.request_access("bob", "alice", "tag", "auth")
    with pytest.raises(ForbiddenError):
        consent.deny("bob", other.id)
    denied = consent.deny("alice", other.id)
    assert denied.status == "denied" and consent.deny("alice", other.id).decided_at == denied.decided_at
    with pytest.raises(BadInputError, match="denied"):
        consent.grant("alice", request_id=other.id)
    with pytest.raises(BadInputError, match="granted already"):
        consent.deny("alice", request.id)

    with pytest.raises(NotFoundError, match="No agent 'carol'"):  # naming an agent does not create it
        consent.grant("alice", grantee="carol", scope="domain", value="payments")
    services.keys.create_agent("carol")
    with pytest.raises(ForbiddenError, match="its own"):
        consent.grant("alice", grantee="carol", scope="memory", memory_ids=["b-own"])  # bob's memory
    with pytest.raises(BadInputError):
        consent.grant("alice", grantee="alice", scope="tag", value="auth")
    with pytest.raises(BadInputError):
        consent.grant("alice", grantee="bob", scope="galaxy", value="x")
    with pytest.raises(BadInputError):
        consent.grant("alice", grantee="bob", scope="tag", value="auth", expires_at=datetime.now(UTC) - timedelta(days=1))
    with pytest.raises(NotFoundError):
        consent.revoke("alice", "grant-nope")
    with pytest.raises(NotFoundError):
        consent.grant("alice", request_id="req-nope")


def test_concurrent_identical_grants_create_one(memories: MemoryService, consent: ConsentService) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: consent.grant_detailed("alice", grantee="bob", scope="tag", value="ledger"),
                                range(8)))
    assert len({r.grant.id for r in results}) == 1 and sum(r.created for r in results) == 1


def test_consent_cli(settings: Settings, memories: MemoryService) -> None:
    env = server_env(settings)
    shared = run_cli("memory", "share", "--from", "alice", "--to", "bob", "--domain", "payments", "--expires", "7d",
                     "--format", "json", env=env)
    assert shared.returncode == 0, shared.stderr
    grant = json.loads(shared.stdout)
    assert grant["created"] is True and grant["scope"] == "domain"
    again = run_cli("memory", "share", "--from", "alice", "--to", "bob", "--domain", "payments", env=env)
    assert again.returncode == 0 and "Already granted (unchanged)" in again.stdout
    audited = json.loads(run_cli("audit", "--agent", "alice", "--type", "grant", "--format", "json", env=env).stdout)
    assert [e["subject_ids"] for e in audited] == [[grant["id"]]]

    listed = json.loads(run_cli("consent", "grants", "--agent", "bob", "--received", "--format", "json", env=env).stdout)
    assert [g["id"] for g in listed] == [grant["id"]]
    made = json.loads(run_cli("consent", "request", "--agent", "carol", "--owner", "alice", "--tag", "ledger",
                              "--reason", "audit", "--format", "json", env=env).stdout)
    incoming = run_cli("consent", "requests", "--agent", "alice", "--status", "pending", "--format", "json", env=env)
    assert [r["id"] for r in json.loads(incoming.stdout)] == [made["id"]]
    assert run_cli("consent", "requests", "--agent", "alice", env=env).returncode == 0  # the table
    stranger = run_cli("consent", "grant", "--owner", "bob", "--request", made["id"], env=env)
    assert stranger.returncode == 1 and "[NOT_FOUND]" in stranger.stderr  # bob is no party to carol's request
    forbidden = run_cli("consent", "grant", "--owner", "carol", "--request", made["id"], env=env)
    assert forbidden.returncode == 1 and "[FORBIDDEN]" in forbidden.stderr  # its requester knows of it
    granted = run_cli("consent", "grant", "--owner", "alice", "--request", made["id"], "--format", "json", env=env)
    assert granted.returncode == 0 and json.loads(granted.stdout)["grantee_id"] == "carol"
    revoked = run_cli("consent", "revoke", grant["id"], "--owner", "alice", env=env)
    assert revoked.returncode == 0 and "no longer sees" in revoked.stdout
    missing = run_cli("consent", "revoke", "grant-nope", "--owner", "alice", env=env)
    assert missing.returncode == 1 and "[NOT_FOUND]" in missing.stderr
    bad = run_cli("memory", "share", "--from", "alice", "--to", "bob", env=env)
    assert bad.returncode == 2 and "[BAD_USER_INPUT]" in bad.stderr
    for command in (["consent", "--help"], ["consent", "grant", "--help"], ["consent", "deny", "--help"]):
        assert run_cli(*command, env=env).returncode == 0
