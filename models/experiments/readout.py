"""Reading an experiment: every figure for every arm and comparison, and a plain verdict.

Pure functions over counts (no I/O). The order of judgement is deliberate: broken input first, then
a sample-ratio mismatch (nothing else can be trusted), then whether the planned sample is reached
(reading earlier inflates false positives), and only then significance, Holm-corrected across
variants when there are more than one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from models.experiments import stats as ab_stats
from models.experiments.stats import StatsError

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


@dataclass(frozen=True)
class ArmCounts:
    name: str
    visitors: int
    conversions: int


@dataclass(frozen=True)
class ArmReading:
    name: str
    visitors: int
    conversions: int
    rate: float
    low: float
    high: float


@dataclass(frozen=True)
class Comparison:
    arm: str
    control: str
    diff: float  # variant rate − control rate
    diff_low: float
    diff_high: float
    relative: float | None  # variant ÷ control − 1; None when control has no conversions
    relative_low: float | None
    relative_high: float | None
    z: float
    p: float
    p_adjusted: float  # Holm-adjusted across the variants (= p with one variant)
    significant: bool


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
    corrected: bool = False  # Holm applied (more than one variant)
    lead: str | None = None  # the arm the verdict is about (WIN / LOSS)

    @property
    def decidable(self) -> bool:
        return self.verdict in DECIDABLE


def read(arms: Sequence[ArmCounts], *, weights: Sequence[float], needed: Sequence[int], alpha: float) -> Readout:
    """Read counts for every planned arm (control first; arms without data have zero visitors)."""
    if len(arms) != len(weights) or len(arms) != len(needed) or len(arms) < 2:
        raise ValueError("one weight and one planned size per arm, at least two arms")
    bad = tuple(a.name for a in arms if a.visitors < 0 or a.conversions < 0 or a.conversions > a.visitors)
    if bad:
        return Readout((), (), Verdict.NOT_READY, Problem.BAD_COUNTS, bad)
    readings = tuple(_reading(a, alpha) for a in arms if a.visitors > 0)
    with_data = [a.name for a in arms if a.visitors > 0]
    progress, behind = _progress(arms, needed)
    base = {"progress": progress, "behind": behind, "reached": progress >= 1.0}
    if not with_data:
        return Readout(readings, (), Verdict.NOT_READY, Problem.NO_DATA, **base)
    if len(with_data) == 1:
        return Readout(readings, (), Verdict.NOT_READY, Problem.ONE_ARM, tuple(with_data), **base)
    if len(with_data) < len(arms):
        empty = tuple(a.name for a in arms if a.visitors == 0)
        return Readout(readings, (), Verdict.NOT_READY, Problem.NO_VISITORS, empty, **base)
    control = arms[0]
    for variant in arms[1:]:
        pooled = (control.conversions + variant.conversions) / (control.visitors + variant.visitors)
        if pooled in (0.0, 1.0):
            problem = Problem.NO_CONVERSIONS if pooled == 0.0 else Problem.ALL_CONVERTED
            return Readout(readings, (), Verdict.NOT_READY, problem, (control.name, variant.name), **base)
    chi2, srm_p = ab_stats.srm_test([a.visitors for a in arms], weights)
    comparisons = _compare(control, arms[1:], alpha)
    srm = {"srm_chi2": chi2, "srm_p": srm_p, "corrected": len(arms) > 2, **base}
    if srm_p < SRM_ALARM:
        return Readout(readings, comparisons, Verdict.SRM, **srm)
    significant = [c for c in comparisons if c.significant]
    if progress < 1.0:
        return Readout(readings, comparisons, Verdict.KEEP_RUNNING, early_significant=bool(significant), **srm)
    wins = [c for c in significant if c.diff > 0]
    if wins:
        return Readout(readings, comparisons, Verdict.WIN, lead=max(wins, key=lambda c: c.diff).arm, **srm)
    if significant:
        return Readout(readings, comparisons, Verdict.LOSS, lead=min(significant, key=lambda c: c.diff).arm, **srm)
    return Readout(readings, comparisons, Verdict.NO_EFFECT, **srm)


def _reading(arm: ArmCounts, alpha: float) -> ArmReading:
    low, high = ab_stats.wilson_interval(arm.conversions, arm.visitors, alpha=alpha)
    return ArmReading(arm.name, arm.visitors, arm.conversions, arm.conversions / arm.visitors, low, high)


def _progress(arms: Sequence[ArmCounts], needed: Sequence[int]) -> tuple[float, str | None]:
    shares = [(max(a.visitors, 0) / n if n > 0 else 1.0, a.name) for a, n in zip(arms, needed, strict=True)]
    share, name = min(shares)
    return share, name


def _compare(control: ArmCounts, variants: Sequence[ArmCounts], alpha: float) -> tuple[Comparison, ...]:
    raw = []
    for v in variants:
        z, p = ab_stats.ztest(v.conversions, v.visitors, control.conversions, control.visitors)
        low, high = ab_stats.newcombe_interval(
            v.conversions, v.visitors, control.conversions, control.visitors, alpha=alpha
        )
        relative = rel_low = rel_high = None
        if control.conversions > 0:
            relative = (v.conversions / v.visitors) / (control.conversions / control.visitors) - 1.0
            try:
                r_low, r_high = ab_stats.ratio_interval(
                    v.conversions, v.visitors, control.conversions, control.visitors, alpha=alpha
                )
                rel_low, rel_high = r_low - 1.0, r_high - 1.0
            except StatsError:
                rel_low = rel_high = None
        diff = v.conversions / v.visitors - control.conversions / control.visitors
        raw.append((v.name, diff, low, high, relative, rel_low, rel_high, z, p))
    adjusted = ab_stats.holm([r[-1] for r in raw]) if len(raw) > 1 else [r[-1] for r in raw]
    return tuple(
        Comparison(name, control.name, diff, low, high, rel, rl, rh, z, p, adj, adj < alpha)
        for (name, diff, low, high, rel, rl, rh, z, p), adj in zip(raw, adjusted, strict=True)
    )
