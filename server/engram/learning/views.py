"""Per-caller rendering of shared knowledge: the one place a pattern, decision template, success
pattern, solution or prevention check becomes what one caller reads.

Patterns and templates are stored once, across agents (analysis needs the whole picture), but every
field a caller reads is computed here from the instances that caller may see: the name and signature
from its earliest visible instance, counts, rates, agents and time range over the visible ones,
solutions from the visible failures' fixes, prevention checks derived again from the visible
failures' fixes, root causes and reported strategies. A pattern partly visible reads as its visible
part; one with no visible instance does not exist for the caller. Rendering another agent's
instances is a read of them, audited like any other (one event per owner, `via` the field asked).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from engram.entities.learning import (
    BranchView, DecisionDetails, FailureDetails, PatternView, PreventionCheck, SolutionView,
    SuccessDetails, VisibleFailurePattern, VisibleSuccessPattern, VisibleTemplate,
)
from engram.learning.check_records import counts_from_rows, with_records
from engram.learning.estimates import estimate_rate
from engram.learning.naming import context_signature, pattern_name
from engram.learning.pattern_recognizer import is_success_pattern
from engram.learning.prevention import derive_checks
from engram.memory.service import MemoryService
from engram.storage.learning import LearningRepository

RECURRING_AT = 3  # visible occurrences from which a pattern counts as recurring (as in analysis)
MAX_PATTERNS = 1000


def solutions_from(pattern_id: str, uses) -> list[SolutionView]:
    grouped: dict[tuple[str, str], list] = defaultdict(list)
    for use in uses:
        grouped[(use.solution_id, use.description)].append(use)
    solutions = [SolutionView(id=sid, description=desc, pattern_id=pattern_id,
                              estimate=estimate_rate(sum(u.worked for u in used), len(used)),
                              agents=sorted({u.agent_id for u in used}))
                 for (sid, desc), used in grouped.items()]
    solutions.sort(key=lambda s: (-s.estimate.mean, -s.estimate.attempts, s.id))
    return solutions


def failure_view(row: VisibleFailurePattern) -> PatternView:
    solutions = solutions_from(row.id, row.uses)
    checks = derive_checks(row.id, [(u.description, u.worked) for u in row.uses], row.root_causes, row.strategies,
                           stage=row.stage, causes=row.causes)
    return PatternView(
        id=row.id, kind="failure", name=pattern_name(row.first_context, row.first_signature),
        occurrences=row.occurrences, agents=sorted(row.agents), recurring=row.occurrences >= RECURRING_AT,
        estimate=solutions[0].estimate if solutions else None, first_seen=row.first_seen, last_seen=row.last_seen,
        details=FailureDetails(signature=row.first_signature, contexts=row.contexts, domains=row.domains,
                               solutions=solutions, checks=checks),
        read_from=row.others)


def template_view(row: VisibleTemplate) -> PatternView:
    branches = sorted((BranchView(b.action, estimate_rate(b.successes, b.attempts), sorted(b.agents))
                       for b in row.branches), key=lambda b: (-b.estimate.mean, -b.estimate.attempts, b.action))
    attempts = int(sum(b.attempts for b in row.branches))
    return PatternView(
        id=row.id, kind="decision", name=context_signature(row.first_context), occurrences=attempts,
        agents=sorted({a for b in branches for a in b.agents}), recurring=attempts >= RECURRING_AT,
        estimate=branches[0].estimate, first_seen=row.first_seen, last_seen=row.last_seen,
        details=DecisionDetails(best_action=branches[0].action, branches=branches), read_from=row.others)


def success_view(row: VisibleSuccessPattern) -> PatternView:
    return PatternView(
        id=row.id, kind="success", name=row.action, occurrences=int(row.attempts), agents=sorted(row.agents),
        recurring=row.attempts >= RECURRING_AT, estimate=estimate_rate(row.successes, row.attempts),
        first_seen=row.first_seen, last_seen=row.last_seen,
        details=SuccessDetails(action=row.action, contexts=row.contexts, domains=row.domains, steps=row.steps),
        read_from=row.others)


class KnowledgeViews:
    def __init__(self, repository: LearningRepository, memories: MemoryService) -> None:
        self.repository = repository
        self.memories = memories

    def failure_patterns(self, agent_id: str | None, *, via: str, pattern_ids: Sequence[str] | None = None,
                         since: datetime | None = None, recurring: bool | None = None,
                         limit: int = MAX_PATTERNS) -> list[PatternView]:
        rows = self.repository.failure_pattern_views(
            agent_id, pattern_ids=list(pattern_ids) if pattern_ids is not None else None, since=since,
            recurring=recurring, recurring_at=RECURRING_AT, limit=limit)
        return self._audited(agent_id, [failure_view(r) for r in rows], via)

    def templates(self, agent_id: str | None, *, via: str, template_ids: Sequence[str] | None = None,
                  limit: int = MAX_PATTERNS) -> list[PatternView]:
        rows = self.repository.template_views(agent_id, list(template_ids) if template_ids is not None else None,
                                              limit)
        return self._audited(agent_id, [template_view(r) for r in rows], via)

    def success_patterns(self, agent_id: str | None, *, via: str, pattern_ids: Sequence[str] | None = None,
                         limit: int = MAX_PATTERNS) -> list[PatternView]:
        rows = self.repository.success_pattern_views(
            agent_id, list(pattern_ids) if pattern_ids is not None else None, limit)
        return self._audited(agent_id, [success_view(r) for r in rows if is_success_pattern(r.attempts, r.successes)],
                             via)

    def pattern(self, agent_id: str | None, pattern_id: str, *, via: str) -> PatternView | None:
        """One pattern by id, of whichever kind, as the caller sees it (None: nothing of it is visible)."""
        kind = self.repository.pattern_kind(pattern_id)
        if kind == "failure":
            found = self.failure_patterns(agent_id, via=via, pattern_ids=[pattern_id], limit=1)
        elif kind == "decision":
            found = self.templates(agent_id, via=via, template_ids=[pattern_id], limit=1)
        elif kind == "success":
            found = self.success_patterns(agent_id, via=via, pattern_ids=[pattern_id], limit=1)
        else:
            return None
        return found[0] if found else None

    def checks(self, agent_id: str | None, pattern_ids: Sequence[str] | None, *, via: str) -> list[PreventionCheck]:
        """The prevention checks of these patterns (all visible ones: None), derived from what the caller sees,
        each with its record and status over the decisions the caller sees (promoted first, retired last)."""
        views = self.failure_patterns(agent_id, via=via, pattern_ids=pattern_ids)
        return self.with_records(agent_id, [c for v in views for c in v.details.checks], via=via)

    def with_records(self, agent_id: str | None, checks: list[PreventionCheck], *, via: str) -> list[PreventionCheck]:
        """Attach each check's record as the caller sees it (learning/check_records.py); reading other
        agents' decisions for it is audited like any other derived read."""
        if not checks:
            return checks
        rows = self.repository.check_record_rows(agent_id, sorted({c.id for c in checks}))
        counts, read_from = counts_from_rows(rows, agent_id)
        if read_from:
            self.memories.record_derived_reads(agent_id, read_from, via=f"{via}.record")
        return with_records(checks, counts)

    def _audited(self, agent_id: str | None, views: list[PatternView], via: str) -> list[PatternView]:
        read_from: dict[str, list[str]] = defaultdict(list)
        for view in views:
            for owner, ids in view.read_from.items():
                read_from[owner].extend(ids)
        if read_from or agent_id is None:
            self.memories.record_derived_reads(agent_id, dict(read_from), via=via)
        return views
