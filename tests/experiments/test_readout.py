"""The verdict, in the order it is judged: broken input, SRM, planned sample, significance (Holm)."""

from __future__ import annotations

import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest

from models.experiments.readout import ArmCounts, Problem, Verdict, read

NEEDED = [53_182, 53_182]


def two(control: tuple[int, int], variant: tuple[int, int], *, needed=NEEDED, weights=(1, 1)):
    arms = [ArmCounts("control", *control), ArmCounts("variant", *variant)]
    return read(arms, weights=list(weights), needed=list(needed), alpha=0.05)


def test_before_the_planned_sample_the_verdict_is_keep_running_even_when_p_is_small() -> None:
    readout = two((20_000, 600), (20_000, 700))
    [comparison] = readout.comparisons
    assert comparison.p < 0.01 and comparison.significant
    assert readout.verdict is Verdict.KEEP_RUNNING
    assert readout.early_significant and not readout.reached
    assert readout.progress == pytest.approx(20_000 / 53_182)
    assert not readout.decidable


def test_a_significant_win_at_the_planned_sample() -> None:
    readout = two((53_200, 1_600), (53_300, 1_760))
    assert readout.verdict is Verdict.WIN and readout.lead == "variant" and readout.decidable
    [c] = readout.comparisons
    _, p = proportions_ztest([1_760, 1_600], [53_300, 53_200])
    assert c.p == pytest.approx(p, rel=1e-9)
    assert c.diff == pytest.approx(1_760 / 53_300 - 1_600 / 53_200)


def test_a_significant_loss_at_the_planned_sample() -> None:
    readout = two((53_200, 1_760), (53_300, 1_600))
    assert readout.verdict is Verdict.LOSS and readout.lead == "variant"


def test_no_detectable_effect_at_the_planned_sample() -> None:
    readout = two((53_200, 1_600), (53_300, 1_620))
    assert readout.verdict is Verdict.NO_EFFECT and readout.decidable


def test_srm_outranks_everything_else() -> None:
    readout = two((44_000, 1_320), (45_000, 1_500))
    assert readout.verdict is Verdict.SRM
    assert readout.srm_p == pytest.approx(0.0008022781177678721, rel=1e-9)
    assert readout.decidable  # a verdict: investigate (the card offers Stop only)


def test_srm_is_judged_against_the_planned_split_not_an_even_one() -> None:
    readout = two((60_000, 1_800), (40_000, 1_200), weights=(60, 40), needed=[60_000, 40_000])
    assert readout.srm_p == pytest.approx(1.0)
    assert readout.verdict is Verdict.NO_EFFECT


def test_three_arms_are_holm_corrected() -> None:
    arms = [ArmCounts("control", 70_000, 2_100), ArmCounts("B", 70_000, 2_250), ArmCounts("C", 70_000, 2_190)]
    readout = read(arms, weights=[1, 1, 1], needed=[64_404] * 3, alpha=0.05)
    raw = [proportions_ztest([c, 2_100], [70_000, 70_000])[1] for c in (2_250, 2_190)]
    adjusted = multipletests(raw, method="holm")[1]
    assert [c.p for c in readout.comparisons] == pytest.approx(raw, rel=1e-9)
    assert [c.p_adjusted for c in readout.comparisons] == pytest.approx(list(adjusted), rel=1e-9)
    assert readout.corrected
    # B: raw p ≈ 0.019, Holm ≈ 0.038 < 0.05 → a win; C: raw ≈ 0.16 → not significant.
    assert [c.significant for c in readout.comparisons] == [True, False]
    assert readout.verdict is Verdict.WIN and readout.lead == "B"


def test_holm_can_take_away_a_raw_significance() -> None:
    # Raw p ≈ 0.031 and 0.042, both below 0.05; Holm: 2 × 0.031 = 0.062, then max(0.062, 0.042) → neither.
    arms = [ArmCounts("control", 70_000, 2_100), ArmCounts("B", 70_000, 2_240), ArmCounts("C", 70_000, 2_232)]
    readout = read(arms, weights=[1, 1, 1], needed=[64_404] * 3, alpha=0.05)
    assert [round(c.p, 3) for c in readout.comparisons] == [0.031, 0.042]
    assert [round(c.p_adjusted, 3) for c in readout.comparisons] == [0.062, 0.062]
    assert readout.verdict is Verdict.NO_EFFECT


@pytest.mark.parametrize(
    "control,variant,problem,arms",
    [
        ((0, 0), (0, 0), Problem.NO_DATA, ()),
        ((1_000, 30), (0, 0), Problem.ONE_ARM, ("control",)),
        ((1_000, 0), (1_000, 0), Problem.NO_CONVERSIONS, ("control", "variant")),
        ((1_000, 1_000), (900, 900), Problem.ALL_CONVERTED, ("control", "variant")),
        ((1_000, 1_001), (1_000, 3), Problem.BAD_COUNTS, ("control",)),
        ((-5, 0), (1_000, 3), Problem.BAD_COUNTS, ("control",)),
    ],
)
def test_degenerate_counts_are_named_not_computed(control, variant, problem, arms) -> None:
    readout = two(control, variant)
    assert readout.verdict is Verdict.NOT_READY
    assert readout.problem is problem and readout.problem_arms == arms
    assert readout.comparisons == () and not readout.decidable


def test_a_variant_with_conversions_against_a_control_without_has_no_relative_lift() -> None:
    readout = two((60_000, 0), (60_000, 12))
    [c] = readout.comparisons
    assert c.relative is None and c.relative_low is None
    assert c.diff == pytest.approx(12 / 60_000)
    assert readout.verdict in (Verdict.WIN, Verdict.NO_EFFECT)
