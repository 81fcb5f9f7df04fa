"""Every figure of models/experiments/stats.py against statsmodels and scipy (independent references), to 1e-6,
plus the reference points of the issue worked by hand."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportion_effectsize,
    proportions_ztest,
)

from models.experiments import stats as ab_stats
from models.experiments.stats import StatsError

TOL = 1e-6


def close(ours: float, reference: float) -> bool:
    return math.isclose(ours, float(reference), rel_tol=TOL, abs_tol=TOL * 1e-3)


# --- the reference points of the issue -------------------------------------------------------


def test_issue_reference_p_value_330_vs_300_of_10000() -> None:
    z, p = ab_stats.ztest(330, 10_000, 300, 10_000)
    assert round(p, 3) == 0.225
    ref_z, ref_p = proportions_ztest([330, 300], [10_000, 10_000])
    assert close(z, ref_z) and close(p, ref_p)


def test_issue_reference_srm_44000_vs_45000_on_a_50_50_plan() -> None:
    chi2, p = ab_stats.srm_test([44_000, 45_000], [50, 50])
    # By hand: expected 44,500 each; (500² + 500²) / 44,500 = 11.2360
    assert chi2 == pytest.approx(500_000 / 44_500, rel=1e-12)
    assert round(p, 4) == 0.0008
    ref = stats.chisquare([44_000, 45_000], [44_500, 44_500])
    assert close(chi2, ref.statistic) and close(p, ref.pvalue)


def test_issue_reference_sample_size_3_percent_plus_10_percent_relative() -> None:
    planned = ab_stats.plan(baseline=0.03, mde=0.10, relative=True, alpha=0.05, power=0.8, weights=[50, 50])
    assert planned.needed == (53_182, 53_182)  # "about 53,200 per arm"
    assert planned.total == 106_364
    reference = NormalIndPower().solve_power(
        effect_size=proportion_effectsize(0.033, 0.03), alpha=0.05, power=0.8, ratio=1.0
    )
    assert planned.needed[0] == math.ceil(reference)


def test_newcombe_interval_of_the_issue_example_in_percentage_points() -> None:
    # Variant 330/10,000 against control 300/10,000: −0.18 to +0.79 pp.
    low, high = ab_stats.newcombe_interval(330, 10_000, 300, 10_000)
    assert (round(low * 100, 2), round(high * 100, 2)) == (-0.18, 0.79)


# --- against the references over a grid ------------------------------------------------------

RATES = [0.001, 0.01, 0.03, 0.12, 0.5, 0.9]


@pytest.mark.parametrize("baseline", RATES[:-1])
@pytest.mark.parametrize("alpha,power", [(0.05, 0.8), (0.01, 0.9), (0.1, 0.5), (0.025, 0.95)])
@pytest.mark.parametrize("ratio", [1.0, 0.5, 1.5, 3.0])
def test_sample_size_matches_normal_ind_power(baseline: float, alpha: float, power: float, ratio: float) -> None:
    target = baseline * 1.1
    h = ab_stats.cohens_h(target, baseline)
    assert close(h, proportion_effectsize(target, baseline))
    ours = ab_stats.sample_size(h, alpha=alpha, power=power, ratio=ratio)
    reference = NormalIndPower().solve_power(effect_size=h, alpha=alpha, power=power, ratio=ratio)
    assert close(ours, reference)
    assert close(ab_stats.power_two_sided(h, ours, alpha=alpha, ratio=ratio), power)


def test_plan_with_three_arms_uses_the_bonferroni_alpha_and_an_uneven_split() -> None:
    planned = ab_stats.plan(baseline=0.05, mde=0.004, relative=False, alpha=0.05, power=0.8, weights=[50, 25, 25])
    h = proportion_effectsize(0.054, 0.05)
    control = NormalIndPower().solve_power(effect_size=h, alpha=0.025, power=0.8, ratio=0.5)
    # The variants get half the control's traffic: control_n for ratio 0.5, each variant half of it.
    assert planned.needed == (math.ceil(control), math.ceil(control / 2), math.ceil(control / 2))
    assert planned.comparisons == 2 and planned.alpha_each == 0.025


@pytest.mark.parametrize("count,nobs", [(0, 10), (1, 10), (5, 10), (10, 10), (330, 10_000), (7, 1_000_000)])
@pytest.mark.parametrize("alpha", [0.05, 0.01, 0.2])
def test_wilson_interval_matches_proportion_confint(count: int, nobs: int, alpha: float) -> None:
    low, high = ab_stats.wilson_interval(count, nobs, alpha=alpha)
    ref_low, ref_high = proportion_confint(count, nobs, alpha=alpha, method="wilson")
    assert close(low, ref_low) and close(high, ref_high)


counts = st.integers(min_value=1, max_value=2_000_000).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
)


@settings(max_examples=300, deadline=None)
@given(counts, counts)
def test_ztest_and_intervals_match_statsmodels_for_any_counts(a: tuple[int, int], b: tuple[int, int]) -> None:
    (c1, n1), (c2, n2) = a, b
    pooled = (c1 + c2) / (n1 + n2)
    if pooled in (0.0, 1.0):
        with pytest.raises(StatsError):
            ab_stats.ztest(c1, n1, c2, n2)
    else:
        z, p = ab_stats.ztest(c1, n1, c2, n2)
        ref_z, ref_p = proportions_ztest([c1, c2], [n1, n2])
        assert close(z, ref_z) and close(p, ref_p)
    low, high = ab_stats.newcombe_interval(c1, n1, c2, n2)
    ref_low, ref_high = confint_proportions_2indep(c1, n1, c2, n2, compare="diff", method="newcomb")
    assert close(low, ref_low) and close(high, ref_high)
    r_low, r_high = ab_stats.ratio_interval(c1, n1, c2, n2)
    ref_r_low, ref_r_high = confint_proportions_2indep(c1, n1, c2, n2, compare="ratio", method="log-adjusted")
    assert close(r_low, ref_r_low) and close(r_high, ref_r_high)


@pytest.mark.parametrize("df", range(1, 12))
@pytest.mark.parametrize("x", [1e-6, 0.3, 1.0, 3.84, 11.24, 25.0, 80.0, 400.0])
def test_chi2_tail_matches_scipy(df: int, x: float) -> None:
    assert close(ab_stats.chi2_sf(x, df), stats.chi2.sf(x, df))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=5_000_000), min_size=2, max_size=6),
    st.data(),
)
def test_srm_matches_scipy_chisquare(observed: list[int], data: st.DataObject) -> None:
    weights = data.draw(st.lists(st.integers(min_value=1, max_value=9), min_size=len(observed), max_size=len(observed)))
    chi2, p = ab_stats.srm_test(observed, weights)
    total = sum(observed)
    expected = [total * w / sum(weights) for w in weights]
    ref = stats.chisquare(observed, expected)
    assert close(chi2, ref.statistic) and close(p, ref.pvalue)


@settings(max_examples=15, deadline=None)  # multipletests takes ~80 ms a call here
@given(st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=8))
def test_holm_matches_multipletests(pvalues: list[float]) -> None:
    reference = multipletests(pvalues, method="holm")[1]
    assert all(close(a, b) for a, b in zip(ab_stats.holm(pvalues), reference, strict=True))


def test_holm_by_hand() -> None:
    # Sorted 0.01, 0.03, 0.04, 0.2 → ×4, ×3, ×2, ×1 = 0.04, 0.09, 0.08 → 0.09 (monotone), 0.2
    assert ab_stats.holm([0.01, 0.04, 0.03, 0.2]) == pytest.approx([0.04, 0.09, 0.09, 0.2], abs=1e-15)


# --- undefined figures are refused, never NaN ------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: ab_stats.ztest(0, 100, 0, 100),  # nobody converted
        lambda: ab_stats.ztest(100, 100, 50, 50),  # everybody converted
        lambda: ab_stats.ztest(3, 0, 1, 10),  # no visitors
        lambda: ab_stats.wilson_interval(11, 10),  # more conversions than visitors
        lambda: ab_stats.wilson_interval(-1, 10),
        lambda: ab_stats.srm_test([0, 0], [1, 1]),
        lambda: ab_stats.srm_test([10], [1]),
        lambda: ab_stats.plan(baseline=0.0, mde=0.1, relative=True, alpha=0.05, power=0.8, weights=[1, 1]),
        lambda: ab_stats.plan(baseline=0.95, mde=0.1, relative=True, alpha=0.05, power=0.8, weights=[1, 1]),
        lambda: ab_stats.plan(baseline=0.03, mde=0.0, relative=True, alpha=0.05, power=0.8, weights=[1, 1]),
        lambda: ab_stats.plan(baseline=0.03, mde=0.1, relative=True, alpha=0.05, power=0.8, weights=[1]),
    ],
)
def test_degenerate_input_raises_a_stats_error(call) -> None:
    with pytest.raises(StatsError):
        call()
