"""Continuous metrics against scipy and statsmodels: Welch's t-test and interval from per-arm sums (to
1e-6 of scipy.stats.ttest_ind(equal_var=False) on the raw rows), Student's t tails, the delta-method
variance of a ratio (a hand-worked example and the linearisation of Deng et al. on the raw rows), and the
sample size from a baseline mean and SD."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.power import NormalIndPower

from models.experiments import means
from models.experiments.readout import ArmCounts, Direction, Method, Outcome, Verdict, read

TOL = 1e-6


def sums(values: np.ndarray) -> tuple[int, float, float]:
    return values.size, float(values.sum()), float((values**2).sum())


@pytest.mark.parametrize("df", [1.0, 2.5, 7.0, 30.0, 1_000.0, 250_000.0])
@pytest.mark.parametrize("t", [-3.0, -0.4, 0.0, 0.7, 1.96, 4.5, 12.0])
def test_t_tails_match_scipy(t: float, df: float) -> None:
    assert means.t_sf(t, df) == pytest.approx(stats.t.sf(t, df), rel=TOL, abs=1e-15)


@pytest.mark.parametrize("df", [1.5, 9.0, 120.0, 1e6])
@pytest.mark.parametrize("q", [0.05, 0.025, 0.0125, 0.001])
def test_t_quantiles_match_scipy(q: float, df: float) -> None:
    assert means.t_isf(q, df) == pytest.approx(stats.t.isf(q, df), rel=TOL)


@pytest.mark.parametrize("seed", range(6))
def test_welch_from_sums_matches_scipy_on_the_rows(seed: int) -> None:
    # revenue per visitor: most visitors buy nothing, buyers spend a skewed amount
    rng = np.random.default_rng(seed)
    sizes = rng.integers(50, 5_000, 2)
    control = rng.binomial(1, 0.05, sizes[0]) * rng.lognormal(3.5, 0.8, sizes[0])
    variant = rng.binomial(1, 0.06, sizes[1]) * rng.lognormal(3.6, 0.9, sizes[1])
    arms = [ArmCounts("control", *_arm(control)), ArmCounts("variant", *_arm(variant))]
    readout = read(arms, weights=list(sizes), needed=list(sizes), alpha=0.05, method=Method.FIXED)
    [c] = readout.comparisons
    reference = stats.ttest_ind(variant, control, equal_var=False)
    low, high = reference.confidence_interval(0.95)
    assert c.diff == pytest.approx(variant.mean() - control.mean(), rel=TOL)
    assert c.p == pytest.approx(reference.pvalue, rel=TOL)
    assert (c.diff_low, c.diff_high) == (pytest.approx(low, rel=TOL), pytest.approx(high, rel=TOL))
    assert c.significant == (reference.pvalue < 0.05)
    from_stats = stats.ttest_ind_from_stats(
        variant.mean(), variant.std(ddof=1), variant.size, control.mean(), control.std(ddof=1), control.size,
        equal_var=False,
    )  # fmt: skip
    assert c.p == pytest.approx(from_stats.pvalue, rel=TOL)
    # each arm's mean with its t interval
    mean_low, mean_high = stats.t.interval(0.95, control.size - 1, control.mean(), stats.sem(control))
    assert (readout.arms[0].low, readout.arms[0].high) == (pytest.approx(mean_low), pytest.approx(mean_high))


def _arm(values: np.ndarray) -> tuple[int, int, float, float]:
    n, total, squares = sums(values)
    return n, 0, total, squares


def test_two_variants_get_bonferroni_welch_intervals_at_their_level() -> None:
    rng = np.random.default_rng(7)
    rows = [rng.normal(50 + lift, 30, 4_000) for lift in (0.0, 3.0, -0.5)]
    arms = [ArmCounts(name, *_arm(r)) for name, r in zip(("control", "B", "C"), rows, strict=True)]
    readout = read(arms, weights=[1, 1, 1], needed=[4_000] * 3, alpha=0.05, method=Method.FIXED)
    for c, values in zip(readout.comparisons, rows[1:], strict=True):
        reference = stats.ttest_ind(values, rows[0], equal_var=False)
        low, high = reference.confidence_interval(0.975)
        assert c.level == pytest.approx(0.975)
        assert (c.diff_low, c.diff_high) == (pytest.approx(low, rel=TOL), pytest.approx(high, rel=TOL))
        assert c.p_adjusted == pytest.approx(min(1.0, 2 * reference.pvalue), rel=TOL)
    assert [c.outcome for c in readout.comparisons] == [Outcome.WIN, Outcome.FLAT]
    assert readout.verdict is Verdict.WIN and readout.lead == "B"


def test_a_fall_in_a_lower_is_better_mean_is_a_win() -> None:
    rng = np.random.default_rng(3)
    control, variant = rng.normal(12.0, 4.0, 3_000), rng.normal(11.0, 4.0, 3_000)  # return cost per order
    arms = [ArmCounts("control", *_arm(control)), ArmCounts("variant", *_arm(variant))]
    readout = read(arms, weights=[1, 1], needed=[3_000, 3_000], alpha=0.05, direction=Direction.LOWER)
    assert readout.comparisons[0].outcome is Outcome.WIN and readout.verdict is Verdict.WIN


def test_the_delta_method_by_hand() -> None:
    # Three visitors: (orders x, revenue y) = (1, 10), (2, 30), (0, 0). Σx = 3, Σy = 40, ratio 40/3.
    # μx = 1, μy = 40/3; σ²x = (1 + 4 + 0 − 9/3) / 2 = 1; σ²y = (100 + 900 − 1600/3) / 2 = 233.333;
    # σxy = (10 + 60 − 40) / 2 = 15. Var = (233.333/1 − 2·(40/3)·15/1 + (40/3)²·1/1) / 3
    #     = (233.333 − 400 + 177.778) / 3 = 11.111/3 = 3.7037
    arm = means.RatioSums(n=3, y=40, y2=1_000, x=3, x2=5, xy=70)
    assert arm.ratio == pytest.approx(40 / 3)
    assert means.ratio_variance(arm) == pytest.approx(100 / 27, rel=1e-12)


def test_the_delta_method_is_the_variance_of_the_linearised_rows() -> None:
    # Deng et al. 2018 §3: Var(Ȳ/X̄) ≈ Var(Y − R·X) / (n μx²), R = Ȳ/X̄, computed here from the rows.
    rng = np.random.default_rng(11)
    orders = rng.poisson(0.3, 20_000)
    revenue = np.array([rng.lognormal(3.4, 0.7, k).sum() for k in orders])
    arm = means.RatioSums(
        n=orders.size, y=float(revenue.sum()), y2=float((revenue**2).sum()), x=float(orders.sum()),
        x2=float((orders**2).sum()), xy=float((orders * revenue).sum()),
    )  # fmt: skip
    ratio = revenue.sum() / orders.sum()
    linearised = (revenue - ratio * orders).var(ddof=1) / (orders.size * orders.mean() ** 2)
    assert means.ratio_variance(arm) == pytest.approx(linearised, rel=1e-9)


@pytest.mark.parametrize("ratio", [1.0, 0.5, 2.0])
def test_sample_size_from_a_baseline_mean_and_sd(ratio: float) -> None:
    # revenue per visitor 2.60 with SD 14.0; a +5 % change (0.13) at α 0.05, power 0.8
    ours = means.sample_size(14.0, 0.13, alpha=0.05, power=0.8, ratio=ratio)
    reference = NormalIndPower().solve_power(effect_size=0.13 / 14.0, alpha=0.05, power=0.8, ratio=ratio)
    assert ours == pytest.approx(reference, rel=TOL)
    # by hand: 2 · (1.959964 + 0.841621)² · (14.0 / 0.13)² = 2 · 7.848878 · 11,597.63 = 182,056.4
    assert math.ceil(means.sample_size(14.0, 0.13, alpha=0.05, power=0.8)) == 182_057
