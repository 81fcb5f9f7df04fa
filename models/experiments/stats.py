"""Statistics for A/B tests on conversion rates: plain functions, no I/O, standard library only.

Each function matches a textbook definition and the statsmodels/scipy function named in its
docstring (the tests check them against each other): Cohen's h sample size, the pooled two-proportion
z-test, Wilson intervals, Newcombe's interval for a difference, the log interval for a ratio,
the unpooled (Wald) difference that the readout's fixed-horizon test and interval share, chi-square
goodness of fit for sample-ratio mismatch, and Holm's step-down correction.
Undefined cases raise StatsError instead of returning NaN.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

_NORMAL = NormalDist()


class StatsError(ValueError):
    """The figure is undefined for these inputs (e.g. no visitors, or no conversions anywhere)."""


def norm_sf(z: float) -> float:
    """P(Z > z) for a standard normal Z, accurate in the tails (scipy.stats.norm.sf)."""
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def norm_isf(q: float) -> float:
    """The z with P(Z > z) = q (scipy.stats.norm.isf)."""
    if not 0.0 < q < 1.0:
        raise StatsError(f"tail probability {q} outside (0, 1)")
    return -_NORMAL.inv_cdf(q)


# --- planning ----------------------------------------------------------------------------------


def cohens_h(p1: float, p2: float) -> float:
    """2·asin√p1 − 2·asin√p2 (statsmodels proportion_effectsize)."""
    for p in (p1, p2):
        if not 0.0 <= p <= 1.0:
            raise StatsError(f"rate {p} outside [0, 1]")
    return 2.0 * math.asin(math.sqrt(p1)) - 2.0 * math.asin(math.sqrt(p2))


def power_two_sided(h: float, n1: float, *, alpha: float, ratio: float = 1.0) -> float:
    """Power of the two-sided z-test for effect size h with n1 in the first arm and n1·ratio in the
    second (statsmodels NormalIndPower.power), both rejection tails counted."""
    effective = 1.0 / (1.0 / n1 + 1.0 / (n1 * ratio))
    crit = norm_isf(alpha / 2.0)
    shift = abs(h) * math.sqrt(effective)
    return norm_sf(crit - shift) + norm_sf(crit + shift)


def sample_size(h: float, *, alpha: float, power: float, ratio: float = 1.0) -> float:
    """Users needed in the first arm (the second gets `ratio` times as many) for a two-sided test
    at `alpha` to reach `power` against effect size h (statsmodels NormalIndPower.solve_power)."""
    if h == 0.0 or not math.isfinite(h):
        raise StatsError("no effect to detect")
    if not 0.0 < alpha < 1.0 or not 0.0 < power < 1.0 or ratio <= 0.0:
        raise StatsError("alpha and power must lie in (0, 1), ratio above 0")
    if power <= alpha / 2.0:
        raise StatsError("power at or below the false-positive rate needs no sample")
    # The one-tailed closed form is a close start; the bisection adds the far tail exactly.
    effective = ((norm_isf(alpha / 2.0) + norm_isf(1.0 - power)) / abs(h)) ** 2
    start = effective * (1.0 + 1.0 / ratio)
    low, high = start * 0.5, start * 1.5
    while power_two_sided(h, low, alpha=alpha, ratio=ratio) > power:
        low /= 2.0
    while power_two_sided(h, high, alpha=alpha, ratio=ratio) < power:
        high *= 2.0
    for _ in range(200):
        middle = (low + high) / 2.0
        if power_two_sided(h, middle, alpha=alpha, ratio=ratio) < power:
            low = middle
        else:
            high = middle
        if high - low <= high * 1e-14:
            break
    return high


@dataclass(frozen=True)
class Plan:
    needed: tuple[int, ...]  # users per arm, control first
    total: int
    comparisons: int  # variants compared with control
    alpha_each: float  # the alpha each comparison is planned at (Bonferroni: Holm's first step)
    target: float  # the rate the variants must reach


def plan(
    *,
    baseline: float,
    mde: float,
    relative: bool,
    alpha: float,
    power: float,
    weights: Sequence[float],
    sequential: bool = False,
) -> Plan:
    """Users each arm needs so that every variant can show `mde` against control.

    With more than one variant, each comparison is planned at alpha / comparisons (Bonferroni, as it
    is read). Arms are filled in proportion to `weights` (control first), so the total is set by the
    comparison that needs the most traffic. Fixed horizon: Cohen's h. Sequential: the sample at which
    the always-valid interval, tuned for it, excludes zero with the given power.
    """
    if len(weights) < 2 or any(w <= 0 or not math.isfinite(w) for w in weights):
        raise StatsError("at least two arms with positive weights")
    if not 0.0 < baseline < 1.0:
        raise StatsError("the baseline must lie strictly between 0% and 100%")
    target = baseline * (1.0 + mde) if relative else baseline + mde
    if not 0.0 < target < 1.0:
        raise StatsError("the baseline moved by the MDE leaves 0%–100%")
    comparisons = len(weights) - 1
    alpha_each = alpha / comparisons
    h = cohens_h(target, baseline)
    whole = sum(weights)
    traffic = 0.0
    for weight in weights[1:]:
        ratio = weight / weights[0]
        if sequential:
            from models.experiments import sequential as always_valid

            control_n = always_valid.sample_size(
                target - baseline,
                baseline * (1.0 - baseline),
                target * (1.0 - target),
                alpha=alpha_each,
                target_power=power,
                ratio=ratio,
            )
        else:
            control_n = sample_size(h, alpha=alpha_each, power=power, ratio=ratio)
        traffic = max(traffic, control_n * whole / weights[0])
    needed = tuple(math.ceil(traffic * w / whole - 1e-9) for w in weights)
    return Plan(needed, sum(needed), comparisons, alpha_each, target)


# --- reading ------------------------------------------------------------------------------------


def _check_counts(conversions: int, visitors: int) -> None:
    if visitors <= 0:
        raise StatsError("no visitors")
    if conversions < 0 or conversions > visitors:
        raise StatsError("conversions outside 0..visitors")


def wilson_interval(conversions: int, visitors: int, *, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval for one rate (statsmodels proportion_confint(method="wilson"))."""
    _check_counts(conversions, visitors)
    p = conversions / visitors
    crit = norm_isf(alpha / 2.0)
    crit2 = crit * crit
    denominator = 1.0 + crit2 / visitors
    centre = (p + crit2 / (2.0 * visitors)) / denominator
    spread = crit * math.sqrt(p * (1.0 - p) / visitors + crit2 / (4.0 * visitors * visitors)) / denominator
    return max(0.0, centre - spread), min(1.0, centre + spread)


def ztest(c1: int, n1: int, c2: int, n2: int) -> tuple[float, float]:
    """Pooled two-proportion z-test of rate 1 against rate 2: (z, two-sided p)
    (statsmodels proportions_ztest([c1, c2], [n1, n2]))."""
    _check_counts(c1, n1)
    _check_counts(c2, n2)
    pooled = (c1 + c2) / (n1 + n2)
    if pooled in (0.0, 1.0):
        raise StatsError("no variation: every visitor converted, or none did")
    z = (c1 / n1 - c2 / n2) / math.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
    return z, math.erfc(abs(z) / math.sqrt(2.0))


def wald_difference(c1: int, n1: int, c2: int, n2: int) -> tuple[float, float]:
    """Rate 1 − rate 2 and the variance of that difference, each arm's own (unpooled): the z-test and
    interval built from it agree by construction (statsmodels test_proportions_2indep(method="wald")
    and confint_proportions_2indep(method="wald"))."""
    _check_counts(c1, n1)
    _check_counts(c2, n2)
    p1, p2 = c1 / n1, c2 / n2
    return p1 - p2, p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2


def newcombe_interval(c1: int, n1: int, c2: int, n2: int, *, alpha: float = 0.05) -> tuple[float, float]:
    """Newcombe's hybrid score interval for rate 1 − rate 2
    (statsmodels confint_proportions_2indep(compare="diff", method="newcomb"))."""
    p1, p2 = c1 / n1, c2 / n2
    low1, high1 = wilson_interval(c1, n1, alpha=alpha)
    low2, high2 = wilson_interval(c2, n2, alpha=alpha)
    diff = p1 - p2
    return (
        diff - math.sqrt((p1 - low1) ** 2 + (high2 - p2) ** 2),
        diff + math.sqrt((p2 - low2) ** 2 + (high1 - p1) ** 2),
    )


def ratio_interval(c1: int, n1: int, c2: int, n2: int, *, alpha: float = 0.05) -> tuple[float, float]:
    """Interval for rate 1 ÷ rate 2 on the log scale with half a count added to each cell
    (statsmodels confint_proportions_2indep(compare="ratio", method="log-adjusted"))."""
    _check_counts(c1, n1)
    _check_counts(c2, n2)
    a1, m1, a2, m2 = c1 + 0.5, n1 + 0.5, c2 + 0.5, n2 + 0.5
    centre = math.log((a1 / m1) / (a2 / m2))
    spread = norm_isf(alpha / 2.0) * math.sqrt(1.0 / a1 - 1.0 / m1 + 1.0 / a2 - 1.0 / m2)
    return math.exp(centre - spread), math.exp(centre + spread)


def chi2_sf(x: float, df: int) -> float:
    """P(χ² > x) for a whole number of degrees of freedom (scipy.stats.chi2.sf), in closed form."""
    if df < 1:
        raise StatsError("degrees of freedom below 1")
    if x <= 0.0:
        return 1.0
    half = x / 2.0
    if df % 2 == 0:
        # e^(−x/2) · Σ_{i<df/2} (x/2)^i / i!
        return min(1.0, sum(math.exp(i * math.log(half) - half - math.lgamma(i + 1)) for i in range(df // 2)))
    # erfc(√(x/2)) + e^(−x/2) · Σ_{i=1}^{(df−1)/2} (x/2)^(i−½) / Γ(i+½)
    tail = math.erfc(math.sqrt(half))
    tail += sum(math.exp((i - 0.5) * math.log(half) - half - math.lgamma(i + 0.5)) for i in range(1, (df - 1) // 2 + 1))
    return min(1.0, tail)


def srm_test(observed: Sequence[int], weights: Sequence[float]) -> tuple[float, float]:
    """Chi-square goodness of fit of the users per arm against the planned split: (χ², p)
    (scipy.stats.chisquare(observed, expected))."""
    if len(observed) != len(weights) or len(observed) < 2:
        raise StatsError("one planned weight per arm, at least two arms")
    total = sum(observed)
    if total <= 0 or any(n < 0 for n in observed):
        raise StatsError("no visitors")
    whole = sum(weights)
    chi2 = 0.0
    for n, w in zip(observed, weights, strict=True):
        expected = total * w / whole
        chi2 += (n - expected) ** 2 / expected
    return chi2, chi2_sf(chi2, len(observed) - 1)


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm step-down adjusted p-values, in the input order
    (statsmodels multipletests(method="holm")[1])."""
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * pvalues[i]))
        adjusted[i] = running
    return adjusted
