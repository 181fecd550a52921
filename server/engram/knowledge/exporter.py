"""Export: an agent's memories (optionally with those shared with it) as a versioned, redacted document."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from engram import __version__
from engram.entities.privacy import OPERATOR, AuditEventType
from engram.errors import BadInputError
from engram.knowledge.document import FORMAT, VERSION, ExportSource, KnowledgeDocument
from engram.knowledge.mapping import (
    memory_from_props, pattern_as_seen, pattern_from_props, redact_entry, redact_pattern,
)
from engram.storage.knowledge import KnowledgeRepository
from engram.privacy.audit import AuditEntry, AuditLog
from engram.privacy.redaction import Redactor

PAGE = 500


@dataclass
class ExportReport:
    memories: int
    patterns: int
    redactions: int
    by_owner: dict[str, int] = field(default_factory=dict)


class Exporter:
    def __init__(self, repository: KnowledgeRepository, audit: AuditLog, redactor: Redactor,
                 embedding_model: str, embedding_dimension: int) -> None:
        self.repository = repository
        self.audit = audit
        self.redactor = redactor
        self.embedding_model = embedding_model
        self.embedding_dimension = embedding_dimension

    def export(self, agent_id: str | None, *, domain: str | None = None, include_shared: bool = False,
               with_embeddings: bool = False, progress: Callable[[int], None] | None = None,
               ) -> tuple[KnowledgeDocument, ExportReport]:
        """Every text is redacted again on the way out, whatever the store path did. Each export is
        audited for every owner whose memories it contains (so exporting is not idempotent: each
        one is an access of its own)."""
        if domain is not None and not domain.strip():
            raise BadInputError("The domain to export is empty: name one, or leave it out to export every domain.")
        entries, patterns, redactions, after = [], {}, 0, ("", "")  # (id, agent_id): ids are per agent
        while True:
            page = self.repository.export_page(agent_id, domain, include_shared and agent_id is not None,
                                               with_embeddings, after, PAGE)
            for row in page:
                if row["memory"] is None:  # deleted while the page was read
                    continue
                entry = memory_from_props(row["memory"], [p["id"] for p in row["patterns"]], row["provenance"],
                                          row["embedding"] if with_embeddings else None)
                entry, found = redact_entry(entry, self.redactor)
                entries.append(entry)
                redactions += found
                for props in row["patterns"]:
                    pattern = pattern_from_props(props)
                    if pattern is not None and pattern.id not in patterns:
                        # Named from this exported memory (the first of the pattern's in the export),
                        # never from the stored pattern, whose name came from whoever was first.
                        patterns[pattern.id] = redact_pattern(pattern_as_seen(pattern, entry), self.redactor)
            if progress:
                progress(len(page))
            if len(page) < PAGE:
                break
            after = (page[-1]["id"], page[-1]["owner"])
        document = KnowledgeDocument(
            format=FORMAT, version=VERSION, exported_at=datetime.now(UTC),
            source=ExportSource(agent_id=agent_id, domain=domain, include_shared=include_shared,
                                engram_version=__version__),
            embedding_model=self.embedding_model if with_embeddings else None,
            embedding_dimension=self.embedding_dimension if with_embeddings else None,
            memories=entries, patterns=sorted(patterns.values(), key=lambda p: p.id),
        )
        by_owner = Counter(e.agent_id for e in entries)
        self._audit(agent_id, document, domain, include_shared, with_embeddings)
        return document, ExportReport(len(entries), len(patterns), redactions, dict(by_owner))

    def _audit(self, agent_id: str | None, document: KnowledgeDocument, domain: str | None,
               include_shared: bool, with_embeddings: bool) -> None:
        ids_by_owner: dict[str, list[str]] = {}
        for entry in document.memories:
            ids_by_owner.setdefault(entry.agent_id, []).append(entry.id)
        details = {"domain": domain, "include_shared": include_shared, "with_embeddings": with_embeddings}
        owners = ids_by_owner or {agent_id: []}
        self.audit.record_many([AuditEntry(AuditEventType.export.value, agent_id or OPERATOR, owner, ids,
                                           details | {"memories": len(ids)}) for owner, ids in owners.items()])
