"""The experiment card, the list and a refused CSV, drawn from plain data on Slack, Lark and the
console, in English and Chinese: what each copy of the old templates showed, inside every platform's
limits, and names, metrics and files typed to ping or link shown as typed."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.i18n import catalog
from handlers.core.reply import Reply, Text
from handlers.experiments import cards as view
from handlers.experiments import lines
from handlers.experiments.csv_file import ERRORS_SHOWN, Problem
from handlers.experiments.results import problems_card
from models.experiments.experiment import Experiment, ListPage
from models.experiments.queries import ExperimentCard, readout_of
from models.experiments.result import OVERALL, Counts
from tests.support.hostile import HOSTILE, LANGS, MARKUP, assert_inert, draw

PEOPLE = {1: ("U1", "mei"), 2: ("U2", "li")}


def experiment(**values: Any) -> Experiment:
    fields: dict[str, Any] = {
        "id": 1, "workspace_id": 1, "number": 4, "name": HOSTILE, "metric": MARKUP, "markets": "DE",
        "baseline": 0.03, "mde": 0.1, "mde_relative": True, "alpha": 0.05, "power": 0.8, "traffic_per_day": 4000,
        "arms": ["control", "variant"], "split": [0.5, 0.5], "needed": [53_182, 53_182], "status": "running",
        "requester_id": 1,
    }  # fmt: skip
    fields.update(values)
    return Experiment(**fields)


def seen(item: Experiment, found: Counts, *, market: str | None = None, requirement: str | None = None):
    return ExperimentCard(item, found, market, readout_of(item, found, market), PEOPLE, requirement)


TYPED = Counts("typed", {(OVERALL, "control"): (10_000, 330), (OVERALL, "variant"): (10_000, 300)})


def daily(markets: list[str]) -> Counts:
    slices = {}
    for n, market in enumerate(markets):
        slices[(market, "control")] = (10_000 + 100 * n, 300)
        slices[(market, "variant")] = (10_000 + 100 * n, 340)
    return Counts("daily", slices, date(2026, 3, 1), date(2026, 3, 20))


def test_an_experiment_card_everywhere_with_a_typed_name_and_metric_shown_as_typed() -> None:
    item = experiment()
    reply = view.card(seen(item, TYPED, requirement="REQ-1"), notice=[Text("exp.started", {"key": item.key})])
    assert reply.card is not None
    assert_inert(reply)
    en = draw(reply, "en")
    assert f"running · Metric: {MARKUP} · DE · REQ-1 · Planned by @mei" in en.text
    assert "Planned by <@U1>" in en.mrkdwn and "<at id=U1></at>" in en.markdown
    for shown in ("EXP-4 is running.", "Plan:", "Needs 53,182 per arm, 106,364 in total, for 80% power",
                  "Results · From typed totals:", "control: 3.30% (95% interval 2.97% – 3.67%) · 330 / 10,000",
                  ">> Keep running.", "about 22 more days at the planned traffic"):  # fmt: skip
        assert shown in en.text, shown
    assert "*Keep running.*" in en.mrkdwn and "**Keep running.**" in en.markdown  # the verdict stands out
    assert en.lark[0]["header"]["template"] == "blue"
    zh = draw(reply, "zh-CN")
    assert catalog().t("zh-CN", "exp.state.running") in zh.text and "<@U1>" in zh.mrkdwn


def test_a_card_without_results_says_how_to_record_them() -> None:
    item = experiment(status="draft", arms=["control", "B", "C"], split=[0.5, 0.25, 0.25],
                      needed=[80_000, 40_000, 40_000])  # fmt: skip
    for lang in LANGS:
        drawn = draw(view.card(seen(item, Counts(None))), lang)
        hint = catalog().t(lang, "exp.no_results", key="EXP-4", example="control=10000/330 B=10000/300 C=10000/310")
        assert hint.replace("`", "") in drawn.text  # plain text drops code spans
        assert catalog().t(lang, "exp.problem.no_data") in drawn.text
    assert draw(view.card(seen(item, Counts(None))), "en").lark[0]["header"]["template"] == "grey"


@pytest.mark.parametrize("lang", LANGS)
def test_market_slices_show_the_biggest_twelve_with_a_caution_and_how_many_more(lang: str) -> None:
    markets = ["DE", "FR", "IT", "ES", "NL", "BE", "AT", "IE", "PL", "SE", "FI", "PT", "GR"]
    item = experiment(markets=",".join(markets))
    drawn = draw(view.card(seen(item, daily(markets))), lang)
    # 12 markets shown × 1 variant: 12 comparisons, so 0.05 / 12 across them all
    caution = catalog().t(lang, "exp.slice.caution", markets=12, arms=1, tests=12, alpha="0.004167")
    assert caution.replace("`", "") in drawn.text
    assert catalog().t(lang, "exp.slices_more", n=1, key="EXP-4").replace("`", "") in drawn.text
    title = catalog().t(lang, "exp.label.slices")
    assert f"*{title}*" in drawn.mrkdwn and f"**{title}**" in drawn.markdown
    slices = [line.strip()[:2] for line in drawn.text.split("\n") if re.match(r"    [A-Z]{2} ?[(（]\d", line)]
    assert slices == markets[::-1][: lines.SLICES_SHOWN]  # the most visited first; DE, the least, left out


def test_one_market_read_alone_has_no_decision_and_no_slices() -> None:
    markets = ["DE", "FR", "JP"]
    item = experiment(markets="DE,FR,JP")
    reply = view.card(seen(item, daily(markets), market="JP"))
    assert reply.buttons == []
    drawn = draw(reply, "en")
    assert "Market JP only" in drawn.text and "JP alone: " in drawn.text
    assert "By market" not in drawn.text and "To record results" not in drawn.text


def test_a_decided_card_says_who_decided_and_has_no_buttons() -> None:
    item = experiment(status="shipped", decision="ship", decided_by=2, decided_at=datetime(2026, 3, 21, tzinfo=UTC))
    found = Counts("typed", {(OVERALL, "control"): (60_000, 1_800), (OVERALL, "variant"): (60_000, 2_100)})
    reply = view.card(seen(item, found))
    assert reply.buttons == []
    drawn = draw(reply, "en")
    assert "Shipped on 2026-03-21 · by @li" in drawn.text and "Shipped on 2026-03-21 · by <@U2>" in drawn.mrkdwn
    assert drawn.lark[0]["header"]["template"] == "green"


def test_a_winning_card_offers_the_decision() -> None:
    found = Counts("typed", {(OVERALL, "control"): (60_000, 1_800), (OVERALL, "variant"): (60_000, 2_100)})
    reply = view.card(seen(experiment(), found))
    assert [b.label.key for b in reply.buttons] == ["exp.decide.ship", "exp.decide.stop", "exp.decide.extend"]
    assert "[1] Ship  [2] Stop  [3] Extend" in draw(reply, "en").text


def test_the_tracked_copy_of_a_changed_card_has_no_notice() -> None:
    drawn = view.experiment_card(seen(experiment(), TYPED))
    assert drawn.notice == ()
    with_notice = view.experiment_card(seen(experiment(), TYPED), notices=[Text("exp.started", {"key": "EXP-4"})])
    assert with_notice.parts == drawn.parts and len(with_notice.notice) == 1


def test_the_largest_experiment_card_fits_every_platform() -> None:
    arms = ["control", "B", "C", "D", "E", "F"]
    markets = [f"{chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(30)]
    item = experiment(name="<" * 120, metric="<" * 40, markets=",".join(markets), arms=arms,
                      split=[1 / 6] * 6, needed=[99_999] * 6)  # fmt: skip
    slices = {(m, arm): (10_000, 300 + 10 * i) for m in markets for i, arm in enumerate(arms)}
    found = Counts("daily", slices, date(2026, 3, 1), date(2026, 3, 20))
    for lang in LANGS:
        drawn = draw(view.card(seen(item, found, requirement="REQ-12345")), lang)
        assert catalog().t(lang, "exp.slices_more", n=18, key="EXP-4").replace("`", "") in drawn.text


def page(items: list[Experiment], *, total: int, more: bool, capped: bool = False) -> ListPage:
    return ListPage(items, total, capped, more)


def test_a_page_of_experiments_everywhere_with_its_place_and_buttons() -> None:
    found = page([experiment(), experiment(number=3, name="Checkout copy", markets="")], total=12, more=False)
    reply = view.list_page(found, page=2, filters={"status": "running"})
    assert_inert(reply, in_summary=False)
    text = draw(reply, "en").text
    assert "11–12 of 12 · newest first" in text
    assert f"EXP-4 {HOSTILE}" in text and f"running · {MARKUP} · DE · 2 arms · needs 53,182 per arm" in text
    assert "EXP-3 Checkout copy" in text and "· — ·" in text
    assert [(b.action, b.payload) for b in reply.buttons] == [(view.PAGE_ACTION, {"f": {"status": "running"}, "p": 1})]
    capped = draw(view.list_page(page([experiment()], total=500, capped=True, more=True), page=1, filters={}), "zh-CN")
    assert catalog().t("zh-CN", "common.page", first=1, last=1, total="500+") in capped.text
    empty = draw(view.list_page(page([], total=0, more=False), page=1, filters={}), "en")
    assert "No experiments match." in empty.text and "&lt;" not in empty.mrkdwn


@pytest.mark.parametrize("lang", LANGS)
def test_the_largest_page_of_experiments_fits_every_platform(lang: str) -> None:
    markets = ",".join(f"{chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(30))
    items = [
        experiment(number=n, name="<" * 119 + str(n % 10), metric="*" * 40, markets=markets)
        for n in range(view.PAGE_SIZE, 0, -1)
    ]
    reply = view.list_page(page(items, total=10_000, capped=True, more=True), page=7, filters={"market": "DE"})
    drawn = draw(reply, lang)  # checks every message with check_blocks and every card with check_card
    for n in range(view.PAGE_SIZE, 0, -1):
        assert f"EXP-{n}* {'&lt;' * 119}{n % 10}" in drawn.mrkdwn
        assert f"EXP-{n}** {'&#60;' * 119}{n % 10}" in drawn.markdown
    assert drawn.slack[-1]["blocks"][-1]["type"] == "actions"


def test_a_refused_csv_everywhere_with_a_typed_file_name_shown_as_typed() -> None:
    problems = [Problem(14, Text("exp.csv.bad_arm", {"value": HOSTILE, "arms": "control, variant"}))]
    problems += [Problem(n, Text("exp.csv.too_many", {"conversions": 300, "visitors": 100})) for n in range(15, 30)]
    problems.append(Problem(None, Text("exp.csv.empty")))
    reply = Reply("exp_problems", card=problems_card(experiment(), HOSTILE, problems))
    assert_inert(reply)
    en = draw(reply, "en").text
    assert f"! Nothing from {HOSTILE} was stored for EXP-4:" in en
    assert f"• line 14: {HOSTILE} is not an arm of this experiment (control, variant)" in en
    assert en.count("• line") == ERRORS_SHOWN
    assert f"…and {len(problems) - ERRORS_SHOWN} more problems." in en
    assert "Expected columns: date, variant (control, variant), market" in en
    zh = draw(reply, "zh-CN").text
    assert catalog().t("zh-CN", "exp.csv.more", n=len(problems) - ERRORS_SHOWN) in zh
