"""The experiment sections of the digest, built by the real digest builder from what the console stored:
experiments started, and running experiments whose new results raise an SRM alarm or reach the planned
sample with a verdict. Figures are checked against scipy and statsmodels."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from scipy.stats import chisquare
from statsmodels.stats.proportion import proportions_ztest

from tests.digest.support import digest_now, section, text_of
from tests.experiments.data import daily_csv
from tests.support.console import ConsoleDriver

T0 = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)
PLAN = "metric=conversion baseline=3% mde=10% traffic=4000/day method=fixed"  # 53,182 per arm, 106,364 in all


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the console reads result files from here


def test_started_experiments_and_readouts_of_new_results_for_the_channels_markets(console: ConsoleDriver, engine):
    with time_machine.travel(T0, tick=True) as clock:
        console.send("/digest market DE")
        console.send(f"/exp add DE title test market=DE {PLAN}")  # EXP-1
        console.send(f"/exp add DE banner market=DE {PLAN}")  # EXP-2
        console.send(f"/exp add DE free shipping market=DE {PLAN}")  # EXP-3
        console.send(f"/exp add JP bundle market=JP {PLAN}")  # EXP-4
        console.send(f"/exp add DE old test market=DE {PLAN}")  # EXP-5
        console.send(f"/exp add DE coupon market=DE,AT {PLAN}")  # EXP-6
        console.send("/exp result EXP-5 control=53200/1600 variant=53300/1760")  # before the last digest
        console.send(f"/exp add DE bundle market=DE {PLAN}")  # EXP-7
        console.send("/exp start EXP-7")
        console.send("/exp stop EXP-7")
        clock.move_to(T0 + timedelta(hours=1))
        console.send("/digest now")
        clock.move_to(T0 + timedelta(hours=2))
        console.as_user("li").send("/exp start EXP-1")
        console.send("/exp result EXP-1 control=53200/1600 variant=53300/1760")
        console.as_user("mei").send("/exp result EXP-2 control=44000/1320 variant=45000/1500")  # starts it
        Path("daily.csv").write_text(
            daily_csv(
                days=20,
                markets=("DE",),
                visitors={"control": 2700, "variant": 2700},
                conversions={"control": 81, "variant": 81},
                start=date(2026, 5, 10),
            )
        )
        console.send("/exp result EXP-3 file=daily.csv")  # 54,000 per arm, the same rate
        console.send("/exp result EXP-4 control=53200/1600 variant=53300/1760")  # JP
        console.send("/exp result EXP-6 control=10000/330 variant=10000/300")  # far from the planned sample
        console.send("/exp start EXP-7")
        clock.move_to(T0 + timedelta(hours=3))
        text = text_of(digest_now(engine))
    assert "• Experiments started: 5" in text and "• Experiment readouts: 3" in text
    assert section(text, "Experiments started") == [
        "• EXP-1 DE title test — started · 2 arms · 106,364 users planned · DE · @li",
        "• EXP-2 DE banner — started · 2 arms · 106,364 users planned · DE · @mei",
        "• EXP-3 DE free shipping — started · 2 arms · 106,364 users planned · DE · @mei",
        "• EXP-6 DE coupon — started · 2 arms · 106,364 users planned · AT, DE · @mei",
        "• EXP-7 DE bundle — restarted · 2 arms · 106,364 users planned · DE · @mei",
    ]
    _, srm_p = chisquare([44000, 45000], f_exp=[44500, 44500])
    _, win_p = proportions_ztest([1760, 1600], [53300, 53200])
    diff = 1760 / 53300 - 1600 / 53200
    lift = (1760 / 53300) / (1600 / 53200) - 1
    assert f"{srm_p:.4f}" == "0.0008" and f"{win_p:.3f}" == "0.006"
    assert section(text, "Experiment readouts") == [  # an SRM alarm first: nothing else can be trusted
        f"• EXP-2 DE banner — sample ratio mismatch (p = {srm_p:.4f}): investigate before trusting any number · @mei",
        f"• EXP-1 DE title test — planned sample reached: variant wins, {diff * 100:+.2f} pp ({lift * 100:+.1f}%),"
        f" p = {win_p:.3f} · @mei",
        "• EXP-3 DE free shipping — planned sample reached: no detectable effect · @mei",
    ]


def test_results_short_of_the_planned_sample_are_no_readout(console: ConsoleDriver, engine):
    with time_machine.travel(T0, tick=True) as clock:
        console.send(f"/exp add DE title test market=DE {PLAN}")
        console.send("/exp result EXP-1 control=10000/330 variant=10000/300")
        clock.move_to(T0 + timedelta(hours=1))
        console.send("/digest now")
        clock.move_to(T0 + timedelta(hours=2))
        console.send("/exp result EXP-1 control=20000/640 variant=20000/610")  # still keep running
        clock.move_to(T0 + timedelta(hours=3))
        digest = digest_now(engine)
    assert not digest.news
    assert "Experiment readouts" not in text_of(digest) and "Experiments started" not in text_of(digest)


def test_a_sequential_experiment_decided_before_its_plan_is_a_readout(console: ConsoleDriver, engine):
    with time_machine.travel(T0, tick=True) as clock:
        console.send("/exp add DE title test market=DE metric=conversion baseline=3% mde=10%")  # sequential
        console.send("/exp result EXP-1 control=10000/300 variant=10000/300")
        clock.move_to(T0 + timedelta(hours=1))
        console.send("/digest now")
        clock.move_to(T0 + timedelta(hours=2))
        console.send("/exp result EXP-1 control=30000/900 variant=30000/1050")  # excludes zero at 29 % of plan
        clock.move_to(T0 + timedelta(hours=3))
        digest = digest_now(engine)
    text = text_of(digest)
    assert "the always-valid interval excludes zero: variant wins, +0.50 pp (+16.7%), p = 0.028" in text
