"""The knowledge export format: versioned pydantic models, their JSON Schema, and validation errors
that name the JSON path of each problem.

    python -m engram.knowledge.document        # rewrite export.schema.json from these models
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator,
)

from engram.entities.instants import past_instant
from engram.entities.memory import MemoryKind, Outcome
from engram.errors import BadInputError

FORMAT = "engram.knowledge"
VERSION = 1
SCHEMA_ID = "urn:engram:knowledge-export:1"
SCHEMA_PATH = Path(__file__).with_name("export.schema.json")
INCOMING = "incoming"  # validation context of a document to import (parse_document), not one being exported
PATTERN_LABELS = ("FailurePattern", "DecisionTemplate", "SuccessPattern")  # the only labels an import may create

Text = Annotated[str, Field(max_length=20_000)]
Name = Annotated[str, Field(min_length=1, max_length=500)]
# Not blank either: the store drops blank partner names, and a collaboration needs one partner left.
Partner = Annotated[str, Field(min_length=1, max_length=500, pattern=r"\S")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


# ---- the five MemoryType variants of the spec, as stored
class DecisionContent(_Model):
    decision_context: Text
    chosen_action: Name
    outcome_quality: Outcome | None = None
    alternative_actions: list[Name] = []
    facts: Annotated[list[Text], Field(max_length=32)] = []  # "key=value" (learning/facts.py)


class FailureContent(_Model):
    error_signature: Text
    error_message: Text = ""
    root_cause: Text = ""
    solution_applied: Text = ""
    prevention_strategy: Text | None = None


class SuccessContent(_Model):
    context_signature: Text
    successful_approach: Name
    key_factors: list[Text] = []
    replication_steps: list[Text] = []


class CollaborationContent(_Model):
    partner_agents: Annotated[list[Partner], Field(min_length=1)]
    interaction_type: Name = "collaboration"
    outcome: Outcome | None = None
    lessons_learned: list[Text] = []


class KnowledgeContent(_Model):
    domain: Name
    knowledge_type: Name = "fact"
    expertise_level: Name = "intermediate"
    related_entities: list[Name] = []
    statement: Text = ""


class Provenance(_Model):
    """Where a memory came from: the agent and memory id it was imported or merged from."""

    agent_id: Name
    memory_id: Name


class MemoryEntry(_Model):
    """Fields every kind of memory has; the kind-specific models add `kind` and `content`."""

    id: Name
    agent_id: Name = Field(description="The owner when exported.")
    context: Annotated[str, Field(min_length=1, max_length=20_000)]
    outcome: Outcome | None = None
    confidence_score: float = Field(0.5, ge=0.0, le=1.0)
    success_rate: float | None = Field(None, ge=0.0, le=1.0)
    tags: list[Name] = []
    domain: Name | None = None
    created_at: AwareDatetime
    first_seen: AwareDatetime | None = None
    last_seen: AwareDatetime | None = None
    occurrences: int = Field(1, ge=1, le=1_000_000_000)
    patterns: list[Name] = Field([], description="Ids of the patterns this memory is an instance of.")
    provenance: list[Provenance] = []
    embedding: list[float] | None = Field(None, description="Only with --with-embeddings: the model's unit vector.")

    @field_validator("created_at", "first_seen", "last_seen")
    @classmethod
    def _in_range(cls, moment: datetime | None, info: ValidationInfo) -> datetime | None:
        """In an incoming document (parse_document), between 1970 and now, as from the API: an instant far off
        (year 1, or 9999 at -14:00) is stored by Neo4j but cannot be read back, so every reader of the memory
        would fail. What is exported is what was stored: not checked again."""
        if moment is None or not (info.context or {}).get(INCOMING):
            return moment
        try:
            return past_instant(moment, info.field_name or "date")
        except BadInputError as exc:
            raise ValueError(exc.message) from None

    @field_validator("embedding")
    @classmethod
    def _unit_vector(cls, embedding: list[float] | None) -> list[float] | None:
        """The model's embeddings are unit vectors: anything else (zero, non-finite, scaled) did not come from
        it, and a zero or overflowing vector would make every cosine with it fail."""
        if embedding is None:
            return None
        norm = math.sqrt(math.fsum(x * x for x in embedding)) if all(map(math.isfinite, embedding)) else math.inf
        if not math.isfinite(norm) or abs(norm - 1.0) > 1e-3:
            raise ValueError(f"not a unit vector (length {norm:.6g}): not an embedding of the model named")
        return embedding


class DecisionMemory(MemoryEntry):
    kind: Literal["decision"]
    content: DecisionContent


class FailureMemory(MemoryEntry):
    kind: Literal["failure"]
    content: FailureContent


class SuccessMemory(MemoryEntry):
    kind: Literal["success"]
    content: SuccessContent


class CollaborationMemory(MemoryEntry):
    kind: Literal["collaboration"]
    content: CollaborationContent


class KnowledgeMemory(MemoryEntry):
    kind: Literal["knowledge"]
    content: KnowledgeContent


ExportedMemory = Annotated[
    DecisionMemory | FailureMemory | SuccessMemory | CollaborationMemory | KnowledgeMemory,
    Field(discriminator="kind"),
]
MEMORY_MODELS: dict[MemoryKind, type[MemoryEntry]] = {
    MemoryKind.decision: DecisionMemory, MemoryKind.failure: FailureMemory, MemoryKind.success: SuccessMemory,
    MemoryKind.collaboration: CollaborationMemory, MemoryKind.knowledge: KnowledgeMemory,
}


class ExportedPattern(_Model):
    """A learned pattern that exported memories are instances of (its counts are recomputed on import)."""

    id: Name
    label: Literal["FailurePattern", "DecisionTemplate", "SuccessPattern"]
    name: Text | None = None
    signature: Text | None = None
    action: Name | None = None
    context_signature: Text | None = None


class ExportSource(_Model):
    agent_id: Name | None = Field(None, description="The agent whose view was exported; absent for an operator export.")
    domain: Name | None = None
    include_shared: bool = False
    engram_version: str


class KnowledgeDocument(_Model):
    """An Engram knowledge export. Secrets are redacted; embeddings are optional."""

    model_config = ConfigDict(extra="forbid", title="Engram knowledge export",
                              json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema",
                                                 "$id": SCHEMA_ID})

    format: Literal["engram.knowledge"]
    version: Literal[1]
    exported_at: AwareDatetime
    source: ExportSource
    embedding_model: Name | None = None
    embedding_dimension: int | None = Field(None, ge=1)
    memories: list[ExportedMemory]
    patterns: list[ExportedPattern] = []

    @model_validator(mode="after")
    def _consistent(self) -> "KnowledgeDocument":
        seen: set[str] = set()
        for index, memory in enumerate(self.memories):
            if memory.id in seen:
                raise ValueError(f"$.memories[{index}].id: duplicate memory id {memory.id!r}")
            seen.add(memory.id)
            if memory.embedding is not None and len(memory.embedding) != self.embedding_dimension:
                raise ValueError(f"$.memories[{index}].embedding: {len(memory.embedding)} numbers, but "
                                 f"embedding_dimension is {self.embedding_dimension}")
        return self


# ---- schema and validation
def json_schema() -> dict[str, Any]:
    return KnowledgeDocument.model_json_schema(mode="validation")


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def json_path(loc: tuple[Any, ...], error_type: str) -> str:
    """pydantic's error location as a JSON path; the union's tag (the memory kind) is not a key."""
    path, kinds = "$", {k.value for k in MemoryKind}
    for index, part in enumerate(loc):
        if isinstance(part, int):
            path += f"[{part}]"
        elif index > 0 and isinstance(loc[index - 1], int) and part in kinds:
            continue
        else:
            path += f".{part}"
    if error_type in ("union_tag_invalid", "union_tag_not_found"):
        path += ".kind"
    return path


def parse_document(data: Any, source: str = "the document") -> KnowledgeDocument:
    """Validate; a bad document raises BadInputError naming the JSON path of (up to 5 of) its problems."""
    if isinstance(data, dict) and data.get("format") == FORMAT and isinstance(data.get("version"), int) \
            and data["version"] > VERSION:
        raise BadInputError(f"{source} is format version {data['version']}; this Engram reads version {VERSION}.",
                            hint="Upgrade Engram, or export again with the same version.")
    try:
        return KnowledgeDocument.model_validate(data, context={INCOMING: True})
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            message = str(error["msg"]).removeprefix("Value error, ")
            if message.startswith("$"):
                problems.append(message)
            else:
                problems.append(f"{json_path(tuple(error['loc']), error['type'])}: {message}")
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise BadInputError(f"{source} is not a valid knowledge export: " + "; ".join(problems[:5]) + more,
                            hint=f"The format is described by {SCHEMA_PATH.name} ({SCHEMA_ID}).") from None


def parse_json(text: str, source: str = "the document") -> KnowledgeDocument:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInputError(f"{source} is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.") from None
    return parse_document(data, source)


def dump(document: KnowledgeDocument) -> str:
    return document.model_dump_json(indent=2, exclude_none=True) + "\n"


if __name__ == "__main__":
    SCHEMA_PATH.write_text(schema_text())
    print(f"wrote {SCHEMA_PATH}")
