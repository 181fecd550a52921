"""Between stored memories and the export format: node properties → document, document → NewMemory,
redaction of every text, and the content fingerprint that tells "same memory" from "conflict"."""

from __future__ import annotations

import hashlib
import json
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

from engram.entities.memory import CONTENT_TYPES, MemoryKind, NewMemory, Outcome
from engram.knowledge.document import MEMORY_MODELS, PATTERN_LABELS, ExportedPattern, MemoryEntry
from engram.learning.naming import context_signature, pattern_name
from engram.privacy.redaction import Redactor

# Keys whose values are identifiers, enums, numbers or times: never free text, never redacted.
_NOT_TEXT = frozenset({"id", "agent_id", "kind", "memory_id", "outcome", "outcome_quality", "created_at",
                       "first_seen", "last_seen", "embedding", "patterns", "label", "occurrences",
                       "confidence_score", "success_rate"})
_CONTENT_PROPS = {kind: [f.name for f in fields(cls)] for kind, cls in CONTENT_TYPES.items()}


def _native(value: Any) -> Any:
    value = value.to_native() if hasattr(value, "to_native") else value
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def memory_from_props(props: dict, patterns: list[str], provenance: list[dict],
                      embedding: list[float] | None = None) -> MemoryEntry:
    """A stored memory (node properties) as a document entry."""
    kind = MemoryKind(props["memory_type"])
    content = {name: _native(props.get(name)) for name in _CONTENT_PROPS[kind] if props.get(name) is not None}
    created = _native(props.get("created_at"))
    return MEMORY_MODELS[kind].model_validate({
        "kind": kind.value, "id": props["id"], "agent_id": props["agent_id"], "context": props.get("context") or "-",
        "outcome": props.get("outcome"), "confidence_score": float(props.get("confidence_score") or 0.0),
        "success_rate": props.get("success_rate"), "tags": list(props.get("tags") or []), "domain": props.get("domain"),
        "created_at": created, "first_seen": _native(props.get("first_seen")) or created,
        "last_seen": _native(props.get("last_seen")) or created, "occurrences": int(props.get("occurrences") or 1),
        "patterns": sorted(patterns), "content": content, "embedding": embedding,
        "provenance": sorted(provenance, key=lambda p: (p["agent_id"], p["memory_id"])),
    })


def pattern_from_props(props: dict) -> ExportedPattern | None:
    label = next((label for label in PATTERN_LABELS if label in (props.get("labels") or [])), None)
    if label is None:
        return None
    return ExportedPattern(id=props["id"], label=label, name=props.get("name"), signature=props.get("signature"),
                           action=props.get("action"), context_signature=props.get("context_signature"))


def pattern_as_seen(pattern: ExportedPattern, entry: MemoryEntry) -> ExportedPattern:
    """A pattern's texts rendered from one exported memory of it, as the exporting caller sees it."""
    content = entry.content.model_dump()
    if pattern.label == "FailurePattern":
        signature = content.get("error_signature") or ""
        return pattern.model_copy(update={"name": pattern_name(entry.context, signature), "signature": signature,
                                          "context_signature": None})
    if pattern.label == "DecisionTemplate":
        return pattern.model_copy(update={"name": None, "signature": None,
                                          "context_signature": context_signature(entry.context)})
    return pattern.model_copy(update={"name": pattern.action, "signature": None, "context_signature": None})


def to_new_memory(entry: MemoryEntry, *, memory_id: str, agent_id: str) -> NewMemory:
    """A document entry as the store path takes it (it is redacted and embedded there)."""
    kind = MemoryKind(entry.kind)
    values = entry.content.model_dump()
    for name in ("outcome_quality", "outcome"):
        if values.get(name) is not None:
            values[name] = Outcome(values[name])
    content = CONTENT_TYPES[kind](**values)
    return NewMemory(agent_id=agent_id, kind=kind, context=entry.context, content=content,
                     outcome=Outcome(entry.outcome) if entry.outcome else None,
                     confidence_score=entry.confidence_score, tags=list(entry.tags), domain=entry.domain,
                     id=memory_id, created_at=entry.created_at)


def redact_entry(entry: MemoryEntry, redactor: Redactor) -> tuple[MemoryEntry, int]:
    """Every free-text value of an entry redacted again (content, context, tags, domain, lists)."""
    count = 0

    def walk(value: Any, key: str | None) -> Any:
        nonlocal count
        if key in _NOT_TEXT:
            return value
        if isinstance(value, str):
            result = redactor.redact(value)
            count += len(result.findings)
            return result.text
        if isinstance(value, list):
            return [walk(v, None) for v in value]
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        return value

    data = walk(entry.model_dump(), None)
    return (type(entry).model_validate(data) if count else entry), count


def redact_pattern(pattern: ExportedPattern, redactor: Redactor) -> ExportedPattern:
    changes = {name: redactor.redact(getattr(pattern, name)).text
               for name in ("name", "signature", "action", "context_signature") if getattr(pattern, name)}
    return pattern.model_copy(update=changes)


def normalized(entry: MemoryEntry) -> MemoryEntry:
    """As the store path will keep it: tags trimmed, lower-cased, sorted and unique; a knowledge
    memory's domain is its content's domain."""
    tags = sorted({t.strip().lower() for t in entry.tags if t and t.strip()})
    domain = entry.content.domain if entry.kind == MemoryKind.knowledge.value else entry.domain
    if tags == entry.tags and domain == entry.domain:
        return entry
    return entry.model_copy(update={"tags": tags, "domain": domain})


def fingerprint(entry: MemoryEntry) -> str:
    """What makes two memories the same: kind, context, content, outcome, tags, domain — not the
    owner, id, counts or times, which differ between instances and change as memories are used."""
    core = {"kind": entry.kind, "context": entry.context, "content": entry.content.model_dump(mode="json"),
            "outcome": entry.outcome.value if entry.outcome else None, "tags": sorted(entry.tags),
            "domain": entry.domain}
    return hashlib.sha256(json.dumps(core, sort_keys=True).encode()).hexdigest()


def differing_fields(a: MemoryEntry, b: MemoryEntry) -> list[str]:
    names = [n for n in ("kind", "context", "outcome", "domain") if getattr(a, n) != getattr(b, n)]
    if sorted(a.tags) != sorted(b.tags):
        names.append("tags")
    if a.kind == b.kind:
        mine, theirs = a.content.model_dump(), b.content.model_dump()
        names += [f"content.{k}" for k in sorted(set(mine) | set(theirs)) if mine.get(k) != theirs.get(k)]
    return names


_PATTERN_PREFIX = {"FailurePattern": "fp", "DecisionTemplate": "tmpl", "SuccessPattern": "sp"}


def imported_pattern_id(owner: str, label: str, pattern_id: str) -> str:
    """The id an imported pattern takes in its importer's namespace, unless the importer already has a part in
    the document's pattern of that id: deterministic (importing again finds it), and the same whether that id
    is unused or another agent's, so an import neither tells which nor joins or pre-creates anybody's pattern."""
    digest = hashlib.sha256(f"{owner}\x00{label}\x00{pattern_id}".encode()).hexdigest()[:12]
    return f"{_PATTERN_PREFIX.get(label, 'pattern')}-imp-{digest}"


def derived_id(target_agent: str, source_agent: str, source_id: str) -> str:
    """The id of a memory copied to another agent: deterministic, so copying again finds it."""
    digest = hashlib.sha256(f"{target_agent}\x00{source_agent}\x00{source_id}".encode()).hexdigest()[:20]
    return f"imp-{digest}"

