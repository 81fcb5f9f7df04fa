"""The always-valid interval of models/experiments/sequential.py against an independent implementation
(savvi, Lindon et al. 2024, whose mixture Bayes factor is the same normal mixture in its t form), a
worked example of the paper's formula, and its coverage by seeded simulation: A/A tests read every
day for 30 days, and read after two extensions, stay at or below α + 1 pp; a fixed-horizon test read
the same way does not."""

from __future__ import annotations

import math

import numpy as np
import pytest
from savvi.linear_regression import LinearRegression, log_bf
from scipy import stats

from models.experiments import sequential
from models.experiments.readout import ArmCounts, Method, Outcome, read

ALPHA = 0.05
NU = 1e9  # savvi's degrees of freedom, large enough for its t form to be the normal form


def test_the_worked_example_of_the_formula() -> None:
    # Waudby-Smith et al. Theorem 2.2 with α = 0.05, tuned for N* = 10,000, read at N = 10,000, σ̂ = 1:
    #   ρ² = (−2 ln 0.05 + ln(−2 ln 0.05 + 1)) / 10,000 = (5.991465 + 1.944694) / 10,000 = 7.936159e-4
    #   Nρ² + 1 = 8.936159
    #   half-width = √( 2 · 8.936159 / (10,000² · 7.936159e-4) · ln(√8.936159 / 0.05) )
    #              = √( 2.252013e-4 · ln(59.78681) ) = √( 2.252013e-4 · 4.090784 ) = 0.030352
    # against 1.96 / √10,000 = 0.0196 for one fixed-horizon look.
    assert sequential.rho_squared(alpha=0.05, planned_n=10_000) == pytest.approx(7.936159e-4, rel=1e-6)
    width = sequential.half_width(1.0 / 10_000, 10_000, alpha=0.05, planned_n=10_000)
    assert width == pytest.approx(0.030352, rel=1e-4)


@pytest.mark.parametrize("n,planned", [(1_000, 10_000), (10_000, 10_000), (250_000, 100_000)])
@pytest.mark.parametrize("alpha", [0.1, 0.05, 0.01])
def test_the_interval_ends_where_savvis_mixture_bayes_factor_reaches_one_over_alpha(n, planned, alpha) -> None:
    # A two-arm comparison of n observations in all, balanced; savvi's regression form with the design
    # information z² = n/4 and the prior scale φ that gives the same normal mixture: z²/φ = nρ².
    variance = 0.03 * 0.97 * 4 / n  # of the difference of two rates near 3 %
    rho2 = sequential.rho_squared(alpha=alpha, planned_n=planned)
    z2 = n / 4
    phi = z2 / (n * rho2)
    width = sequential.half_width(variance, n, alpha=alpha, planned_n=planned)
    t2 = width**2 / variance
    # with a very large ν the t form is the normal form (to ~1e-7 at ν = 1e9); at the interval's end BF = 1/α
    assert math.exp(-log_bf(np.array([t2]), NU, phi, np.array([z2]))[0]) == pytest.approx(alpha, rel=1e-6)
    # and the always-valid p at any difference is savvi's 1 / Bayes factor
    for diff in (0.0, width / 2, width, 2 * width):
        ours = sequential.p_value(diff, variance, n, alpha=alpha, planned_n=planned)
        theirs = min(1.0, math.exp(-log_bf(np.array([diff**2 / variance]), NU, phi, np.array([z2]))[0]))
        assert ours == pytest.approx(theirs, rel=1e-6, abs=1e-12)


def test_savvi_on_the_raw_observations_agrees_with_the_interval_from_sums() -> None:
    # 3,000 visitors an arm, 0/1 conversions: savvi fits y ~ 1 + variant observation by observation.
    rng = np.random.default_rng(15)
    control = rng.binomial(1, 0.10, 3_000)
    variant = rng.binomial(1, 0.13, 3_000)
    n = control.size + variant.size
    planned = 6_000
    rho2 = sequential.rho_squared(alpha=ALPHA, planned_n=planned)
    model = LinearRegression(alpha=ALPHA, p=2, phi=(n / 4) / (n * rho2))
    order = rng.permutation(n)
    rows = np.column_stack([np.concatenate([control, variant]), np.ones(n), np.r_[np.zeros(3_000), np.ones(3_000)]])
    for row in rows[order]:
        model.update(row)
    low, high = model.calculate_conf_int()[1]
    arms = [ArmCounts("control", 3_000, int(control.sum())), ArmCounts("variant", 3_000, int(variant.sum()))]
    [ours] = read(arms, weights=[1, 1], needed=[3_000, 3_000], alpha=ALPHA).comparisons
    # savvi pools the two arms' variance and uses the t form (ν ≈ 6,000): the same to within 1 %
    assert ours.diff == pytest.approx(float(model.beta[1]), rel=1e-6)
    assert ours.diff_low == pytest.approx(low, rel=0.01) and ours.diff_high == pytest.approx(high, rel=0.01)


# --- coverage by simulation ---------------------------------------------------------------------

SIMULATIONS = 4_000
BASELINE = 0.03
PER_ARM_PER_DAY = 2_000


def daily_counts(rng: np.random.Generator, days: int, lift: float = 0.0) -> tuple[np.ndarray, ...]:
    """Cumulative visitors and conversions per arm for each simulated experiment and day."""
    visitors = np.cumsum(np.full((SIMULATIONS, days), PER_ARM_PER_DAY), axis=1)
    control = np.cumsum(rng.binomial(PER_ARM_PER_DAY, BASELINE, (SIMULATIONS, days)), axis=1)
    variant = np.cumsum(rng.binomial(PER_ARM_PER_DAY, BASELINE * (1 + lift), (SIMULATIONS, days)), axis=1)
    return visitors, control, variant


def excludes_zero(visitors, control, variant, *, sequential_method: bool, planned_n: float) -> np.ndarray:
    """Per look: does the interval the readout would draw exclude zero? (The same formulas, vectorised.)"""
    p1, p2 = variant / visitors, control / visitors
    variance = p1 * (1 - p1) / visitors + p2 * (1 - p2) / visitors
    diff = p1 - p2
    if sequential_method:
        n = 2.0 * visitors
        rho2 = sequential.rho_squared(alpha=ALPHA, planned_n=planned_n)
        grown = n * rho2 + 1
        width = np.sqrt(variance * n * 2 * grown / (n * n * rho2) * np.log(np.sqrt(grown) / ALPHA))
    else:
        width = stats.norm.isf(ALPHA / 2) * np.sqrt(variance)
    return np.abs(diff) > width


def test_the_vectorised_decision_is_the_readouts() -> None:
    visitors, control, variant = (np.array([[20_000]]), np.array([[600]]), np.array([[760]]))
    for method in Method:
        fast = excludes_zero(visitors, control, variant, sequential_method=method is Method.SEQUENTIAL,
                             planned_n=40_000)[0, 0]  # fmt: skip
        arms = [ArmCounts("control", 20_000, 600), ArmCounts("variant", 20_000, 760)]
        [c] = read(arms, weights=[1, 1], needed=[20_000, 20_000], alpha=ALPHA, method=method).comparisons
        assert bool(fast) == (c.outcome is not Outcome.FLAT)


def test_an_aa_test_read_every_day_for_30_days_keeps_its_false_positive_rate() -> None:
    rng = np.random.default_rng(20260315)
    visitors, control, variant = daily_counts(rng, 30)
    planned = 2.0 * PER_ARM_PER_DAY * 10  # the plan is reached on day 10
    always = excludes_zero(visitors, control, variant, sequential_method=True, planned_n=planned).any(axis=1)
    assert always.mean() <= ALPHA + 0.01
    # the fixed-horizon test: valid once, at day 10; read daily from day 10 to 20 it is not
    fixed = excludes_zero(visitors, control, variant, sequential_method=False, planned_n=planned)
    assert fixed[:, 9].mean() <= ALPHA + 0.01
    assert fixed[:, 9:20].any(axis=1).mean() > ALPHA + 0.03


def test_an_aa_test_extended_twice_keeps_its_false_positive_rate() -> None:
    rng = np.random.default_rng(20260316)
    visitors, control, variant = daily_counts(rng, 23)
    looks = [9, 14, 22]  # the plan on day 10, then ×1.5 (day 15) and ×1.5 again (day 23)
    planned = 2.0 * PER_ARM_PER_DAY * 10
    always = excludes_zero(visitors, control, variant, sequential_method=True, planned_n=planned)[:, looks]
    assert always.any(axis=1).mean() <= ALPHA + 0.01
    fixed = excludes_zero(visitors, control, variant, sequential_method=False, planned_n=planned)[:, looks]
    assert fixed.any(axis=1).mean() > ALPHA + 0.02


def test_a_true_ten_percent_lift_is_found_by_the_planned_sample_most_of_the_time() -> None:
    # planned for 80 % power at +10 % (models.experiments.stats.plan(sequential=True)): 101,888 an arm
    rng = np.random.default_rng(20260317)
    days = math.ceil(101_888 / PER_ARM_PER_DAY)
    visitors, control, variant = daily_counts(rng, days, lift=0.10)
    found = excludes_zero(visitors, control, variant, sequential_method=True, planned_n=2.0 * 101_888)
    assert found.any(axis=1).mean() >= 0.75  # the exact figure is in docs/experiments.md (bench script)
