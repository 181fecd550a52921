"""Loads the demo data in seeds/ through the normal store path; idempotent (fixed ids)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path


from engram.errors import BadInputError
from engram.memory.builder import build_memory
from engram.services import Services

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


def _when(row: dict, now: datetime) -> datetime:
    return now - timedelta(days=row.get("days_ago", 0))


def load_seeds(services: Services, *, log=print, directory: Path | None = None) -> str:
    directory = directory or services.settings.seeds_dir
    now = datetime.now(UTC)
    rows = sorted(_read_jsonl(directory / "memories.jsonl"), key=lambda r: -r.get("days_ago", 0))
    engine = services.learning
    learned = {"decision", "failure"}  # these go through the engine, which records them and learns from them
    plain = []
    for row in rows:
        if row["type"] not in learned:
            fields = {k: v for k, v in row.items() if k in _FIELDS}
            fields["kind"] = fields.pop("type")
            plain.append(build_memory(**fields, memory_id=row["id"], created_at=_when(row, now)))
    summary = engine.memories.record_many(plain)
    learned_rows = [row for row in rows if row["type"] in learned]
    there = sum(len(engine.memories.repository.owned([row["id"]], row["agent"])) for row in learned_rows)
    created, unchanged = summary.created + len(learned_rows) - there, summary.unchanged + there
    # Decisions and failures feed their templates and patterns (counted once per memory id, so idempotent).
    for row in rows:
        if row["type"] == "decision":
            engine.record_decision(
                row["agent"], row["context"], row["action"], row["outcome"], alternatives=row.get("alternatives", []),
                domain=row.get("domain"), tags=row.get("tags", []), confidence=row.get("confidence", 0.5),
                memory_id=row["id"], created_at=_when(row, now))
        elif row["type"] == "failure":
            engine.learn_from_failure(
                row["agent"], row["error"], context=row["context"], root_cause=row.get("root_cause"),
                solution=row.get("solution"), solution_worked=row.get("outcome") != "failure",
                prevention=row.get("prevention"), domain=row.get("domain"), tags=row.get("tags"),
                memory_id=row["id"], created_at=_when(row, now))
    # Through the consent service, so seeded grants are audited like any other; an identical live
    # grant is returned as it is, which keeps seeding idempotent.
    grant_rows = _read_jsonl(directory / "grants.jsonl") if (directory / "grants.jsonl").exists() else []
    for row in grant_rows:
        services.consent.grant(row["from"], grantee=row["to"], scope=row["scope"], value=row.get("value"),
                               memory_ids=row.get("memory_ids"), expires_at=now + timedelta(days=row.get("days", 30)))
    report = engine.analyze()
    return (f"{created} memories created, {unchanged} already there; {len(grant_rows)} grants; "
            f"{report.patterns_after} failure patterns ({report.recurring_patterns} recurring), "
            f"{report.success_patterns} success patterns")
