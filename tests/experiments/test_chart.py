"""The chart's numbers (cumulative rate and its band per arm) worked by hand, and the PNG it draws."""

from __future__ import annotations

from datetime import date

import pytest
from statsmodels.stats.proportion import proportion_confint

from bot.render.charts.conversion import ConversionLabels, chart_png, cumulative
from models.experiments.result import DayPoint

D1, D2, D3 = date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)
SERIES = [
    DayPoint(D1, "control", 100, 3),
    DayPoint(D1, "variant", 100, 5),
    DayPoint(D2, "control", 200, 4),  # variant has no row on day 2: its line carries on
    DayPoint(D3, "control", 100, 1),
    DayPoint(D3, "variant", 300, 10),
]


def test_cumulative_rates_carry_forward_over_missing_days() -> None:
    lines = cumulative(SERIES, ["control", "variant"], 0.05)
    assert [(d, round(r, 6)) for d, r, _, _ in lines["control"]] == [(D1, 0.03), (D2, round(7 / 300, 6)), (D3, 0.02)]
    assert [(d, round(r, 6)) for d, r, _, _ in lines["variant"]] == [(D1, 0.05), (D2, 0.05), (D3, 0.0375)]
    low, high = proportion_confint(15, 400, alpha=0.05, method="wilson")
    assert lines["variant"][-1][2:] == pytest.approx((low, high), rel=1e-9)


EN = ConversionLabels("EXP-1: cumulative conversion", "Day", "Conversion (cumulative)", "EXP-1")
ZH = ConversionLabels("EXP-1：累计转化率", "日期", "累计转化率", "EXP-1")


def test_the_chart_is_a_png_drawn_once_per_data_version_and_language() -> None:
    first = chart_png(("test", 1), SERIES, arms=["control", "variant"], alpha=0.05, labels=EN)
    assert first.startswith(b"\x89PNG\r\n\x1a\n") and len(first) > 5_000
    assert chart_png(("test", 1), [], arms=["control"], alpha=0.05, labels=EN) is first
    assert chart_png(("test", 2), SERIES[:2], arms=["control", "variant"], alpha=0.05, labels=EN) != first
    chinese = chart_png(("test", 1), SERIES, arms=["control", "variant"], alpha=0.05, labels=ZH)
    assert chinese != first


def test_the_difference_band_is_the_readouts_interval_and_the_plan_day_is_marked() -> None:
    from bot.render.charts.conversion import Plan, differences
    from models.experiments.readout import ArmCounts, read

    plan = Plan((300, 200), "fixed", (1.0, 1.0))
    diffs, reached = differences(SERIES, ["control", "variant"], alpha=0.05, plan=plan)
    # cumulative on day 2: control 300 / 7 (its plan), variant 100 / 5 (no row that day, below its 200);
    # day 3: control 400 / 8, variant 400 / 15 — every arm has its planned users from day 3
    assert reached == D3
    for day, (v_c, v_v) in ((D1, ((100, 3), (100, 5))), (D3, ((400, 8), (400, 15)))):
        expected = read([ArmCounts("control", *v_c), ArmCounts("variant", *v_v)], weights=[1, 1], needed=[300, 200],
                        alpha=0.05, method="fixed").comparisons[0]  # fmt: skip
        point = next(p for p in diffs["variant"] if p[0] == day)
        assert point[1:] == pytest.approx((expected.diff, expected.diff_low, expected.diff_high), rel=1e-12)
    png = chart_png(("test", 3), SERIES, arms=["control", "variant"], alpha=0.05, labels=EN, plan=plan)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
