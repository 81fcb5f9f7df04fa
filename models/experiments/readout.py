"""Reading an experiment: every figure for every arm and comparison, and a plain verdict.

Pure functions over counts (no I/O). The order of judgement is deliberate: broken input first, then
a sample-ratio mismatch (nothing else can be trusted), then significance. The sequential (default)
method's interval is always valid, so it decides at any look; a fixed-horizon test decides only at
the planned sample. Several variants are compared at α ÷ variants each (Bonferroni), intervals too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from models.experiments import means, sequential
from models.experiments import stats as ab_stats

SRM_ALARM = 0.001


class Verdict(StrEnum):
    NOT_READY = "not_ready"  # the data cannot be read yet (see Problem)
    SRM = "srm"
    KEEP_RUNNING = "keep_running"
    WIN = "win"
    LOSS = "loss"
    NO_EFFECT = "no_effect"


DECIDABLE = frozenset({Verdict.SRM, Verdict.WIN, Verdict.LOSS, Verdict.NO_EFFECT})


class Problem(StrEnum):
    NO_DATA = "no_data"
    ONE_ARM = "one_arm"
    NO_VISITORS = "no_visitors"
    BAD_COUNTS = "bad_counts"
    NO_CONVERSIONS = "no_conversions"
    ALL_CONVERTED = "all_converted"
    NO_VARIATION = "no_variation"  # a mean metric with the same value for every visitor


@dataclass(frozen=True)
class ArmCounts:
    """One arm: visitors and conversions; for a mean metric (revenue per visitor) Σy and Σy² instead."""

    name: str
    visitors: int
    conversions: int
    total: float | None = None  # Σy of a mean metric
    squares: float | None = None  # Σy²

    @property
    def is_mean(self) -> bool:
        return self.total is not None and self.squares is not None

    def sums(self) -> means.Sums:
        assert self.total is not None and self.squares is not None
        return means.Sums(self.visitors, self.total, self.squares)

    @property
    def broken(self) -> bool:
        if self.visitors < 0:
            return True
        if self.is_mean:
            assert self.total is not None and self.squares is not None
            return self.squares < 0 or (self.visitors > 0 and self.squares < self.total**2 / self.visitors * (1 - 1e-9))
        return self.conversions < 0 or self.conversions > self.visitors


@dataclass(frozen=True)
class ArmReading:
    name: str
    visitors: int
    conversions: int
    rate: float
    low: float
    high: float


class Outcome(StrEnum):
    WIN = "win"  # significantly better than control, in the metric's good direction
    LOSS = "loss"  # significantly worse
    FLAT = "flat"  # the interval still includes no difference


class Method(StrEnum):
    SEQUENTIAL = "sequential"  # always-valid: may be read at every look
    FIXED = "fixed"  # one read, at the planned sample


class Direction(StrEnum):
    HIGHER = "higher"  # a rise is good (conversion, revenue)
    LOWER = "lower"  # a fall is good (refund rate, return rate)


@dataclass(frozen=True)
class Comparison:
    arm: str
    control: str
    diff: float  # variant rate − control rate
    diff_low: float  # the interval the outcome is decided by (same test, same adjustment)
    diff_high: float
    relative: float | None  # variant ÷ control − 1; None when control has no conversions
    p: float  # this comparison alone (always-valid p for the sequential method)
    p_adjusted: float  # Bonferroni across the variants (= p with one variant)
    level: float  # confidence level of [diff_low, diff_high]: 1 − α ÷ comparisons
    significant: bool  # the interval excludes zero, i.e. p_adjusted < α
    outcome: Outcome


@dataclass(frozen=True)
class Readout:
    arms: tuple[ArmReading, ...]  # arms with visitors, in plan order
    comparisons: tuple[Comparison, ...]
    verdict: Verdict
    problem: Problem | None = None
    problem_arms: tuple[str, ...] = ()
    srm_chi2: float | None = None
    srm_p: float | None = None
    progress: float = 0.0  # of the planned sample, for the arm furthest behind
    behind: str | None = None
    reached: bool = False
    early_significant: bool = False  # something crosses alpha before the planned sample
    corrected: bool = False  # Bonferroni applied (more than one variant)
    lead: str | None = None  # the arm the verdict is about (WIN / LOSS)
    method: Method = Method.SEQUENTIAL
    direction: Direction = Direction.HIGHER
    mean: bool = False  # a mean metric: arm "rates" are means, differences are amounts

    @property
    def decidable(self) -> bool:
        return self.verdict in DECIDABLE


def read(
    arms: Sequence[ArmCounts],
    *,
    weights: Sequence[float],
    needed: Sequence[int],
    alpha: float,
    method: Method = Method.SEQUENTIAL,
    direction: Direction = Direction.HIGHER,
) -> Readout:
    """Read counts for every planned arm (control first; arms without data have zero visitors).

    Sequential: a comparison whose always-valid interval excludes zero decides at any look; with
    none, "keep running" until the planned sample, then "no detectable effect". Fixed: nothing
    before the planned sample (pass the counts at the planned sample, see queries.readout_of).
    """
    if len(arms) != len(weights) or len(arms) != len(needed) or len(arms) < 2:
        raise ValueError("one weight and one planned size per arm, at least two arms")
    how = {"method": method, "direction": direction, "mean": arms[0].is_mean}
    bad = tuple(a.name for a in arms if a.broken)
    if bad:
        return Readout((), (), Verdict.NOT_READY, Problem.BAD_COUNTS, bad, **how)
    least = 2 if arms[0].is_mean else 1  # a mean's spread needs two visitors
    readings = tuple(_reading(a, alpha) for a in arms if a.visitors >= least)
    with_data = [a.name for a in arms if a.visitors >= least]
    progress, behind = _progress(arms, needed)
    base = {"progress": progress, "behind": behind, "reached": progress >= 1.0, **how}
    if not with_data:
        return Readout(readings, (), Verdict.NOT_READY, Problem.NO_DATA, **base)
    if len(with_data) == 1:
        return Readout(readings, (), Verdict.NOT_READY, Problem.ONE_ARM, tuple(with_data), **base)
    if len(with_data) < len(arms):
        empty = tuple(a.name for a in arms if a.visitors < least)
        return Readout(readings, (), Verdict.NOT_READY, Problem.NO_VISITORS, empty, **base)
    control = arms[0]
    for variant in arms[1:]:
        if control.is_mean:
            if control.sums().variance == 0.0 and variant.sums().variance == 0.0:
                return Readout(readings, (), Verdict.NOT_READY, Problem.NO_VARIATION, (control.name, variant.name),
                               **base)  # fmt: skip
            continue
        pooled = (control.conversions + variant.conversions) / (control.visitors + variant.visitors)
        if pooled in (0.0, 1.0):
            problem = Problem.NO_CONVERSIONS if pooled == 0.0 else Problem.ALL_CONVERTED
            return Readout(readings, (), Verdict.NOT_READY, problem, (control.name, variant.name), **base)
    chi2, srm_p = ab_stats.srm_test([a.visitors for a in arms], weights)
    planned = [float(needed[0] + n) for n in needed[1:]]  # the sample each comparison is tuned for
    comparisons = _compare(control, arms[1:], alpha, method, direction, planned)
    srm = {"srm_chi2": chi2, "srm_p": srm_p, "corrected": len(arms) > 2, **base}
    if srm_p < SRM_ALARM:
        return Readout(readings, comparisons, Verdict.SRM, **srm)
    significant = [c for c in comparisons if c.significant]
    if method is Method.FIXED and progress < 1.0:
        return Readout(readings, comparisons, Verdict.KEEP_RUNNING, early_significant=bool(significant), **srm)
    better = max if direction is Direction.HIGHER else min
    worse = min if direction is Direction.HIGHER else max
    wins = [c for c in significant if c.outcome is Outcome.WIN]
    if wins:
        return Readout(readings, comparisons, Verdict.WIN, lead=better(wins, key=lambda c: c.diff).arm, **srm)
    if significant:
        return Readout(readings, comparisons, Verdict.LOSS, lead=worse(significant, key=lambda c: c.diff).arm, **srm)
    if progress < 1.0:
        return Readout(readings, comparisons, Verdict.KEEP_RUNNING, **srm)
    return Readout(readings, comparisons, Verdict.NO_EFFECT, **srm)


def _reading(arm: ArmCounts, alpha: float) -> ArmReading:
    if arm.is_mean:
        sums = arm.sums()
        spread = means.t_isf(alpha / 2.0, arm.visitors - 1) * math.sqrt(sums.variance / arm.visitors)
        return ArmReading(arm.name, arm.visitors, 0, sums.mean, sums.mean - spread, sums.mean + spread)
    low, high = ab_stats.wilson_interval(arm.conversions, arm.visitors, alpha=alpha)
    return ArmReading(arm.name, arm.visitors, arm.conversions, arm.conversions / arm.visitors, low, high)


def _progress(arms: Sequence[ArmCounts], needed: Sequence[int]) -> tuple[float, str | None]:
    shares = [(max(a.visitors, 0) / n if n > 0 else 1.0, a.name) for a, n in zip(arms, needed, strict=True)]
    share, name = min(shares)
    return share, name


def _compare(
    control: ArmCounts,
    variants: Sequence[ArmCounts],
    alpha: float,
    method: Method,
    direction: Direction,
    planned: Sequence[float],
) -> tuple[Comparison, ...]:
    """Each variant against control. With m variants each interval is at level 1 − α/m and each p is
    multiplied by m (Bonferroni), so "the interval excludes zero" and "adjusted p < α" are one fact."""
    m = len(variants)
    alpha_each = alpha / m
    out = []
    for v, planned_n in zip(variants, planned, strict=True):
        df = None
        if v.is_mean:
            diff, variance, df = means.welch(v.sums(), control.sums())
        else:
            diff, variance = ab_stats.wald_difference(v.conversions, v.visitors, control.conversions, control.visitors)
        if method is Method.SEQUENTIAL:
            n = float(v.visitors + control.visitors)
            spread = sequential.half_width(variance, n, alpha=alpha_each, planned_n=planned_n)
            p = sequential.p_value(diff, variance, n, alpha=alpha_each, planned_n=planned_n)
        elif df is not None:  # Welch's t-test and its interval
            spread = means.t_isf(alpha_each / 2.0, df) * math.sqrt(variance)
            p = min(1.0, 2.0 * means.t_sf(abs(diff) / math.sqrt(variance), df))
        else:
            spread = ab_stats.norm_isf(alpha_each / 2.0) * math.sqrt(variance)
            p = math.erfc(abs(diff) / math.sqrt(2.0 * variance))
        low, high = diff - spread, diff + spread
        significant = low > 0.0 or high < 0.0
        good = diff > 0.0 if direction is Direction.HIGHER else diff < 0.0
        outcome = Outcome.FLAT if not significant else Outcome.WIN if good else Outcome.LOSS
        relative = None
        if v.is_mean and control.sums().mean > 0:
            relative = v.sums().mean / control.sums().mean - 1.0
        elif not v.is_mean and control.conversions > 0:
            relative = (v.conversions / v.visitors) / (control.conversions / control.visitors) - 1.0
        adjusted = min(1.0, p * m)
        out.append(Comparison(v.name, control.name, diff, low, high, relative, p, adjusted, 1.0 - alpha_each,
                              significant, outcome))  # fmt: skip
    return tuple(out)
