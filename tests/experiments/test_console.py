"""/exp through the real console: plans, typed results, CSV files from disk, the chart, decisions."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from models.audit import AuditEntry
from models.experiments.experiment import Experiment
from models.experiments.result import ExperimentDaily, ExperimentTotal
from models.requirements.requirement import Requirement
from tests.experiments.data import daily_csv
from tests.support.console import ConsoleDriver

PLAN = "/exp add DE title test metric=conversion market=DE baseline=3% mde=10% traffic=4000/day method=fixed"
NOT_A_NUMBER = re.compile(r"\b(nan|inf|NaN|Infinity)\b")


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # files the console saves (charts) and reads (CSVs) live here


def one(engine) -> Experiment:
    with Session(engine) as db:
        return db.exec(select(Experiment)).one()


def count(engine, table) -> int:
    with Session(engine) as db:
        return db.exec(select(func.count()).select_from(table)).one()


def test_add_answers_with_the_plan_and_stores_it(console: ConsoleDriver, engine) -> None:
    console.send("/req add Localised DE titles market=DE")
    out = console.send(PLAN + " req=REQ-1")
    assert "EXP-1 planned." in out
    assert "Baseline 3.00% → 3.30% (10.0% relative), α 0.05 two-sided" in out
    assert "Needs 53,182 per arm, 106,364 in total, for 80% power" in out
    assert "About 27 days at 4,000 visitors a day" in out  # 106,364 / 4,000 = 26.6
    assert "REQ-1" in out
    item = one(engine)
    assert (item.key, item.status, item.markets, item.baseline, item.mde, item.mde_relative) == (
        "EXP-1", "draft", "DE", 0.03, 0.1, True,
    )  # fmt: skip
    assert (item.arms, item.split, item.needed, item.traffic_per_day) == (
        ["control", "variant"], [1.0, 1.0], [53_182, 53_182], 4000,
    )  # fmt: skip
    with Session(engine) as db:
        assert db.exec(select(Requirement.id)).one() == item.requirement_id
        [entry] = db.exec(select(AuditEntry).where(AuditEntry.entity == "experiment")).all()
    assert entry.action == "create" and entry.changes["baseline"] == [None, 0.03]


def test_three_arms_uneven_split_and_absolute_mde(console: ConsoleDriver, engine) -> None:
    out = console.send('/exp add "Free shipping banner" metric=add_to_cart baseline=0.05 mde=0.4pp split=50/25/25')
    assert "Baseline 5.00% → 5.40% (0.40 pp absolute)" in out
    assert "Split 50/25/25 (control / B / C)" in out
    assert "2 variants against control: each planned and read at α 0.025 (Bonferroni)" in out
    assert "Always-valid (sequential) reading: may be read at every look" in out
    item = one(engine)
    assert item.arms == ["control", "B", "C"] and item.mde_relative is False
    assert item.needed[1] == item.needed[2] and item.needed[0] == pytest.approx(2 * item.needed[1], abs=1)


@pytest.mark.parametrize(
    "line,message",
    [
        ("/exp add x baseline=3% mde=10%", "metric: this field is required"),
        ("/exp add metric=cr baseline=3% mde=10%", "name: this field is required"),
        ("/exp add x metric=cr baseline=150% mde=10%", "150% is not a rate between 0% and 100%"),
        ("/exp add x metric=cr baseline=3% mde=0", "0 is not a change above zero"),
        ("/exp add x metric=cr baseline=3% mde=-5%", "-5% is not a number I can read"),
        ("/exp add x metric=cr baseline=95% mde=10%", "That plan cannot work"),
        ("/exp add x metric=cr baseline=3% mde=10% alpha=0.5", "0.5 must lie between 0.1% and 20%"),
        ("/exp add x metric=cr baseline=3% mde=10% split=50/50/0", "50/50/0 is not a split"),
        ("/exp add x metric=cr baseline=3% mde=10% split=50/50 variants=3", "the split has 2 parts but variants=3"),
        ("/exp add x metric=cr baseline=3% mde=10% req=REQ-9", "REQ-9 does not exist in this workspace"),
        ("/exp add x metric=cr baseline=3% mde=10% traffic=lots", "lots is not visitors per day"),
        ("/exp add x metric=cr baseline=3% mde=0.3pp mde_type=relative", "is in percentage points"),
    ],
)
def test_bad_plans_are_refused_with_a_reason_and_nothing_is_stored(console: ConsoleDriver, engine, line, message):
    out = console.send(line)
    assert message in out, out
    assert "Usage: /exp add" in out
    assert count(engine, Experiment) == 0


def test_typed_results_give_the_issue_reference_figures(console: ConsoleDriver, engine) -> None:
    console.send(PLAN)
    out = console.send("/exp result EXP-1 control=10000/330 variant=10000/300")
    assert "Results recorded for EXP-1 (all markets): control, variant." in out
    assert "EXP-1 is running." in out
    assert "control: 3.30% (95% interval 2.97% – 3.67%) · 330 / 10,000" in out
    # control 330 vs variant 300: the Wald interval of variant − control (statsmodels
    # confint_proportions_2indep(300, 10000, 330, 10000, method="wald")) is −0.784 to +0.184 pp, p = 0.2245.
    assert "variant vs control: -0.30 pp, 95% fixed-horizon interval -0.78 to +0.18 pp" in out
    assert "p = 0.225 · flat (no detectable difference)" in out
    assert "Keep running." in out
    assert "reading now inflates false positives" in out
    assert "about 22 more days at the planned traffic" in out  # (53,182 − 10,000) / 2,000 a day
    assert one(engine).status == "running"


def test_a_broken_split_says_srm_and_dont_trust(console: ConsoleDriver) -> None:
    console.send(PLAN)
    out = console.send("/exp result EXP-1 control=44000/1320 variant=45000/1500")
    assert "Sample ratio mismatch — investigate. Don't trust these numbers (p = 0.0008)." in out
    assert "χ² = 11.24" in out
    assert "[1] Stop" in out and "Ship" not in out


@pytest.mark.parametrize(
    "numbers,message",
    [
        ("control=0/0 variant=100/3", "an arm with no visitors has nothing to record yet"),
        ("control=300/330 variant=100/3", "330 conversions out of 300 visitors (write visitors/conversions)"),
        ("control=-5/3 variant=100/3", "counts cannot be negative"),
        ("control=ten/3 variant=100/3", "is not visitors/conversions"),
        ("control=100/3 d=100/3", "d is not an arm of EXP-1. Its arms: control, variant."),
        ("control=100/3 a=100/3", "control is given twice"),
    ],
)
def test_bad_counts_are_refused(console: ConsoleDriver, engine, numbers, message) -> None:
    console.send(PLAN)
    out = console.send(f"/exp result EXP-1 {numbers}")
    assert message in out, out
    assert count(engine, ExperimentTotal) == 0
    assert one(engine).data_version == 0


@pytest.mark.parametrize(
    "numbers,message",
    [
        ("control=1000/30", "Only control has data: a comparison needs at least two arms."),
        ("control=1000/0 variant=1000/0", "No conversions yet in control, variant: both rates are 0%"),
        ("control=1000/1000 variant=900/900", "Every visitor converted in control, variant: both rates are 100%"),
    ],
)
def test_degenerate_readings_are_explained_never_nan(console: ConsoleDriver, numbers, message) -> None:
    console.send(PLAN)
    out = console.send(f"/exp result EXP-1 {numbers}") + console.send("/exp status EXP-1")
    assert message in out
    assert not NOT_A_NUMBER.search(out), out


def test_zero_percent_control_against_converting_variant_shows_no_relative_lift(console: ConsoleDriver) -> None:
    console.send(PLAN)
    out = console.send("/exp result EXP-1 control=60000/0 variant=60000/15")
    assert "relative — (control has no conversions)" in out
    assert not NOT_A_NUMBER.search(out)


def test_a_win_at_the_planned_sample_offers_decisions_to_an_admin(console: ConsoleDriver, engine) -> None:
    console.send("/req add Localised DE titles market=DE")
    console.send("/req status REQ-1 triaged")
    console.send("/req status REQ-1 approved")
    console.send(PLAN + " req=REQ-1")
    started = console.send("/exp start EXP-1")
    assert "EXP-1 is running." in started and "REQ-1 moved to in progress." in started
    out = console.send("/exp result EXP-1 control=53200/1600 variant=53300/1760")
    assert "Significant win for variant: +0.29 pp (+9.8%), p = 0.006." in out
    assert "[1] Ship  [2] Stop  [3] Extend" in out
    shipped = console.send("1")
    assert "EXP-1 shipped." in shipped and "REQ-1 moved to shipped." in shipped
    assert "Shipped on" in shipped
    item = one(engine)
    assert (item.status, item.decision) == ("shipped", "ship")
    with Session(engine) as db:
        assert db.exec(select(Requirement.status)).one() == "shipped"
        actions = db.exec(select(AuditEntry.action).where(AuditEntry.entity == "experiment")).all()
    assert actions == ["create", "status", "result", "decision"]
    again = console.send("1")  # the same button pressed again
    assert "changed since this card was drawn" in again
    assert "[1]" not in again  # a decided card has no buttons


def test_an_illegal_requirement_move_is_said_on_the_card(console: ConsoleDriver, engine) -> None:
    console.send("/req add Localised DE titles market=DE")  # stays new
    console.send(PLAN + " req=REQ-1")
    console.send("/exp result EXP-1 control=53200/1600 variant=53300/1760")
    out = console.send("1")
    assert "EXP-1 shipped." in out
    assert "REQ-1 is new, and shipped is not a next step from there: move it by hand with /req status." in out
    with Session(engine) as db:
        assert db.exec(select(Requirement.status)).one() == "new"


def test_only_approvers_decide(console: ConsoleDriver, engine) -> None:
    console.send(PLAN)
    console.as_user("li")
    out = console.send("/exp result EXP-1 control=53200/1600 variant=53300/1760")
    assert "[1] Ship" in out
    refused = console.send("1")
    assert "Only approvers and admins decide experiments." in refused
    assert one(engine).decision is None
    console.as_user("mei").send("/pm role @li approver")  # mei, the first user, is the admin
    console.as_user("li").send("/exp status EXP-1")
    assert "EXP-1 stopped" in console.send("2")
    assert one(engine).status == "stopped"


def test_extend_raises_the_planned_sample_by_half_and_the_verdict_goes_back_to_running(console: ConsoleDriver, engine):
    console.send(PLAN)
    console.send("/exp result EXP-1 control=53200/1600 variant=53300/1620")
    out = console.send("3")
    assert "EXP-1 extended: it now needs 79,773 per arm." in out
    assert "Keep running." in out and "Extended 1×" in out
    item = one(engine)
    assert item.needed == [79_773, 79_773] and item.extensions == 1 and item.decision is None


def test_a_csv_from_disk_is_imported_with_slices_and_a_chart(console: ConsoleDriver, engine, tmp_path: Path) -> None:
    console.send("/exp add Title test metric=conversion baseline=3% mde=10% method=fixed")
    Path("daily.csv").write_text(daily_csv(days=20))
    out = console.send("/exp result EXP-1 file=./daily.csv")
    assert "EXP-1: 120 rows from daily.csv (20 days, 3 markets)." in out
    assert "From 20 days of daily rows (2026-03-01 – 2026-03-20)" in out
    # Wilson 900/30,000 and the Wald test 340 vs 300 of 10,000 per market, as statsmodels gives them.
    assert "control: 3.00% (95% interval 2.81% – 3.20%) · 900 / 30,000" in out
    assert "By market:" in out and "DE (20,000): control 3.00%, variant 3.40% (+0.40 pp, p = 0.108)" in out
    assert "a low p in one market is a hint to test there, not a result" in out
    assert "(3 markets × 1 variant = 3 comparisons)" in out and "a market would need p below 0.01667" in out
    assert "about 16 more days at the traffic so far" in out  # (53,182 − 30,000) / 1,500 a day = 15.5
    png = (tmp_path / "tradewind-files" / "EXP-1.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert count(engine, ExperimentDaily) == 120
    again = console.send("/exp result EXP-1 file=daily.csv")  # the same days again replace, not add
    assert "EXP-1: 120 rows from daily.csv" in again and "lines unchanged" in again  # so nothing is reprinted
    assert "control: 3.00% (95% interval 2.81% – 3.20%) · 900 / 30,000" in console.send("full")
    assert count(engine, ExperimentDaily) == 120
    refused = console.send("/exp result EXP-1 control=100/3 variant=100/4")
    assert "reads daily rows from a CSV" in refused


def test_a_market_status_reads_one_slice_with_a_caution(console: ConsoleDriver) -> None:
    console.send("/exp add Title test metric=conversion baseline=3% mde=10%")
    Path("daily.csv").write_text(daily_csv(days=20))
    console.send("/exp result EXP-1 file=daily.csv")
    out = console.send("/exp status EXP-1 market=JP")
    assert "Market JP only" in out
    assert "control: 3.00% (95% interval 2.68% – 3.35%) · 300 / 10,000" in out
    assert "JP alone: Keep running. A single market is a slice of the plan" in out
    assert "[1]" not in out  # no decisions on a slice


def test_a_bad_csv_is_refused_by_line_and_nothing_is_stored(console: ConsoleDriver, engine) -> None:
    console.send(PLAN)
    Path("bad.csv").write_text(daily_csv(days=2) + "2026-03-05,variant,DE,100,300\n2026-03-06,ctl,DE,x,1\n")
    out = console.send("/exp result EXP-1 file=bad.csv")
    assert "Nothing from bad.csv was stored for EXP-1:" in out
    assert "line 14: 300 conversions out of 100 visitors" in out
    assert "line 15: ctl is not an arm of this experiment (control, variant)" in out
    assert "line 15: visitors x is not a whole number of 0 or more" in out
    assert count(engine, ExperimentDaily) == 0
    assert one(engine).status == "draft"
    assert "There is no file at missing.csv." in console.send("/exp result EXP-1 file=missing.csv")


def test_result_alone_asks_for_a_file_in_the_console(console: ConsoleDriver, engine) -> None:
    console.send(PLAN)
    Path("daily.csv").write_text(daily_csv(days=3, markets=("DE",)))
    out = console.send("/exp result EXP-1", "daily.csv")
    assert "CSV of daily rows for EXP-1" in out
    assert "EXP-1: 6 rows from daily.csv (3 days, 1 market)." in out
    assert count(engine, ExperimentDaily) == 6


def test_list_filters_by_status_and_market(console: ConsoleDriver) -> None:
    console.send(PLAN)
    console.send("/exp add JP image test metric=conversion market=JP,KR baseline=2% mde=15%")
    console.send("/exp start EXP-2")
    out = console.send("/exp list")
    assert out.index("EXP-2") < out.index("EXP-1")
    assert "EXP-1" not in console.send("/exp list status=running")
    listed = console.send("/exp list market=KR")
    assert "EXP-2" in listed and "EXP-1" not in listed
    assert "No experiments match." in console.send("/exp list market=US")


def test_chinese_readers_get_chinese(console: ConsoleDriver) -> None:
    console.send("/pm lang zh")
    out = console.send(PLAN)
    assert "已创建实验计划 EXP-1" in out and "每组需 53,182，共 106,364，统计功效 80%" in out
    out = console.send("/exp result EXP-1 control=44000/1320 variant=45000/1500")
    assert "样本比例失衡（SRM），请排查。这些数字不可信（p = 0.0008）。" in out
    assert "[1] 停止" in out


def test_json_columns_round_trip(engine, console: ConsoleDriver) -> None:
    console.send(PLAN)
    with Session(engine) as db:
        raw = db.connection().exec_driver_sql("SELECT arms, needed FROM experiment").one()
    assert [json.loads(v) if isinstance(v, str) else v for v in raw] == [["control", "variant"], [53_182, 53_182]]


def test_sequential_is_the_default_and_decides_when_its_interval_excludes_zero(console: ConsoleDriver, engine):
    out = console.send("/exp add Title test metric=conversion baseline=3% mde=10%")
    assert "Always-valid (sequential) reading: may be read at every look" in out
    assert "Needs 101,888 per arm" in out  # 80 % power for the always-valid interval at its planned sample
    assert one(engine).method == "sequential"
    early = console.send("/exp result EXP-1 control=20000/600 variant=20000/700")
    assert "95% always-valid interval" in early and "Keep running." in early
    assert "reading now inflates false positives" not in early  # an always-valid interval may be read
    win = console.send("/exp result EXP-1 control=20000/600 variant=20000/760")
    assert "Significant win for variant" in win and "[1] Ship" in win


def test_the_interval_label_shows_the_real_level(console: ConsoleDriver) -> None:
    console.send("/exp add Title test metric=conversion baseline=3% mde=10% alpha=0.10 method=fixed")
    out = console.send("/exp result EXP-1 control=10000/330 variant=10000/300")
    assert "control: 3.30% (90% interval" in out and "90% fixed-horizon interval" in out
    assert "95%" not in out


def test_three_arms_show_each_outcome_and_the_adjusted_level(console: ConsoleDriver) -> None:
    console.send("/exp add Menu test metric=conversion baseline=3% mde=10% variants=3")
    out = console.send("/exp result EXP-1 control=70000/2100 B=70000/2400 C=70000/1800")
    assert "B vs control: +0.43 pp, 97.5% always-valid interval" in out and "· win" in out
    assert "C vs control: -0.43 pp, 97.5% always-valid interval" in out and "· loss" in out
    assert "Significant win for B" in out and "Also: C loses." in out
    assert "each interval is at 97.5% and each p multiplied by 2 (Bonferroni)" in out


def test_lower_is_better_calls_a_fall_in_refund_rate_a_win(console: ConsoleDriver) -> None:
    out = console.send("/exp add Refunds metric=refund_rate baseline=6% mde=10% direction=lower")
    assert "Lower is better: a fall in this metric is a win" in out
    fall = console.send("/exp result EXP-1 control=53200/3192 variant=53300/2665")
    assert "Significant win for variant: -1.00 pp" in fall
    assert "sideways is neither higher nor lower" in console.send(
        "/exp add x metric=r baseline=6% mde=10% direction=sideways"
    )


def test_a_fixed_horizon_verdict_is_locked_to_the_planned_sample_and_later_looks_are_labelled(
    console: ConsoleDriver, engine
) -> None:
    console.send(PLAN)
    at_plan = console.send("/exp result EXP-1 control=53200/1600 variant=53300/1760")
    assert "Significant win for variant: +0.29 pp (+9.8%), p = 0.006." in at_plan
    assert one(engine).locked == {"arms": {"control": [53_200, 1_600], "variant": [53_300, 1_760]}, "day": None}
    later = console.send("/exp result EXP-1 control=80000/2400 variant=80000/2400")
    assert "is a later look at a fixed-horizon test, not a new result" in later
    assert "control 2,400 / 80,000 · variant 2,400 / 80,000" in later
    assert "Significant win for variant" not in later  # unchanged, so the console does not reprint it
    assert "Significant win for variant: +0.29 pp (+9.8%), p = 0.006." in console.send("full")  # the plan's reading


def test_a_mean_metric_is_planned_from_mean_and_sd_and_read_with_welch(console: ConsoleDriver, engine) -> None:
    from scipy import stats
    from statsmodels.stats.power import NormalIndPower

    out = console.send("/exp add AOV test metric=aov kind=mean baseline=45 sd=30 mde=2 mde_type=absolute method=fixed")
    assert "Baseline mean 45.00 (SD 30.00) → 47.00 (2.00 absolute), α 0.05 two-sided" in out
    planned = NormalIndPower().solve_power(effect_size=2 / 30, alpha=0.05, power=0.8)
    assert f"Needs {math.ceil(planned):,} per arm" in out
    out = console.send("/exp result EXP-1 control=5000/225000/14625000 variant=5000/230000/15300000")
    # control: mean 45, SD √((14,625,000 − 225,000²/5,000)/4,999); variant: mean 46
    sd = [math.sqrt((q - t * t / 5_000) / 4_999) for t, q in ((225_000, 14_625_000), (230_000, 15_300_000))]
    reference = stats.ttest_ind_from_stats(46, sd[1], 5_000, 45, sd[0], 5_000, equal_var=False)
    half = stats.t.isf(0.025, _welch_df(sd, 5_000)) * math.sqrt(sd[0] ** 2 / 5_000 + sd[1] ** 2 / 5_000)
    assert "control: mean 45.00 (95% interval 44.17 – 45.83) · 5,000 visitors" in out
    assert f"variant vs control: +1.00, 95% fixed-horizon interval {1 - half:+.2f} to {1 + half:+.2f}" in out
    assert f"p = {reference.pvalue:.3f} · flat" in out
    assert one(engine).kind == "mean"
    refused = console.send("/exp result EXP-1 control=5000/225000/100")
    assert "the sum of squares is smaller than sum² ÷ visitors" in refused
    assert "is a mean metric" in console.send("/exp result EXP-1 file=x.csv")
    assert "sd: this field is required" in console.send("/exp add x metric=rpv kind=mean baseline=2.6 mde=5%")


def _welch_df(sd: list[float], n: int) -> float:
    v = [s * s / n for s in sd]
    return (v[0] + v[1]) ** 2 / (v[0] ** 2 / (n - 1) + v[1] ** 2 / (n - 1))


def test_a_mean_metric_read_sequentially_and_in_chinese(console: ConsoleDriver) -> None:
    console.send("/exp add RPV metric=rpv kind=mean baseline=2.60 sd=14 mde=5%")
    out = console.send("/exp result EXP-1 control=120000/312000/23832000 variant=120000/336000/24400000")
    assert "variant vs control: +0.20, 95% always-valid interval +0.02 to +0.38" in out
    assert "Significant win for variant: +0.20 (+7.7%)" in out
    console.send("/pm lang zh")
    zh = console.send("/exp status EXP-1")
    assert "基线均值 2.60（标准差 14.00）" in zh and "均值 2.60" in zh


def test_a_win_with_a_breached_guardrail_is_not_a_ship(console: ConsoleDriver, engine) -> None:
    console.send(PLAN)
    assert "EXP-1: guardrail refund_rate must not rise by more than 0.50 pp." in console.send(
        "/exp guard EXP-1 refund_rate max=0.5pp"
    )
    console.send("/exp result EXP-1 control=53200/1600 variant=53300/1760")
    out = console.send("/exp result EXP-1 guard=refund_rate control=53200/3192 variant=53300/3730")
    assert (
        "refund_rate, variant vs control: +1.00 pp, 95% interval +0.70 to +1.29 pp (limit +0.50 pp) · breached" in out
    )
    whole = console.send("full")
    assert whole.index("Guardrails:") < whole.index("Significant win for variant")  # guardrails before the headline
    assert "Not a ship: a guardrail is breached or not yet shown to hold for it." in whole
    assert "[1] Stop  [2] Extend" in out and "Ship" not in out.split("Guardrails:")[1]
    held = console.send("/exp result EXP-1 guard=refund_rate control=53200/3192 variant=53300/3200")
    assert "· held" in held and "[1] Ship  [2] Stop  [3] Extend" in held
    assert "cart_rate is not a guardrail of EXP-1" in console.send("/exp result EXP-1 guard=cart_rate control=1/1")
    assert one(engine).guardrails[0]["totals"] == {"control": [53_200, 3_192], "variant": [53_300, 3_200]}
