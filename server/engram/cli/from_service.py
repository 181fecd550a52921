"""The typed client's results as the engine's own entities, so a command prints the same whether it asked the
service or the engine in-process (one renderer per command, whatever the source)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engram.entities.privacy import AuditEvent
from engram.entities.learning import ActionEstimate, DecisionBranch, Evidence, Prediction, RateEstimate, Suggestion
from engram.entities.memory import (
    AgentMemory, CollaborationContent, DecisionContent, FailureContent, KnowledgeContent, MemoryContent, MemoryKind,
    Outcome, RelevantMemory, SuccessContent, Visibility,
)
from engram.storage.sharing import ShareGrant  # a plain dataclass: no driver is imported

if TYPE_CHECKING:
    from engram.learning.stats import LearningStats


def rate_estimate(e: Any) -> RateEstimate:
    return RateEstimate(successes=e.successes, attempts=e.attempts, mean=e.mean, lower=e.lower, upper=e.upper)


def branch(b: Any) -> DecisionBranch | None:
    return DecisionBranch(conditions=tuple(b.conditions), evidence=b.evidence, why=b.why) if b is not None else None


def suggestion(s: Any) -> Suggestion:
    return Suggestion(
        context=s.context, recommended=s.recommended, explore=s.explore, rationale=s.rationale, branch=branch(s.branch),
        actions=[ActionEstimate(
            action=a.action, estimate=rate_estimate(a.estimate), agents=[agent.id for agent in a.agents],
            evidence=[Evidence(memory_id=e.memory_id, agent_id=e.agent.id, kind=e.kind, context=e.context,
                               action=e.action, outcome=e.outcome, similarity=e.similarity,
                               occurrences=e.occurrences, owned=e.owned, weight=e.weight) for e in a.evidence])
            for a in s.actions])


def prediction(p: Any, context: str, action: str) -> Prediction:
    """(The operation does not echo the caller's own context and action back: MCP's predict_outcome shares it.)"""
    return Prediction(context=context, action=action, probability=p.probability, lower=p.lower, upper=p.upper,
                      attempts=p.attempts, branch=branch(p.branch))


def _outcome(value: Any) -> Outcome | None:
    return Outcome(value.value.lower()) if value is not None else None


def _content(kind: MemoryKind, m: Any) -> MemoryContent:
    """The kind's content from the fields the API shows (a derived signature it does not show is left empty)."""
    if kind is MemoryKind.decision:
        return DecisionContent(decision_context=m.context, chosen_action=m.chosen_action or "",
                               outcome_quality=_outcome(m.outcome), alternative_actions=list(m.alternative_actions or []))
    if kind is MemoryKind.failure:
        return FailureContent(error_signature=m.error_signature or "", error_message=m.error_message or "",
                              root_cause=m.root_cause or "", solution_applied=m.solution_applied or "",
                              prevention_strategy=m.prevention_strategy)
    if kind is MemoryKind.success:
        return SuccessContent(context_signature="", successful_approach=m.successful_approach or "",
                              key_factors=list(m.key_factors or []), replication_steps=list(m.replication_steps or []))
    if kind is MemoryKind.collaboration:
        return CollaborationContent(partner_agents=[p.id for p in m.partners or []],
                                    interaction_type=m.interaction_type or "collaboration",
                                    outcome=_outcome(m.outcome), lessons_learned=list(m.lessons_learned or []))
    return KnowledgeContent(domain=m.domain or "", knowledge_type=m.knowledge_type or "fact",
                            expertise_level=m.expertise_level or "intermediate",
                            related_entities=list(m.related_entities or []), statement=m.statement or "")


def memory(m: Any) -> AgentMemory:
    kind = MemoryKind(m.kind.value.lower())
    return AgentMemory(
        id=m.id, agent_id=m.agent.id, kind=kind, context=m.context, text=m.text, content=_content(kind, m),
        outcome=m.outcome.value.lower() if m.outcome is not None else None, confidence_score=m.confidence_score,
        success_rate=m.success_rate, access_count=m.access_count, occurrences=m.occurrences,
        created_at=m.created_at, last_accessed=m.last_accessed, first_seen=m.first_seen, last_seen=m.last_seen,
        tags=list(m.tags), domain=m.domain, visibility=Visibility(m.visibility.value.lower()))


def relevant(r: Any) -> RelevantMemory:
    return RelevantMemory(memory=memory(r.memory), score=r.score, similarity=r.similarity, text_match=r.text_match,
                          recency=r.recency, owned=r.owned)


def learning_stats(s: Any, agent_id: str) -> LearningStats:
    from engram.learning.stats import CalibrationBin, LearningStats

    return LearningStats(
        agent_id=agent_id, memories=s.memories, by_kind=dict(s.by_kind), decisions=s.decisions,
        success=rate_estimate(s.success), recent_success=rate_estimate(s.recent_success),
        earlier_success=rate_estimate(s.earlier_success), informed_share=s.informed_share, patterns=s.patterns,
        recurring_patterns=s.recurring_patterns, brier_score=s.brier_score,
        calibration=[CalibrationBin(lower=b.lower, upper=b.upper, count=b.count, mean_predicted=b.mean_predicted,
                                    observed_rate=b.observed_rate) for b in s.calibration])


def grant(g: Any) -> ShareGrant:
    return ShareGrant(id=g.id, owner_id=g.owner.id, grantee_id=g.grantee.id, scope=g.scope.value.lower(),
                      value=g.value, memory_ids=list(g.memory_ids), created_at=g.created_at, expires_at=g.expires_at,
                      revoked_at=g.revoked_at)


def audit_event(e: Any) -> AuditEvent:
    return AuditEvent(seq=e.seq, id=e.id, type=e.type, actor_id=e.actor_id, owner_id=e.owner_id,
                      subject_ids=list(e.subject_ids), details=dict(e.details), at=e.at, prev_hash=e.prev_hash,
                      hash=e.hash)
