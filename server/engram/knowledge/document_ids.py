"""Ids in a knowledge document that would be stored as given are refused when they hold a secret.

An import redacts every free-text value (context, content, tags, domain, pattern texts: mapping.py), but an
id cannot be redacted: two ids redacted to the same marker would collide, and the id is what makes an
import idempotent. So a memory id, owner, pattern id or provenance reference that looks like a secret
stops the whole import before anything is stored, with the JSON path of each such field named (the value
itself never is)."""

from __future__ import annotations

from collections.abc import Iterator

from engram.errors import BadInputError
from engram.knowledge.document import KnowledgeDocument
from engram.privacy.redaction import Redactor

MAX_NAMED = 5


def document_ids(document: KnowledgeDocument) -> Iterator[tuple[str, str]]:
    """(JSON path, value) of every identifier in the document: what an import stores or looks up verbatim."""
    if document.source.agent_id is not None:
        yield "$.source.agent_id", document.source.agent_id
    for i, memory in enumerate(document.memories):
        at = f"$.memories[{i}]"
        yield f"{at}.id", memory.id
        yield f"{at}.agent_id", memory.agent_id
        for j, pattern_id in enumerate(memory.patterns):
            yield f"{at}.patterns[{j}]", pattern_id
        for j, origin in enumerate(memory.provenance):
            yield f"{at}.provenance[{j}].agent_id", origin.agent_id
            yield f"{at}.provenance[{j}].memory_id", origin.memory_id
    for i, pattern in enumerate(document.patterns):
        yield f"$.patterns[{i}].id", pattern.id


def refuse_secret_ids(document: KnowledgeDocument, redactor: Redactor, source: str = "the document") -> None:
    """Raise BadInputError naming (up to MAX_NAMED of) the id fields that hold a secret, and its kind."""
    found: list[str] = []
    for path, value in document_ids(document):
        findings = redactor.redact(value).findings
        if findings:
            found.append(f"{path} ({findings[0].kind})")
    if found:
        more = f" (and {len(found) - MAX_NAMED} more)" if len(found) > MAX_NAMED else ""
        raise BadInputError(
            f"{source} cannot be imported: {', '.join(found[:MAX_NAMED])}{more} looks like it holds a secret. "
            "Ids are stored as given, so nothing was imported.",
            hint="Give those memories, patterns or owners ids without the secret and import again.")
