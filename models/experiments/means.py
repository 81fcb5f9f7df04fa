"""Statistics for continuous metrics (revenue per visitor, average order value): plain functions over
per-arm sums, no I/O, standard library only.

An arm is summarised by its visitors n, Σy and Σy² (and, for a ratio such as revenue ÷ orders, Σx, Σx²
and Σxy of the denominator), so a whole experiment fits in a few numbers a day. Welch's t-test and its
interval match scipy.stats.ttest_ind(equal_var=False); the ratio's variance is the delta method of
Deng, Knoblich & Lu, "Applying the Delta Method in Metric Analytics" (KDD 2018, §3).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from models.experiments import stats as ab_stats
from models.experiments.stats import StatsError


@dataclass(frozen=True)
class Sums:
    """One arm of a mean metric: visitors, Σy, Σy²."""

    n: int
    total: float
    squares: float

    @property
    def mean(self) -> float:
        return self.total / self.n

    @property
    def variance(self) -> float:
        """Sample variance (n − 1 in the denominator); never below zero from rounding."""
        if self.n < 2:
            raise StatsError("a variance needs two visitors")
        return max(0.0, (self.squares - self.total * self.total / self.n) / (self.n - 1))


@dataclass(frozen=True)
class RatioSums:
    """One arm of a ratio metric Σy ÷ Σx (revenue ÷ orders), randomised by visitor."""

    n: int
    y: float
    y2: float
    x: float
    x2: float
    xy: float

    @property
    def ratio(self) -> float:
        if self.x <= 0:
            raise StatsError("no denominator (no orders)")
        return self.y / self.x


def ratio_variance(arm: RatioSums) -> float:
    """Var(Σy ÷ Σx) by the delta method: (σ²_y/μ²_x − 2μ_y σ_xy/μ³_x + μ²_y σ²_x/μ⁴_x) / n."""
    if arm.n < 2 or arm.x <= 0:
        raise StatsError("a ratio needs two visitors and a denominator")
    n = arm.n
    mx, my = arm.x / n, arm.y / n
    vx = (arm.x2 - arm.x * arm.x / n) / (n - 1)
    vy = (arm.y2 - arm.y * arm.y / n) / (n - 1)
    cxy = (arm.xy - arm.x * arm.y / n) / (n - 1)
    variance = (vy / mx**2 - 2.0 * my * cxy / mx**3 + my**2 * vx / mx**4) / n
    return max(0.0, variance)


def welch(variant: Sums, control: Sums) -> tuple[float, float, float]:
    """Mean difference, its variance s₁²/n₁ + s₂²/n₂ and the Welch–Satterthwaite degrees of freedom."""
    v1, v2 = variant.variance / variant.n, control.variance / control.n
    variance = v1 + v2
    if variance <= 0.0:
        raise StatsError("no variation in either arm")
    df = variance * variance / (v1 * v1 / (variant.n - 1) + v2 * v2 / (control.n - 1))
    return variant.mean - control.mean, variance, df


def t_sf(t: float, df: float) -> float:
    """P(T > t) for Student's t with df degrees of freedom (scipy.stats.t.sf)."""
    if df <= 0:
        raise StatsError("degrees of freedom must be above 0")
    tail = 0.5 * _betainc(df / 2.0, 0.5, df / (df + t * t))
    return tail if t >= 0 else 1.0 - tail


def t_isf(q: float, df: float) -> float:
    """The t with P(T > t) = q (scipy.stats.t.isf), for 0 < q < 0.5."""
    if not 0.0 < q < 0.5:
        raise StatsError(f"tail probability {q} outside (0, 0.5)")
    low, high = 0.0, 1.0
    while t_sf(high, df) > q:
        low, high = high, high * 2.0
    for _ in range(200):
        middle = (low + high) / 2.0
        low, high = (middle, high) if t_sf(middle, df) > q else (low, middle)
        if high - low <= 1e-13 * high:
            break
    return (low + high) / 2.0


def welch_test(variant: Sums, control: Sums, *, alpha: float) -> tuple[float, float, float, float]:
    """(difference, two-sided p, interval low, interval high) of Welch's t-test at level 1 − α."""
    diff, variance, df = welch(variant, control)
    se = math.sqrt(variance)
    p = min(1.0, 2.0 * t_sf(abs(diff) / se, df))
    spread = t_isf(alpha / 2.0, df) * se
    return diff, p, diff - spread, diff + spread


def sample_size(sd: float, delta: float, *, alpha: float, power: float, ratio: float = 1.0) -> float:
    """Control visitors for a two-sided test at α to find a mean difference `delta` with the given
    power, both arms with standard deviation `sd`: the z-test of effect size δ/σ (statsmodels
    NormalIndPower), which Welch's test approaches at the samples A/B tests run at."""
    if sd <= 0 or not math.isfinite(sd):
        raise StatsError("the standard deviation must be above 0")
    return ab_stats.sample_size(delta / sd, alpha=alpha, power=power, ratio=ratio)


def _betainc(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b), by its continued fraction (modified Lentz)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    if x > (a + 1.0) / (a + b + 2.0):
        return 1.0 - _betainc(b, a, 1.0 - x)
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    f = d
    for m in range(1, 10_000):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            f *= c * d
        if abs(c * d - 1.0) < 1e-15:
            break
    return math.exp(log_front) * f / a
