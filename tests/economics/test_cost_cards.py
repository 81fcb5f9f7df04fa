"""The cost cards (a SKU's landed cost, the price for a margin, what-if, the SKU list) and the rate list,
drawn from plain data on Slack, Lark and the console, in English and Chinese: the hand-worked figures,
inside every platform's limits, and a SKU code typed to ping or link shown as typed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D
from typing import Any

import pytest

from bot.i18n import catalog
from handlers.core.reply import Reply, Text
from handlers.costs import cards as view
from models.costs.cost import CostLane, Sku
from models.costs.fee_schedule import schedule_for
from models.costs.fx import Rate, RateBook
from models.costs.margin import Shock, WhatIf, evaluate
from models.costs.queries import FxRates, SkuPage
from tests.economics.support import squash
from tests.support.hostile import HOSTILE, LANGS, assert_inert, draw

TODAY = date(2026, 11, 25)
EURCNY = Rate("EUR", "CNY", D("7.82"), date(2026, 11, 1), datetime(2026, 11, 1, tzinfo=UTC))
BOOK = RateBook([EURCNY], pivots=("CNY",))


def sku(code: str = "TEE-01", **values: Any) -> Sku:
    facts: dict[str, Any] = {"weight_kg": D("0.42"), "length_cm": D(30), "width_cm": D(20), "height_cm": D(5)}
    facts.update(values)
    return Sku(id=1, workspace_id=1, code=code, code_key=code.casefold(), purchase=D("23.50"), purchase_currency="CNY",
               **facts)  # fmt: skip


def lane(**values: Any) -> CostLane:
    """The worked DE lane of tests/economics/test_costs.py."""
    fields: dict[str, Any] = {
        "id": 1, "workspace_id": 1, "sku_id": 1, "market": "DE", "channel": "sea", "freight_rate": D(1200),
        "freight_basis": "cbm", "freight_currency": "CNY", "divisor": 6000, "duty_pct": D(12), "customs": "cif",
        "vat_pct": D(19), "referral_pct": D(15), "fulfilment": D("3.40"), "storage": D("0.12"), "ads_pct": D(8),
        "returns_pct": D(6), "price": D("24.99"), "price_currency": "EUR",
    }  # fmt: skip
    fields.update(values)
    return CostLane(**fields)


def test_a_cost_card_shows_the_worked_build_up_everywhere_and_a_typed_code_as_typed() -> None:
    item = sku(HOSTILE)
    notice = Text("cost.lane_added", {"sku": HOSTILE, "market": "DE"})
    reply = view.card(item, [evaluate(item, lane(), BOOK, "CNY")], TODAY, notice=notice)
    assert reply.card is not None
    assert_inert(reply)
    en = draw(reply, "en")
    text = squash(en.text)
    for line in (
        "24.99 195.42 Shelf price",
        "= 21.00 164.22 Net revenue",
        "= 6.77 52.95 Contribution",  # worked in test_costs.py (the EU lane card)
        "Contribution margin 32.24%",
        "Break-even shelf price EUR 13.06 ≈ CNY 102.06",
        "EURCNY 7.82 · set for 2026-11-01 · 24 days old",
        "Purchase CNY 23.50 · 0.42 kg · 30×20×5 cm",
    ):
        assert line in text, line
    assert "`=         6.77        52.95`  Contribution" in en.mrkdwn  # amounts in fixed-width columns
    assert "`=         6.77        52.95`  Contribution" in en.markdown
    zh = squash(draw(reply, "zh-CN").text)
    assert "= 6.77 52.95 贡献利润" in zh and "增值税 19%（含在售价中）" in zh and "贡献利润率 32.24%" in zh


def test_a_lane_that_loses_money_is_flagged_and_a_missing_rate_is_said() -> None:
    item = sku()
    losing = evaluate(item, lane(price=D("9.99")), BOOK, "CNY")
    no_rate = evaluate(item, lane(market="GB", price_currency="GBP", vat_pct=D(20)), BOOK, "CNY")
    drawn = draw(view.card(item, [losing, no_rate], TODAY), "en")
    assert f"{view.WARNING}Contribution margin -" in drawn.text
    assert "• No GBPCNY rate: set one with /pm fx GBPCNY <rate>" in drawn.text
    assert "GB · sea · freight 1200 CNY/cbm · in GBP" in drawn.text


@pytest.mark.parametrize("lang", LANGS)
def test_a_sku_with_many_lanes_shows_some_and_says_how_many_more(lang: str) -> None:
    item = sku(HOSTILE)
    markets = ["DE", "FR", "IT", "ES", "NL", "BE", "AT", "IE", "PL", "SE", "FI", "PT", "GR", "LU", "SI", "SK"]
    results = [evaluate(item, lane(market=m), BOOK, "CNY") for m in markets]
    drawn = draw(view.card(item, results, TODAY), lang)
    assert len(drawn.slack) == 1 and len(drawn.lark) == 1
    more = catalog().t(lang, "cost.more_lanes", count=len(markets) - view.MAX_LANES_SHOWN)
    assert more in drawn.text and more in drawn.mrkdwn


def test_the_price_for_a_margin_everywhere() -> None:
    item = sku(HOSTILE)
    result = evaluate(item, lane(), BOOK, "CNY")
    reply = view.price_reply(item, result, D("0.25"), TODAY)
    assert_inert(reply)
    text = squash(draw(reply, "en").text)
    assert "For a 25% margin in DE: EUR 20.74 exactly; priced at EUR 20.99 ≈ CNY 164.14" in text
    assert "Today: EUR 24.99, margin 32.24%." in text
    unreachable = draw(view.price_reply(item, result, D("0.80"), TODAY), "en").text
    assert "No shelf price reaches a 80% margin in DE" in unreachable
    no_rate = evaluate(item, lane(market="GB", price_currency="GBP"), BOOK, "CNY")
    missing = draw(view.price_reply(item, no_rate, D("0.25"), TODAY), "zh-CN")
    assert catalog().t("zh-CN", "cost.missing_rate", pair="GBPCNY").replace("`", "") in missing.text


def test_what_if_everywhere_marks_the_lanes_that_turn_negative() -> None:
    item = sku(HOSTILE)
    shock = Shock(fx_pct=D(-5), duty_points=D(10))
    found = [
        WhatIf(item.code, 1, market, evaluate(item, lane(market=market, price=price), BOOK, "CNY"),
               evaluate(item, lane(market=market, price=price), BOOK, "CNY", shock))
        for market, price in (("DE", D("24.99")), ("FR", D("13.99")), ("IT", D("9.99")))
    ]  # fmt: skip
    reply = view.what_if_reply(item, found, shock)
    assert_inert(reply)
    en = draw(reply, "en")
    assert "Change: market currency -5%, duty +10 pt" in en.text
    assert "FR  margin" in en.text and f"{view.WARNING}turns negative" in en.text
    assert f"{view.WARNING}negative" in en.text  # IT loses money before the change too
    assert "! Loses money under this change: FR" in en.text
    assert "Loses money under this change: FR" in en.mrkdwn
    zh = draw(reply, "zh-CN").text
    assert catalog().t("zh-CN", "cost.whatif.negatives", markets="FR") in zh


def sku_page(codes: list[str], markets: list[str], *, total: int, more: bool) -> SkuPage:
    return SkuPage([(sku(code), markets) for code in codes], total=total, more=more)


def test_a_page_of_skus_everywhere_with_its_place_and_buttons() -> None:
    found = sku_page([HOSTILE, "LAMP-2"], ["DE", "FR"], total=2 * view.PAGE_SIZE + 2, more=True)
    reply = view.list_page(found, page=2)
    assert_inert(reply, in_summary=False)
    text = draw(reply, "en").text
    assert f"{HOSTILE} · CNY 23.50 · DE, FR" in text
    assert f"{view.PAGE_SIZE + 1}–{view.PAGE_SIZE + 2} of {2 * view.PAGE_SIZE + 2}" in text
    assert [(b.action, b.payload) for b in reply.buttons] == [(view.PAGE_ACTION, {"p": p}) for p in (1, 3)]
    empty = draw(view.list_page(SkuPage([], 0, False), page=1), "en")
    assert "No SKUs yet" in empty.text
    assert "no lanes" in draw(view.list_page(sku_page(["X"], [], total=1, more=False), page=1), "en").text


@pytest.mark.parametrize("lang", LANGS)
def test_the_largest_page_of_skus_fits_every_platform(lang: str) -> None:
    """The longest codes, made of what escaping lengthens most, each sold in every market of a long list:
    every Slack message of the page is valid Block Kit, the Lark card is valid, and no SKU is left out."""
    codes = [("<" * 60) + f"{n:04}" for n in range(view.PAGE_SIZE)]
    markets = [f"{chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(60)]
    reply = view.list_page(sku_page(codes, markets, total=10_000, more=True), page=3)
    drawn = draw(reply, lang)  # checks every message with check_blocks and every card with check_card
    for n in range(view.PAGE_SIZE):
        assert f"{'&lt;' * 60}{n:04}" in drawn.mrkdwn and f"{'&#60;' * 60}{n:04}" in drawn.markdown
    assert drawn.slack[-1]["blocks"][-1]["type"] == "actions"


def test_the_rate_list_everywhere() -> None:
    usd = Rate("USD", "CNY", D("7.2"), TODAY, datetime(2026, 11, 25, tzinfo=UTC))
    old = Rate("GBP", "CNY", D("9.1"), date(2026, 9, 1), datetime(2026, 9, 1, tzinfo=UTC))
    notice = Text("fx.set", {"pair": "USDCNY", "rate": "7.2", "date": TODAY.isoformat()})
    found = FxRates("CNY", [EURCNY, old, usd])
    for lang in LANGS:
        drawn = draw(view_reply(found, notice), lang)
        assert catalog().t(lang, "fx.home", currency="CNY") in drawn.text
        assert catalog().t(lang, "fx.note") in drawn.text and catalog().t(lang, "fx.note") in drawn.mrkdwn
        assert drawn.slack[0]["text"] == catalog().t(lang, "fx.set", pair="USDCNY", rate="7.2", date="2026-11-25")
    en = draw(view_reply(found, notice), "en").text
    assert "• EURCNY 7.82 · set for 2026-11-01 · 24 days old" in en
    assert "• ⚠ GBPCNY 9.1 · set for 2026-09-01 · 85 days old: time for this month's rate?" in en
    none = draw(view_reply(FxRates("CNY", []), None), "zh-CN")
    assert catalog().t("zh-CN", "fx.none").replace("`", "") in none.text and none.slack[0]["text"] == catalog().t(
        "zh-CN", "fx.title"
    )


def view_reply(found: FxRates, notice: Text | None) -> Reply:
    return Reply("fx_rates", card=view.fx_card(found, TODAY, notice=notice))


USDCNY = Rate("USD", "CNY", D("7.20"), date(2026, 11, 1), datetime(2026, 11, 1, tzinfo=UTC))
US_BOOK = RateBook([EURCNY, USDCNY], pivots=("CNY",))


def us_sea_lane(**values: Any) -> CostLane:
    """The US sea lane of tests/economics/test_costs.py, and its fees left to the amazon.com schedule."""
    fields: dict[str, Any] = {
        "market": "US", "channel": "sea", "freight_rate": D("0.90"), "freight_basis": "unit",
        "freight_currency": "USD", "divisor": 6000, "duty_pct": D("3.9"), "section301_pct": D(25),
        "extra_duty_pct": D(10), "insurance_pct": D("0.3"), "entry_units": 200, "customs": "fob", "vat_pct": D(0),
        "referral_pct": None, "category": "home_kitchen", "fulfilment": None, "storage": None,
        "ads_pct": D(10), "returns_pct": D(5), "price": D("29.99"), "price_currency": "USD",
    }  # fmt: skip
    fields.update(values)
    return lane(**fields)


@pytest.mark.parametrize("lang", LANGS)
def test_every_new_line_is_drawn_everywhere_and_six_full_lanes_fit_one_message(lang: str) -> None:
    item = sku(HOSTILE, weight_kg=D("0.8"), length_cm=D(25), width_cm=D(20), height_cm=D(15))
    result = evaluate(item, us_sea_lane(), US_BOOK, "CNY", on=TODAY)
    reply = view.card(item, [result], TODAY)
    assert_inert(reply)
    drawn = draw(reply, lang)
    t = catalog().t
    for key, params in (
        ("cost.line.section301", {"rate": "25%"}),
        ("cost.line.additional", {"rate": "10%"}),
        ("cost.line.hmf", {"rate": "0.125%"}),
        ("cost.name.return_fee", {}),
        ("cost.name.unsellable", {}),
    ):
        shown = t(lang, key, **params)
        assert shown in drawn.text and shown in drawn.mrkdwn and shown in drawn.markdown, shown
    assert "amazon.com 2025-01-15" in drawn.text and "CBP 2025-10-01" in drawn.text
    many = [evaluate(item, us_sea_lane(market=m), US_BOOK, "CNY", on=TODAY) for m in ["US"] * 8]
    full = draw(view.card(item, many, TODAY), lang)
    assert len(full.slack) == 1 and len(full.lark) == 1


@pytest.mark.parametrize("lang", LANGS)
def test_the_fee_schedule_card_everywhere(lang: str) -> None:
    shipped = schedule_for("US")
    assert shipped is not None
    notice = Text("cost.fees.changed", {"keys": HOSTILE})
    reply = Reply("cost_fees", card=view.fees_card(shipped, {"referral.clothing": D(12)}, notice=notice))
    assert_inert(reply)
    drawn = draw(reply, lang)
    assert "referral.clothing" in drawn.text and "12%" in drawn.text
    assert catalog().t(lang, "cost.tier.large_bulky") in drawn.mrkdwn
    assert shipped.source in drawn.markdown
