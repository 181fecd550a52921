"""Merge: fold another agent's memories of one domain into an agent's own — only with the owner's consent."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from engram.entities.privacy import AuditEventType
from engram.errors import BadInputError, ForbiddenError
from engram.knowledge.mapping import derived_id
from engram.storage.knowledge import KnowledgeRepository
from engram.privacy.audit import AuditEntry, AuditLog
from engram.privacy.consent import ConsentService

BATCH = 200


@dataclass
class MergeReport:
    from_agent: str
    into: str
    domain: str
    considered: int = 0
    created: int = 0
    combined: int = 0
    unchanged: int = 0
    target_ids: list[str] = field(default_factory=list)


class Merger:
    def __init__(self, repository: KnowledgeRepository, audit: AuditLog, consent: ConsentService) -> None:
        self.repository = repository
        self.audit = audit
        self.consent = consent

    def merge(self, from_agent: str, domain: str, into: str, *, actor: str | None = None,
              progress: Callable[[int], None] | None = None, on_total: Callable[[int], None] | None = None,
              ) -> MergeReport:
        """Idempotent: a memory merged before (IMPORTED_FROM link) is not counted again. Each batch
        commits with its audit events; consent is re-checked in every batch."""
        if not from_agent or not into or not domain:
            raise BadInputError("merge needs --from-agent, --domain and --into.")
        if from_agent == into:
            raise BadInputError("An agent cannot merge its own memories into itself.")
        self._require_domain_grant(from_agent, into, domain)
        ids = self.repository.merge_sources(from_agent, domain)
        if on_total:
            on_total(len(ids))
        report = MergeReport(from_agent, into, domain, considered=len(ids))
        for start in range(0, len(ids), BATCH):
            batch = ids[start:start + BATCH]
            rows = [{"id": i, "copy_id": derived_id(into, from_agent, i)} for i in batch]
            results = self.repository.merge_batch(
                from_agent, into, domain, rows, lambda done: self._events(done, from_agent, into, domain, actor))
            if not results:
                self._require_domain_grant(from_agent, into, domain)  # revoked meanwhile → FORBIDDEN
            counts = Counter(r["result"] for r in results)
            report.created += counts["created"]
            report.combined += counts["combined"]
            report.unchanged += counts["unchanged"]
            report.target_ids += [r["target_id"] for r in results if r["result"] != "unchanged"]
            if progress:
                progress(len(batch))
        return report

    @staticmethod
    def _events(results: list[dict], from_agent: str, into: str, domain: str,
                actor: str | None) -> list[AuditEntry]:
        changed = [r for r in results if r["result"] != "unchanged"]
        if not changed:
            return []
        counts = dict(Counter(r["result"] for r in changed))
        details = {"from_agent": from_agent, "into": into, "domain": domain} | counts
        who = actor or into
        return [
            AuditEntry(AuditEventType.merge.value, who, from_agent, [r["source_id"] for r in changed],
                       details | {"role": "source"}),
            AuditEntry(AuditEventType.merge.value, who, into, sorted({r["target_id"] for r in changed}),
                       details | {"role": "target"}),
        ]

    def _require_domain_grant(self, from_agent: str, into: str, domain: str) -> None:
        grants = self.consent.live_grants(from_agent, into)
        if not any(g.scope == "domain" and g.value == domain for g in grants):
            raise ForbiddenError(
                f"{from_agent} has not granted {into} the domain {domain!r}; nothing was merged.",
                hint=f"{from_agent} consents first: engram memory share --from {from_agent} --to {into} --domain {domain}")
