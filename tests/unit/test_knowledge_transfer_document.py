"""The knowledge export format: the committed JSON Schema matches the models; bad documents name the
JSON path of each problem; the mapping keeps what makes a memory the same and redacts every text."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest

from engram.errors import BadInputError
from engram.knowledge.document import SCHEMA_PATH, dump, parse_document, parse_json, schema_text
from engram.knowledge.mapping import derived_id, fingerprint, normalized, redact_entry, to_new_memory
from engram.privacy.redaction import Redactor

DOC = {
    "format": "engram.knowledge", "version": 1, "exported_at": "2026-01-17T10:00:00Z",
    "source": {"agent_id": "alice", "domain": "auth", "engram_version": "0.1.0"},
    "memories": [
        {"kind": "decision", "id": "m-1", "agent_id": "alice", "context": "api-auth-timeout",
         "created_at": "2026-01-10T10:00:00Z", "outcome": "success", "tags": ["Auth"], "domain": "auth",
         "content": {"decision_context": "api-auth-timeout", "chosen_action": "retry-with-exponential-backoff",
                     "outcome_quality": "success", "alternative_actions": ["increase-timeout"]}},
        {"kind": "failure", "id": "m-2", "agent_id": "alice", "context": "login with password=Sup3rS3cretPw! failed",
         "created_at": "2026-01-11T10:00:00+01:00",
         "content": {"error_signature": "auth failed", "error_message": "auth failed", "root_cause": "expired"}},
    ],
}


def test_the_committed_schema_is_generated_from_the_models() -> None:
    assert SCHEMA_PATH.read_text() == schema_text(), "run: python -m engram.knowledge.document"
    schema = json.loads(SCHEMA_PATH.read_text())
    assert schema["$id"] == "urn:engram:knowledge-export:1" and schema["additionalProperties"] is False
    assert set(schema["required"]) >= {"format", "version", "exported_at", "source", "memories"}


def test_a_valid_document_round_trips() -> None:
    document = parse_document(DOC)
    assert [m.kind for m in document.memories] == ["decision", "failure"]
    again = parse_json(dump(document))
    assert again == document
    assert "embedding" not in dump(document)  # absent unless exported with embeddings


@pytest.mark.parametrize("change, path", [
    (lambda d: d["memories"][0]["content"].pop("chosen_action"), "$.memories[0].content.chosen_action"),
    (lambda d: d["memories"][1].update(kind="dream"), "$.memories[1].kind"),
    (lambda d: d["memories"][0].update(confidence_score=3), "$.memories[0].confidence_score"),
    (lambda d: d["memories"][0].update(created_at="2026-01-10T10:00:00"), "$.memories[0].created_at"),
    (lambda d: d["memories"][0].update(surprise=1), "$.memories[0].surprise"),
    (lambda d: d.update(format="other"), "$.format"),
    (lambda d: d["memories"][1].update(id="m-1"), "$.memories[1].id"),
    (lambda d: d["memories"][0].update(embedding=[0.1, 0.2]), "$.memories[0].embedding"),
])
def test_problems_are_reported_with_their_json_path(change, path) -> None:
    bad = copy.deepcopy(DOC)
    change(bad)
    with pytest.raises(BadInputError) as caught:
        parse_document(bad, "auth.json")
    assert caught.value.code == "BAD_USER_INPUT"
    assert path in caught.value.message and caught.value.message.startswith("auth.json is not a valid knowledge export")


def test_not_json_and_newer_versions_are_clear_errors() -> None:
    with pytest.raises(BadInputError, match="not JSON: .* line 1, column 2"):
        parse_json("{oops", "x.json")
    with pytest.raises(BadInputError, match="format version 2; this Engram reads version 1"):
        parse_document({**DOC, "version": 2}, "x.json")


def test_entries_are_redacted_normalized_and_fingerprinted_by_content_only() -> None:
    document = parse_document(DOC)
    failure, found = redact_entry(document.memories[1], Redactor())
    assert found == 1 and "Sup3rS3cretPw!" not in failure.context and "[REDACTED" in failure.context
    decision = normalized(document.memories[0])
    assert decision.tags == ["auth"]
    moved = decision.model_copy(update={"agent_id": "bob", "id": "other", "occurrences": 7,
                                        "created_at": datetime(2020, 1, 1, tzinfo=UTC)})
    assert fingerprint(moved) == fingerprint(decision)
    assert fingerprint(decision.model_copy(update={"context": "something else"})) != fingerprint(decision)
    new = to_new_memory(decision, memory_id="x-1", agent_id="bob")
    assert new.id == "x-1" and new.agent_id == "bob" and new.content.chosen_action == "retry-with-exponential-backoff"
    assert derived_id("bob", "alice", "m-1") == derived_id("bob", "alice", "m-1") != derived_id("carol", "alice", "m-1")
