"""An agent's learning statistics: how its decisions go over time, and how calibrated its predictions were."""

from __future__ import annotations

from dataclasses import dataclass, field

from engram.entities.learning import RateEstimate
from engram.errors import BadInputError
from engram.learning.estimates import estimate_rate
from engram.learning.views import RECURRING_AT
from engram.storage.learning import LearningRepository

CALIBRATION_BINS = 5
MAX_WINDOW_DAYS = 3650


@dataclass
class CalibrationBin:
    lower: float
    upper: float
    count: int
    mean_predicted: float
    observed_rate: float


@dataclass
class LearningStats:
    agent_id: str
    memories: int
    by_kind: dict[str, int]
    decisions: int
    success: RateEstimate
    recent_success: RateEstimate
    earlier_success: RateEstimate
    informed_share: float
    patterns: int
    recurring_patterns: int
    calibration: list[CalibrationBin] = field(default_factory=list)
    brier_score: float | None = None


def calibration(points: list[tuple[float, float]]) -> tuple[list[CalibrationBin], float | None]:
    """Reliability bins of predicted success against observed outcome quality, and the Brier score."""
    if not points:
        return [], None
    bins = []
    for i in range(CALIBRATION_BINS):
        lo, hi = i / CALIBRATION_BINS, (i + 1) / CALIBRATION_BINS
        inside = [(p, o) for p, o in points if lo <= p < hi or (i == CALIBRATION_BINS - 1 and p == 1.0)]
        if inside:
            bins.append(CalibrationBin(lo, hi, len(inside), sum(p for p, _ in inside) / len(inside),
                                       sum(o for _, o in inside) / len(inside)))
    brier = sum((p - o) ** 2 for p, o in points) / len(points)
    return bins, brier


def learning_stats(repository: LearningRepository, agent_id: str, window_days: int) -> LearningStats:
    """Over the agent's own memories; pattern counts over the failures it may see, counted in Cypher."""
    if not 1 <= window_days <= MAX_WINDOW_DAYS:
        raise BadInputError(f"windowDays must lie between 1 and {MAX_WINDOW_DAYS}.")
    row = repository.agent_stats(agent_id, window_days)
    by_kind: dict[str, int] = {}
    for kind in row["kinds"]:
        by_kind[kind] = by_kind.get(kind, 0) + 1
    patterns, recurring = repository.count_visible_patterns(agent_id, RECURRING_AT)
    bins, brier = calibration(repository.calibration_points(agent_id))
    decisions = row["decisions"] or 0
    return LearningStats(
        agent_id=agent_id, memories=row["memories"], by_kind=by_kind, decisions=decisions,
        success=estimate_rate(row["decision_successes"] or 0.0, decisions),
        recent_success=estimate_rate(row["recent_successes"] or 0.0, row["recent_decisions"] or 0),
        earlier_success=estimate_rate(row["earlier_successes"] or 0.0, row["earlier_decisions"] or 0),
        informed_share=(row["informed_decisions"] or 0) / decisions if decisions else 0.0,
        patterns=patterns, recurring_patterns=recurring, calibration=bins, brier_score=brier)
