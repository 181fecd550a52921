"""Honest success-rate estimates: a Beta posterior, so one success in one attempt is not 100%."""

from __future__ import annotations

from scipy.special import betaincinv

from engram.entities.learning import RateEstimate

CREDIBLE_MASS = 0.90


def estimate_rate(successes: float, attempts: float, prior_mean: float = 0.5,
                  prior_strength: float = 2.0) -> RateEstimate:
    """Beta(1 + s, 1 + n − s) posterior from a uniform prior; partial outcomes count as fractions.
    A branch of a decision tree passes its parent's estimate as the prior (prior_strength pseudo-attempts
    at prior_mean), so a thin branch stays near its parent."""
    if attempts < 0 or successes < 0 or successes > attempts + 1e-9:
        raise ValueError(f"impossible counts: {successes} successes in {attempts} attempts")
    a = prior_strength * prior_mean + successes
    b = prior_strength * (1.0 - prior_mean) + attempts - successes
    tail = (1.0 - CREDIBLE_MASS) / 2.0
    return RateEstimate(
        successes=successes, attempts=attempts, mean=a / (a + b),
        lower=float(betaincinv(a, b, tail)), upper=float(betaincinv(a, b, 1.0 - tail)),
    )
