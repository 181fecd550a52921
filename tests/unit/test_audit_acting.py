"""Attribution of audit entries to an operator acting for agents, and refusal of secrets in import ids."""

from __future__ import annotations

from datetime import UTC, datetime
from concurrent.futures import ThreadPoolExecutor

import pytest

from engram.entities.audit_chain import AuditEntry
from engram.errors import BadInputError
from engram.knowledge.document import parse_document
from engram.knowledge.document_ids import refuse_secret_ids
from engram.privacy.acting import ActingScope, attributed, run_in
from engram.privacy.redaction import Redactor

AWS_KEY = "AKIAQWERTYUIOPASDFGH"


def test_entries_of_agents_acted_for_are_the_operators_and_others_are_left_alone() -> None:
    scope = ActingScope()
    scope.act_for("ops", "alice")
    read = AuditEntry("cross_agent_read", "alice", "bob", ["m1"], {"via": "search"})
    own = AuditEntry("cross_agent_read", "carol", "bob", ["m1"], {"via": "search"})
    moved = run_in(scope, attributed, read)
    assert (moved.actor_id, moved.owner_id, moved.details, moved.id) == \
        ("ops", "bob", {"via": "search", "on_behalf_of": "alice"}, read.id)
    assert run_in(scope, attributed, own) == own
    assert run_in(scope, attributed, moved) == moved  # attributing twice changes nothing
    assert attributed(read) == read  # outside a request's scope


def test_the_scope_follows_the_call_into_a_worker_thread_and_ends_with_it() -> None:
    scope = ActingScope()
    scope.act_for("ops", "alice")
    entry = AuditEntry("export", "alice", "alice")
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(run_in, scope, attributed, entry).result().actor_id == "ops"
        assert pool.submit(attributed, entry).result().actor_id == "alice"  # another call, no scope


def _document(**memory) -> dict:
    entry = {"kind": "knowledge", "id": "note-1", "agent_id": "alice", "context": "a note",
             "created_at": datetime(2026, 1, 1, tzinfo=UTC).isoformat(), "content": {"domain": "notes"}} | memory
    return {"format": "engram.knowledge", "version": 1, "exported_at": entry["created_at"],
            "source": {"agent_id": "alice", "engram_version": "x"}, "memories": [entry]}


def test_a_document_with_plain_ids_passes() -> None:
    refuse_secret_ids(parse_document(_document(provenance=[{"agent_id": "bob", "memory_id": "imp-0a1b"}])),
                      Redactor())


@pytest.mark.parametrize("memory, path", [
    ({"id": AWS_KEY}, "$.memories[0].id"),
    ({"agent_id": f"team-{AWS_KEY}"}, "$.memories[0].agent_id"),
    ({"patterns": ["p-1", AWS_KEY]}, "$.memories[0].patterns[1]"),
    ({"provenance": [{"agent_id": "bob", "memory_id": "ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5"}]},
     "$.memories[0].provenance[0].memory_id"),
])
def test_a_secret_in_any_id_is_refused_naming_its_path_not_its_value(memory: dict, path: str) -> None:
    with pytest.raises(BadInputError) as refused:
        refuse_secret_ids(parse_document(_document(**memory)), Redactor())
    assert path in refused.value.message and AWS_KEY not in refused.value.message
    assert "ghp_" not in refused.value.message
