"""Loads the demo data in seeds/ through the normal store path; idempotent (fixed ids)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import neo4j

from engram.config import Settings
from engram.embeddings import build_embedder
from engram.errors import BadInputError
from engram.memory.builder import build_memory
from engram.learning.engine import LearningEngine
from engram.privacy.audit import AuditLog
from engram.privacy.consent import ConsentService

_FIELDS = {
    "agent", "type", "context", "action", "outcome", "alternatives", "error", "root_cause", "solution", "prevention",
    "partners", "interaction", "lessons", "domain", "knowledge_type", "expertise", "entities", "content",
    "key_factors", "steps", "tags", "confidence",
}


def _read_jsonl(path: Path) -> list[dict]:
    rows = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise BadInputError(f"{path}:{number}: not JSON: {exc}") from None
    return rows


def load_seeds(driver: neo4j.Driver, settings: Settings, *, log=print, directory: Path | None = None) -> str:
    directory = directory or settings.seeds_dir
    now = datetime.now(UTC)
    rows = sorted(_read_jsonl(directory / "memories.jsonl"), key=lambda r: -r.get("days_ago", 0))
    memories = []
    for row in rows:
        fields = {k: v for k, v in row.items() if k in _FIELDS}
        fields["kind"] = fields.pop("type")
        memories.append(build_memory(**fields, memory_id=row["id"],
                                     created_at=now - timedelta(days=row.get("days_ago", 0))))
    engine = LearningEngine(driver, build_embedder(settings), settings)
    try:
        summary = engine.memories.record_many(memories)
        # Decisions and failures also feed their templates and patterns (counted once per memory id).
        for row, memory in zip(rows, memories, strict=True):
            if row["type"] == "decision":
                engine.record_decision(row["agent"], row["context"], row["action"], row["outcome"],
                                       alternatives=row.get("alternatives", []), domain=row.get("domain"),
                                       memory_id=memory.id)
            elif row["type"] == "failure":
                engine.learn_from_failure(row["agent"], row["error"], context=row["context"],
                                          root_cause=row.get("root_cause"), solution=row.get("solution"),
                                          solution_worked=row.get("outcome") != "failure",
                                          prevention=row.get("prevention"), domain=row.get("domain"),
                                          memory_id=memory.id)
    finally:
        engine.memories.close()
    # Through the consent service, so seeded grants are audited like any other; an identical live
    # grant is returned as it is, which keeps seeding idempotent.
    consent = ConsentService(driver, settings, AuditLog(driver, settings))
    grant_rows = _read_jsonl(directory / "grants.jsonl") if (directory / "grants.jsonl").exists() else []
    for row in grant_rows:
        consent.grant(row["from"], grantee=row["to"], scope=row["scope"], value=row.get("value"),
                      memory_ids=row.get("memory_ids"), expires_at=now + timedelta(days=row.get("days", 30)))
    report = engine.analyze()
    return (f"{summary.created} memories created, {summary.unchanged} already there; {len(grant_rows)} grants; "
            f"{report.patterns_after} failure patterns ({report.recurring_patterns} recurring), "
            f"{report.success_patterns} success patterns")
