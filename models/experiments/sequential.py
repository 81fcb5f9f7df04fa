"""Always-valid inference for a difference of two means: the normal-mixture confidence sequence.

The method is the two-sided asymptotic confidence sequence of Waudby-Smith, Arbour, Sinha, Kennedy and
Ramdas, "Time-uniform central limit theory and asymptotic confidence sequences" (Annals of Statistics,
2024; arXiv 2103.06476, Theorem 2.2), the boundary Robbins' normal mixture gives (Howard, Ramdas,
McAuliffe and Sekhon 2021, "Time-uniform, nonparametric, nonasymptotic confidence sequences", §3.5).
GrowthBook's sequential engine uses the same formula. With N observations in all and an estimate whose
variance is V (so s² = V·N per observation),

    half-width = √( s² · 2(Nρ² + 1) / (N²ρ²) · ln(√(Nρ² + 1) / α) )

holds at every N at once: reading it every day, or after an extension, keeps P(ever excluding the
truth) ≤ α. The mixing variance ρ² is tuned so that the interval is narrowest at the planned sample N*:

    ρ² = (−2 ln α + ln(−2 ln α + 1)) / N*

The always-valid p-value is the smallest α at which the interval (with that ρ) excludes zero,
√(Nρ² + 1) · exp(−Δ²N²ρ² / (2s²(Nρ² + 1))), capped at 1; it is below α exactly when the interval
excludes zero. The figures agree with the mixture Bayes factor of savvi (Lindon et al. 2024) in the
large-sample limit; tests/experiments/test_sequential.py checks them.
"""

from __future__ import annotations

import math

from models.experiments.stats import StatsError


def rho_squared(*, alpha: float, planned_n: float) -> float:
    """The mixing variance that makes the interval narrowest at `planned_n` observations."""
    if not 0.0 < alpha < 1.0 or planned_n <= 0:
        raise StatsError("alpha in (0, 1) and a planned sample above 0")
    spent = -2.0 * math.log(alpha)
    return (spent + math.log(spent + 1.0)) / planned_n


def half_width(variance: float, n: float, *, alpha: float, planned_n: float) -> float:
    """Half-width of the confidence sequence for an estimate of variance `variance` from `n`
    observations in all, tuned for `planned_n`."""
    if n <= 0 or variance < 0 or not math.isfinite(variance):
        raise StatsError("no observations, or no finite variance")
    rho2 = rho_squared(alpha=alpha, planned_n=planned_n)
    s2 = variance * n
    grown = n * rho2 + 1.0
    return math.sqrt(s2 * 2.0 * grown / (n * n * rho2) * math.log(math.sqrt(grown) / alpha))


def p_value(diff: float, variance: float, n: float, *, alpha: float, planned_n: float) -> float:
    """The always-valid p-value of "no difference", with the mixing variance tuned at `alpha`."""
    if n <= 0 or variance <= 0 or not math.isfinite(variance):
        raise StatsError("no observations, or no variation")
    rho2 = rho_squared(alpha=alpha, planned_n=planned_n)
    s2 = variance * n
    grown = n * rho2 + 1.0
    log_p = 0.5 * math.log(grown) - diff * diff * n * n * rho2 / (2.0 * s2 * grown)
    return min(1.0, math.exp(log_p))


def power(
    delta: float, var_control: float, var_variant: float, n_control: float, n_variant: float, *, alpha: float
) -> float:
    """Chance that the interval, tuned for this very sample, excludes zero at it when the true
    difference is `delta` (per-observation variances given). A lower bound on the chance of a decision
    by then: the interval may also have excluded zero at an earlier look."""  # fmt: skip
    se = math.sqrt(var_control / n_control + var_variant / n_variant)
    n = n_control + n_variant
    spread = half_width(se * se, n, alpha=alpha, planned_n=n)
    shift = abs(delta) / se
    return _norm_sf(spread / se - shift) + _norm_sf(spread / se + shift)


def sample_size(
    delta: float, var_control: float, var_variant: float, *, alpha: float, target_power: float, ratio: float = 1.0
) -> float:
    """Control users needed (the variant gets `ratio` times as many) for `power` ≥ target_power."""  # fmt: skip
    if delta == 0.0 or not math.isfinite(delta):
        raise StatsError("no effect to detect")
    if not 0.0 < target_power < 1.0 or ratio <= 0.0:
        raise StatsError("power must lie in (0, 1), ratio above 0")

    def enough(n: float) -> bool:
        return power(delta, var_control, var_variant, n, n * ratio, alpha=alpha) >= target_power

    low, high = 1.0, 2.0
    while not enough(high):
        low, high = high, high * 2.0
        if high > 1e15:
            raise StatsError("no sample reaches that power")
    while high - low > max(1e-9 * high, 1e-6):
        middle = (low + high) / 2.0
        low, high = (low, middle) if enough(middle) else (middle, high)
    return high


def _norm_sf(z: float) -> float:
    return 0.5 * math.erfc(z / math.sqrt(2.0))
