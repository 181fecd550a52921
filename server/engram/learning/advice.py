"""suggest, predict_outcome and check_action: what past outcomes in similar contexts say about actions.

Evidence is every memory the agent may see whose context is similar (cosine >= MIN_SIMILARITY) and
that names an action with a known outcome: a decision (its chosen action and outcome quality), a
success (its approach, a success) or a failure with a solution (whether the solution worked).
Per action, outcomes are pooled into a Beta posterior (learning/estimates.py). Evidence can count
less the older it is than the newest evidence in the pool — half per `evidence_half_life_days` of
whole days (0, the default: all counts fully) — so an action that used to work and stopped working
loses its lead; attempts are then effective (weighted) attempts. Ages are measured from the newest
evidence, not from today, so experience nobody contradicted since keeps its full weight.

Recommendation and exploration: the recommended action has the highest posterior mean; an action
with fewer than EXPLORE_BELOW attempts whose 90% upper bound still exceeds that mean is named as
worth exploring, so one lucky (or unlucky) outcome never settles the choice. `choose` draws from
the posteriors (Thompson sampling) for agents that act on the advice.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

from engram.entities.learning import (
    ActionCheck, ActionEstimate, Evidence, Prediction, PreventionCheck, Suggestion, Verdict,
)
from engram.entities.memory import DecisionContent, FailureContent, RelevantMemory, SuccessContent
from engram.errors import BadInputError
from engram.learning.estimates import estimate_rate

MIN_SIMILARITY = 0.55
EVIDENCE_K = 60
EXPLORE_BELOW = 3
WARN_MIN_FAILURES, WARN_MAX_MEAN = 2, 0.40
BLOCK_MIN_FAILURES, BLOCK_MAX_UPPER = 3, 0.50


def age_weight(when: datetime | None, newest: datetime, half_life_days: float) -> float:
    """1 within a day of the newest evidence; halved per half_life_days of whole days older than that."""
    if not half_life_days or when is None:
        return 1.0
    return 0.5 ** (max(0, (newest - when).days) / half_life_days)


def _when(r: RelevantMemory) -> datetime | None:
    return r.memory.last_seen or r.memory.created_at


def evidence_from(relevant: Sequence[RelevantMemory], half_life_days: float = 0.0) -> list[tuple[Evidence, float]]:
    """(evidence, outcome quality in [0, 1]) for each memory that says how an action turned out."""
    newest = max((w for r in relevant if (w := _when(r)) is not None), default=datetime.now(UTC))
    out = []
    for r in relevant:
        m, c = r.memory, r.memory.content
        if isinstance(c, DecisionContent) and m.outcome:
            action, quality = c.chosen_action, m.success_rate
        elif isinstance(c, SuccessContent):
            action, quality = c.successful_approach, 1.0 if m.outcome in (None, "success") else m.success_rate
        elif isinstance(c, FailureContent) and c.solution_applied and m.outcome:
            action, quality = c.solution_applied, m.success_rate
        else:
            continue
        if not action or quality is None:
            continue
        out.append((Evidence(memory_id=m.id, agent_id=m.agent_id, kind=m.kind.value, context=m.context, action=action,
                             outcome=m.outcome, similarity=r.similarity, occurrences=m.occurrences, owned=r.owned,
                             weight=age_weight(_when(r), newest, half_life_days)),
                    float(quality)))
    return out


def estimates_by_action(evidence: Sequence[tuple[Evidence, float]]) -> list[ActionEstimate]:
    pooled: dict[str, list[tuple[Evidence, float]]] = defaultdict(list)
    for item in evidence:
        pooled[item[0].action].append(item)
    estimates = []
    for action, items in pooled.items():
        attempts = sum(e.occurrences * e.weight for e, _ in items)
        successes = sum(q * e.occurrences * e.weight for e, q in items)
        estimates.append(ActionEstimate(action=action, estimate=estimate_rate(successes, attempts),
                                        agents=sorted({e.agent_id for e, _ in items}),
                                        evidence=sorted((e for e, _ in items), key=lambda e: -e.similarity)))
    estimates.sort(key=lambda a: (-a.estimate.mean, -a.estimate.attempts, a.action))
    return estimates


class Advisor:
    """Pure advice over the memories the engine fetched (through MemoryService.evidence, audited):
    it never reads memories itself, so it can only use what the caller may see."""

    def __init__(self, rng: random.Random | None = None, half_life_days: float = 0.0) -> None:
        self.rng = rng or random.Random()
        self.half_life_days = half_life_days

    def _evidence(self, relevant: Sequence[RelevantMemory]) -> list[tuple[Evidence, float]]:
        return evidence_from(relevant, self.half_life_days)

    def suggest(self, relevant: Sequence[RelevantMemory], context: str, k: int = 5,
                candidates: Sequence[str] = ()) -> Suggestion:
        if not 1 <= k <= 50:
            raise BadInputError("k must lie between 1 and 50.")
        estimates = estimates_by_action(self._evidence(relevant))
        known = {e.action for e in estimates}
        estimates += [ActionEstimate(a, estimate_rate(0, 0), []) for a in candidates if a not in known]
        estimates.sort(key=lambda a: (-a.estimate.mean, -a.estimate.attempts, a.action))
        if not estimates:
            return Suggestion(context, [], None, None, "No similar past experience is visible to this agent yet.")
        best = estimates[0]
        explore = next((e.action for e in sorted(estimates[1:], key=lambda e: -e.estimate.upper)
                        if e.estimate.attempts < EXPLORE_BELOW and e.estimate.upper > best.estimate.mean), None)
        rationale = (f"{best.action} has the best estimated success rate, {best.estimate.describe()}, "
                     f"from {len(best.evidence)} similar memories of {', '.join(best.agents) or 'no agent'}.")
        if explore:
            rationale += f" {explore} has too few attempts to rule out; worth trying when the stakes are low."
        return Suggestion(context, estimates[:k], best.action if best.estimate.attempts else None, explore, rationale)

    def choose(self, relevant: Sequence[RelevantMemory], context: str,
               candidates: Sequence[str] = ()) -> tuple[str | None, Suggestion]:
        """Thompson sampling over the posteriors (unknown candidates start at Beta(1, 1))."""
        suggestion = self.suggest(relevant, context, k=50, candidates=candidates)
        if not suggestion.actions:
            return None, suggestion
        draws = {a.action: self.rng.betavariate(1 + a.estimate.successes, 1 + a.estimate.attempts - a.estimate.successes)
                 for a in suggestion.actions}
        return max(draws, key=lambda action: (draws[action], action)), suggestion

    def predict_outcome(self, relevant: Sequence[RelevantMemory], context: str, action: str) -> Prediction:
        evidence = [(e, q) for e, q in self._evidence(relevant) if e.action == action]
        est = next((a.estimate for a in estimates_by_action(evidence)), estimate_rate(0, 0))
        return Prediction(context, action, est.mean, est.lower, est.upper, est.attempts)

    def check_action(self, relevant: Sequence[RelevantMemory], intended_action: str,
                     checks: Sequence[PreventionCheck] = ()) -> ActionCheck:
        """allow / warn / block for an intended action, with the evidence; `checks` are the prevention
        checks of the failure patterns that occur in this context."""
        estimates = estimates_by_action(self._evidence(relevant))
        mine = next((e for e in estimates if e.action == intended_action), None)
        best = estimates[0] if estimates else None
        verdict, reasons = Verdict.allow, []
        if mine is not None:
            failures = mine.estimate.attempts - mine.estimate.successes
            if failures >= BLOCK_MIN_FAILURES and mine.estimate.upper < BLOCK_MAX_UPPER:
                verdict = Verdict.block
                reasons.append(f"{intended_action} failed {failures:.3g} of {mine.estimate.attempts:.3g} times in similar "
                               f"contexts; even optimistically it succeeds at most {mine.estimate.upper:.0%} of the time.")
            elif failures >= WARN_MIN_FAILURES and mine.estimate.mean < WARN_MAX_MEAN:
                verdict = Verdict.warn
                reasons.append(f"{intended_action} failed {failures:.3g} of {mine.estimate.attempts:.3g} times in similar "
                               f"contexts (estimated success {mine.estimate.describe()}).")
        guarding = [c for c in checks if intended_action in c.guards_actions]
        if guarding and verdict is Verdict.allow:
            verdict = Verdict.warn
        reasons += [f"prevention check {c.name}: {c.description}" for c in guarding]
        better = best.action if best and best.action != intended_action and (
            mine is None or best.estimate.mean > mine.estimate.mean) and best.estimate.attempts else None
        if verdict is not Verdict.allow and better:
            reasons.append(f"{better} did better here: {best.estimate.describe()}.")
        if not reasons:
            reasons.append("No similar experience argues against this action." if mine is None
                           else f"{intended_action}: {mine.estimate.describe()} in similar contexts.")
        return ActionCheck(verdict, intended_action, reasons, mine.evidence if mine else [], list(checks), better)
