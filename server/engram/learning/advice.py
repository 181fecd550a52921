"""suggest, predict_outcome and check_action: what past outcomes in similar contexts say about actions.

Evidence is every memory the agent may see whose context is similar (cosine >= MIN_SIMILARITY) and
that names an action with a known outcome: a decision (its chosen action and outcome quality), a
success (its approach, a success) or a failure with a solution (whether the solution worked).
Per action, outcomes are pooled into a Beta posterior (learning/estimates.py). Evidence can count
less the older it is than the newest evidence in the pool — half per `evidence_half_life_days` of
whole days (0, the default: all counts fully) — so an action that used to work and stopped working
loses its lead; attempts are then effective (weighted) attempts. Ages are measured from the newest
evidence, not from today, so experience nobody contradicted since keeps its full weight.

Decision tree: the evidence is split on the context details that change which action works, and
suggest / predict_outcome / check_action answer from the branch the asked context falls in, saying
which branch and why (learning/branches.py); there evidence counts by its similarity to the asked
context (an adaptive neighbourhood kernel), not all alike. Everything is computed from the memories
the caller may see, so a branch, its counts and its reasons are the caller's view.

Recommendation and exploration: the recommended action has the highest posterior mean; an action
with fewer than EXPLORE_BELOW attempts whose 90% upper bound still exceeds that mean is named as
worth exploring, so one lucky (or unlucky) outcome never settles the choice. `choose`, for agents
that act on the advice, takes the highest posterior mean (untried candidates sit at the prior's 0.5).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from engram.entities.learning import (
    ActionCheck, ActionEstimate, CheckStatus, Evidence, Prediction, PreventionCheck, RateEstimate, Suggestion, Verdict,
)
from engram.entities.memory import DecisionContent, FailureContent, RelevantMemory, SuccessContent
from engram.errors import BadInputError
from engram.learning.branches import Branch, branch_for
from engram.learning.estimates import estimate_rate
from engram.learning.facts import parse_facts

MIN_SIMILARITY = 0.55
EVIDENCE_K = 150  # a decision tree needs evidence on both sides of a split
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
        facts = parse_facts(c.facts) if isinstance(c, DecisionContent) else {}
        out.append((Evidence(memory_id=m.id, agent_id=m.agent_id, kind=m.kind.value, context=m.context, action=action,
                             outcome=m.outcome, similarity=r.similarity, occurrences=m.occurrences, owned=r.owned,
                             weight=age_weight(_when(r), newest, half_life_days), facts=facts),
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


def posterior(estimate: RateEstimate) -> tuple[float, float]:
    """The Beta(a, b) behind an estimate (its prior counts two pseudo-attempts, learning/estimates.py)."""
    total = estimate.attempts + 2.0
    return estimate.mean * total, (1.0 - estimate.mean) * total


class Advisor:
    """Pure advice over the memories the engine fetched (through MemoryService.evidence, audited):
    it never reads memories itself, so it can only use what the caller may see."""

    def __init__(self, rng: random.Random | None = None, half_life_days: float = 0.0) -> None:
        self.rng = rng or random.Random()
        self.half_life_days = half_life_days

    def _evidence(self, relevant: Sequence[RelevantMemory]) -> list[tuple[Evidence, float]]:
        return evidence_from(relevant, self.half_life_days)

    def branch(self, relevant: Sequence[RelevantMemory], context: str,
               facts: Mapping[str, object] | None = None) -> Branch:
        """The branch of the evidence's decision tree that the context (and its facts) falls in."""
        return branch_for(self._evidence(relevant), context, facts)

    def suggest(self, relevant: Sequence[RelevantMemory], context: str, k: int = 5,
                candidates: Sequence[str] = (), facts: Mapping[str, object] | None = None) -> Suggestion:
        if not 1 <= k <= 50:
            raise BadInputError("k must lie between 1 and 50.")
        branch = self.branch(relevant, context, facts)
        estimates = list(branch.estimates)
        known = {e.action for e in estimates}
        estimates += [ActionEstimate(a, estimate_rate(0, 0), []) for a in candidates if a not in known]
        estimates.sort(key=lambda a: (-a.estimate.mean, -a.estimate.attempts, a.action))
        view = branch.view
        if not estimates:
            return Suggestion(context, [], None, None, "No similar past experience is visible to this agent yet.", view)
        best = estimates[0]
        explore = next((e.action for e in sorted(estimates[1:], key=lambda e: -e.estimate.upper)
                        if e.estimate.attempts < EXPLORE_BELOW and e.estimate.upper > best.estimate.mean), None)
        rationale = (f"For {view.describe()}: {best.action} {best.estimate.describe()}, "
                     f"from {len(best.evidence)} similar memories of {', '.join(best.agents) or 'no agent'}.")
        if view.why:
            rationale += f" Split because {view.why}."
        if explore:
            rationale += f" {explore} has too few attempts to rule out; worth trying when the stakes are low."
        return Suggestion(context, estimates[:k], best.action if best.estimate.attempts else None, explore, rationale,
                          view)

    def choose(self, relevant: Sequence[RelevantMemory], context: str,
               candidates: Sequence[str] = ()) -> tuple[str | None, Suggestion]:
        """The action with the highest posterior mean (ties: the wider upper bound, then a random one).
        An untried candidate starts at the prior's 0.5, so it is tried while the known ones look worse
        than even: optimism in place of random exploration. Thompson draws over kernel-weighted
        evidence explored too much in bench.learning_offline (weighted attempts are few, posteriors wide)."""
        suggestion = self.suggest(relevant, context, k=50, candidates=candidates)
        if not suggestion.actions:
            return None, suggestion
        top = max(a.estimate.mean for a in suggestion.actions)
        best = [a for a in suggestion.actions if a.estimate.mean >= top - 1e-9]
        widest = max(a.estimate.upper for a in best)
        return self.rng.choice(sorted(a.action for a in best if a.estimate.upper >= widest - 1e-9)), suggestion

    def predict_outcome(self, relevant: Sequence[RelevantMemory], context: str, action: str,
                        facts: Mapping[str, object] | None = None) -> Prediction:
        branch = self.branch(relevant, context, facts)
        est = next((a.estimate for a in branch.estimates if a.action == action), estimate_rate(0, 0))
        return Prediction(context, action, est.mean, est.lower, est.upper, est.attempts, branch.view)

    def check_action(self, relevant: Sequence[RelevantMemory], intended_action: str,
                     checks: Sequence[PreventionCheck] = (), context: str = "",
                     facts: Mapping[str, object] | None = None) -> ActionCheck:
        """allow / warn / block for an intended action, with the evidence; `checks` are the prevention
        checks of the failure patterns that occur in this context (retired ones left out). A check guarding
        the action warns — blocks once promoted — and names the action it asks for as the better one."""
        branch = self.branch(relevant, context, facts)
        estimates = branch.estimates
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
        guarding = [c for c in checks if intended_action in c.guards_actions and _applies(c, mine, estimates)]
        if guarding and verdict is not Verdict.block:
            verdict = Verdict.block if any(c.status is CheckStatus.promoted for c in guarding) else Verdict.warn
        reasons += [f"prevention check {c.name} ({c.id}, {c.status.value}): {c.description} Step: {c.step}."
                    for c in guarding]
        better = best.action if best and best.action != intended_action and (
            mine is None or best.estimate.mean > mine.estimate.mean) and best.estimate.attempts else None
        asked = next((c.better_action for c in guarding if c.better_action), None)
        better = asked or better
        if verdict is not Verdict.allow and better and not asked:
            reasons.append(f"{better} did better here: {best.estimate.describe()}.")
        if not reasons:
            reasons.append("No similar experience argues against this action." if mine is None
                           else f"{intended_action}: {mine.estimate.describe()} in similar contexts.")
        if branch.view.conditions:
            reasons.append(f"Answered for {branch.view.describe()} ({branch.view.why}).")
        # Shown: the checks guarding this action that apply here, and those that guard no action (a fix or a
        # step to take first); checks guarding other actions do not concern this one.
        shown = guarding + [c for c in checks if not c.guards_actions]
        return ActionCheck(verdict, intended_action, reasons, mine.evidence if mine else [], shown, better,
                           branch.view)


def _applies(check: PreventionCheck, mine: ActionEstimate | None, estimates: Sequence[ActionEstimate]) -> bool:
    """A check guarding the intended action applies unless the branch the context falls in says its better
    action does worse here than the guarded one (a check is learned over similar contexts, not this branch)."""
    if mine is None or not check.better_action:
        return True
    alternative = next((e for e in estimates if e.action == check.better_action), None)
    return alternative is None or alternative.estimate.mean >= mine.estimate.mean
