"""Import: a knowledge document into this graph, idempotently, with consent when it crosses agents.

* Without --as-agent every memory keeps its id and owner (a restore, or a move between instances).
* With --as-agent X, memories of other owners become X's under a derived id, with provenance to
  the source; that crosses agents, so each must be covered by a live grant from its owner to X.
* A memory whose (target) id is stored already in its owner's namespace is left alone: unchanged when its
  content is the same, reported as a conflict when it differs. Ids are per agent, so another agent's memory
  with the same id never collides and the report never speaks of it. Importing the same file twice creates
  nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from engram.embeddings import Embedder
from engram.entities.memory import MemoryRef
from engram.entities.privacy import OPERATOR, AuditEventType
from engram.errors import BadInputError, ForbiddenError
from engram.knowledge.document import KnowledgeDocument, MemoryEntry, Provenance
from engram.knowledge.document_ids import refuse_secret_ids
from engram.knowledge.mapping import (
    derived_id, differing_fields, fingerprint, imported_pattern_id, memory_from_props, normalized, redact_entry,
    redact_pattern, to_new_memory,
)
from engram.storage.knowledge import KnowledgeRepository
from engram.memory.store import MemoryStore
from engram.privacy.audit import AuditEntry, AuditLog
from engram.privacy.consent import ConsentService, covers
from engram.privacy.redaction import Redactor
from engram.storage.memories import MemoryRepository

CHUNK = 500


@dataclass(frozen=True)
class Conflict:
    id: str
    fields: list[str]
    source_id: str


@dataclass
class ImportReport:
    total: int
    created: int = 0
    unchanged: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    redactions: int = 0
    created_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Planned:
    entry: MemoryEntry  # redacted, normalized, with the target's provenance
    target_id: str
    owner: str
    source_agent: str


class PrecomputedEmbedder:
    """Uses the document's embeddings (same model) and the real model only for what is missing."""

    def __init__(self, known: dict[str, list[float]], fallback: Embedder) -> None:
        self.known = known
        self.fallback = fallback
        self.name = fallback.name
        self.dimension = fallback.dimension

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        missing = [t for t in dict.fromkeys(texts) if t not in self.known]
        if missing:
            self.known.update(zip(missing, self.fallback.embed(missing), strict=True))
        return [self.known[t] for t in texts]


class Importer:
    def __init__(self, repository: KnowledgeRepository, memories: MemoryRepository, embedder: Embedder,
                 audit: AuditLog, consent: ConsentService, redactor: Redactor) -> None:
        self.repository = repository
        self.memories = memories
        self.embedder = embedder
        self.audit = audit
        self.consent = consent
        self.redactor = redactor

    def import_document(self, document: KnowledgeDocument, *, as_agent: str | None = None,
                        actor: str | None = None, progress: Callable[[int], None] | None = None) -> ImportReport:
        if as_agent is not None and not as_agent.strip():
            raise BadInputError("--as-agent needs an agent id.")
        refuse_secret_ids(document, self.redactor)  # before anything is stored
        report = ImportReport(total=len(document.memories))
        planned = [self._plan(entry, as_agent, report) for entry in document.memories]
        self._require_consent(planned)
        patterns = {p.id: redact_pattern(p, self.redactor) for p in document.patterns}
        store = MemoryStore(self.memories, self._embedder_for(document), self.redactor)
        for start in range(0, len(planned), CHUNK):
            self._import_chunk(planned[start:start + CHUNK], store, patterns, report)
            if progress:
                progress(len(planned[start:start + CHUNK]))
        self._audit(planned, report, as_agent, actor)
        return report

    def _plan(self, entry: MemoryEntry, as_agent: str | None, report: ImportReport) -> _Planned:
        entry, found = redact_entry(entry, self.redactor)
        report.redactions += found
        entry = normalized(entry)
        if as_agent is None or as_agent == entry.agent_id:
            return _Planned(entry, entry.id, entry.agent_id, entry.agent_id)
        provenance = list(entry.provenance) + [Provenance(agent_id=entry.agent_id, memory_id=entry.id)]
        moved = entry.model_copy(update={"provenance": provenance})
        return _Planned(moved, derived_id(as_agent, entry.agent_id, entry.id), as_agent, entry.agent_id)

    def _require_consent(self, planned: list[_Planned]) -> None:
        """Nothing crosses agents without a live grant from the owner covering the memory: the owner's memory as
        stored here (its stored domain and tags, not what the document says of it, which the importer wrote).
        A memory the owner does not hold here is refused like one the grant does not cover, so the answer
        tells nothing of which ids the owner holds, and no provenance can name a memory that is not there."""
        refused: list[str] = []
        grants_by_pair: dict[tuple[str, str], list] = {}
        crossing = [item for item in planned if item.owner != item.source_agent]
        sources = [MemoryRef(item.source_agent, item.entry.provenance[-1].memory_id) for item in crossing]
        stored = {(row["memory"]["agent_id"], row["memory"]["id"]): row["memory"]
                  for start in range(0, len(sources), CHUNK)
                  for row in self.repository.existing(sources[start:start + CHUNK])}
        for item in crossing:
            pair = (item.source_agent, item.owner)
            if pair not in grants_by_pair:
                grants_by_pair[pair] = self.consent.live_grants(*pair)
            source_id = item.entry.provenance[-1].memory_id
            source = stored.get((item.source_agent, source_id))
            if source is None or not any(covers(g, source_id, source.get("domain"), source.get("tags") or [])
                                         for g in grants_by_pair[pair]):
                refused.append(f"{item.source_agent}/{source_id}")
        if refused:
            owners = sorted({r.split("/", 1)[0] for r in refused})
            raise ForbiddenError(
                f"{len(refused)} memories would cross agents without consent (first: {', '.join(refused[:5])}).",
                hint=f"The owner ({', '.join(owners)}) grants access first, e.g. "
                     f"`engram memory share --from {owners[0]} --to {planned[0].owner} --domain …`.")

    def _import_chunk(self, chunk: list[_Planned], store: MemoryStore, patterns: dict, report: ImportReport) -> None:
        refs = [MemoryRef(p.owner, p.target_id) for p in chunk]
        stored = {(row["memory"]["agent_id"], row["memory"]["id"]): row for row in self.repository.existing(refs)}
        new = []
        for item in chunk:
            row = stored.get((item.owner, item.target_id))
            if row is None:
                new.append(item)
                continue
            current = memory_from_props(row["memory"], row["patterns"], row["provenance"])
            differs = differing_fields(current, item.entry)
            if differs or fingerprint(current) != fingerprint(item.entry):
                report.conflicts.append(Conflict(item.target_id, differs or ["content"], item.entry.id))
            else:
                report.unchanged += 1
        if not new:
            return
        summary = store.record_many([to_new_memory(p.entry, memory_id=p.target_id, agent_id=p.owner) for p in new])
        created = {(p.owner, r.id) for p, r in zip(new, summary.results, strict=True) if r.created}
        report.created += len(created)
        report.unchanged += len(new) - len(created)  # written concurrently by someone else: left as it is
        report.created_ids += sorted(memory_id for _, memory_id in created)
        self.repository.apply_import([_metadata(p, patterns) for p in new if (p.owner, p.target_id) in created])

    def _embedder_for(self, document: KnowledgeDocument) -> Embedder:
        if document.embedding_model != self.embedder.name or document.embedding_dimension != self.embedder.dimension:
            return self.embedder
        known = {e.context: e.embedding for e in document.memories if e.embedding is not None}
        return PrecomputedEmbedder(known, self.embedder) if known else self.embedder

    def _audit(self, planned: list[_Planned], report: ImportReport, as_agent: str | None, actor: str | None) -> None:
        created = set(report.created_ids)  # ids are per agent: an id created for one owner counts for no other
        by_owner: dict[str, list[str]] = {}
        sources: dict[str, list[str]] = {}
        for item in planned:
            if item.target_id in created:
                by_owner.setdefault(item.owner, []).append(item.target_id)
                if item.source_agent != item.owner:
                    sources.setdefault(item.source_agent, []).append(item.entry.provenance[-1].memory_id)
        details = {"as_agent": as_agent, "created": report.created, "unchanged": report.unchanged,
                   "conflicts": len(report.conflicts)}
        who = actor or as_agent or OPERATOR
        entries = [AuditEntry(AuditEventType.import_.value, who, owner, ids, details | {"role": "target"})
                   for owner, ids in by_owner.items()]
        entries += [AuditEntry(AuditEventType.import_.value, who, owner, ids, details | {"role": "source"})
                    for owner, ids in sources.items()]
        if not entries:
            entries = [AuditEntry(AuditEventType.import_.value, who, as_agent, [], details)]
        self.audit.record_many(entries)


def _metadata(item: _Planned, patterns: dict) -> dict:
    e = item.entry
    return {
        "agent_id": item.owner, "id": item.target_id, "occurrences": e.occurrences, "success_rate": e.success_rate,
        "first_seen": (e.first_seen or e.created_at).isoformat(), "last_seen": (e.last_seen or e.created_at).isoformat(),
        "provenance": [p.model_dump() for p in e.provenance],
        "patterns": [{"id": p.id, "label": p.label, "own_id": imported_pattern_id(item.owner, p.label, p.id),
                      "props": p.model_dump(exclude={"id", "label"}, exclude_none=True)}
                     for pid in e.patterns if (p := patterns.get(pid)) is not None],
    }
