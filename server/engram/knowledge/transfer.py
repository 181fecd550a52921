"""KnowledgeTransfer: the one object the CLI and the API call to export, import and merge knowledge."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from engram.config import Settings
from engram.embeddings import Embedder
from engram.errors import BadInputError, NotFoundError
from engram.knowledge.document import KnowledgeDocument, dump, parse_json
from engram.knowledge.exporter import Exporter, ExportReport
from engram.knowledge.importer import ImportReport, Importer
from engram.knowledge.merger import MergeReport, Merger
from engram.storage.knowledge import KnowledgeRepository
from engram.privacy.audit import AuditLog
from engram.privacy.consent import ConsentService
from engram.privacy.redaction import Redactor
from engram.storage.connection import Driver
from engram.storage.memories import MemoryRepository

__all__ = ["KnowledgeTransfer", "ExportReport", "ImportReport", "MergeReport", "read_document", "write_document"]


def read_document(path: Path) -> KnowledgeDocument:
    if not path.is_file():
        raise NotFoundError(f"No file {str(path)!r}.")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise BadInputError(f"{path} is not UTF-8 text.") from None
    return parse_json(text, str(path))


def write_document(document: KnowledgeDocument, path: Path) -> None:
    """Written next to the target and renamed, so a reader never sees half a file."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(dump(document), encoding="utf-8")
    partial.replace(path)


class KnowledgeTransfer:
    def __init__(self, driver: Driver, embedder: Embedder, settings: Settings, audit: AuditLog,
                 consent: ConsentService, redactor: Redactor) -> None:
        repository = KnowledgeRepository(driver, settings, audit.repository)
        self.exporter = Exporter(repository, audit, redactor, settings.embedding_model, settings.embedding_dimension)
        self.importer = Importer(repository, MemoryRepository(driver, settings), embedder, audit, consent, redactor)
        self.merger = Merger(repository, audit, consent)

    def export(self, agent_id: str | None, *, domain: str | None = None, include_shared: bool = False,
               with_embeddings: bool = False, progress: Callable[[int], None] | None = None,
               ) -> tuple[KnowledgeDocument, ExportReport]:
        return self.exporter.export(agent_id, domain=domain, include_shared=include_shared,
                                    with_embeddings=with_embeddings, progress=progress)

    def import_document(self, document: KnowledgeDocument, *, as_agent: str | None = None, actor: str | None = None,
                        progress: Callable[[int], None] | None = None) -> ImportReport:
        return self.importer.import_document(document, as_agent=as_agent, actor=actor, progress=progress)

    def merge(self, from_agent: str, domain: str, into: str, *, actor: str | None = None,
              progress: Callable[[int], None] | None = None,
              on_total: Callable[[int], None] | None = None) -> MergeReport:
        return self.merger.merge(from_agent, domain, into, actor=actor, progress=progress, on_total=on_total)
