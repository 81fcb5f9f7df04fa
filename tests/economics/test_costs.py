"""/cost through the real console: the hand-worked examples end to end, and bad input refused."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
import time_machine
from sqlmodel import Session, select

from models.audit import AuditEntry
from models.costs.cost import CostLane, Sku
from tests.economics.support import LAMP, LAMP_US, TEE, TEE_DE, count, squash
from tests.support.console import ConsoleDriver

TODAY = "2026-11-25 10:00:00+00:00"


@pytest.fixture
def priced(console: ConsoleDriver) -> ConsoleDriver:
    with time_machine.travel(TODAY, tick=False):
        console.send("/pm fx EURCNY 7.82 date=2026-11-01")
        console.send("/pm fx USDCNY 7.20")
    return console


@time_machine.travel(TODAY, tick=False)
def test_eu_lane_card_matches_the_hand_worked_example(priced: ConsoleDriver, engine) -> None:
    assert "SKU TEE-01 added." in priced.send(TEE)
    out = squash(priced.send(TEE_DE))
    assert "DE lane added to TEE-01." in out
    for line in (
        "24.99 195.42 Shelf price",
        "− 3.99 31.20 VAT 19% (in the price)",
        "= 21.00 164.22 Net revenue",
        "− 3.01 23.50 Purchase cost",
        "− 0.46 3.60 First-leg freight",
        "− 0.42 3.25 Duty 12% on CIF value",
        "− 3.75 29.31 Referral fee 15%",
        "− 3.40 26.59 Fulfilment fee",
        "− 2.00 15.63 Advertising 8%",
        "− 1.26 9.85 Returns reserve 6%",
        "= 6.59 51.54 Contribution",
        "Contribution margin 31.39%",
        "Break-even shelf price EUR 13.22 ≈ CNY 103.37",
        "EURCNY 7.82 · set for 2026-11-01 · 24 days old",
    ):
        assert line in out, line
    with Session(engine) as db:
        lane = db.exec(select(CostLane)).one()
    assert (lane.freight_rate, lane.freight_basis, lane.freight_currency, lane.divisor) == (D(1200), "cbm", "CNY", 6000)
    assert (lane.duty_pct, lane.vat_pct, lane.customs, lane.hs_code) == (D(12), D(19), "cif", "6109100010")
    assert lane.price == D("24.99") and isinstance(lane.price, D)


@time_machine.travel(TODAY, tick=False)
def test_us_lane_defaults_fob_customs_no_vat_and_the_market_currency(priced: ConsoleDriver, engine) -> None:
    priced.send(LAMP)
    out = squash(priced.send(LAMP_US))
    assert "US · air · freight 38 CNY/kg · in USD" in out
    assert "VAT 0%" not in out and "(in the price)" not in out
    for line in ("− 6.60 47.50 First-leg freight", "− 1.56 11.25 Duty 25% on FOB value", "= 0.98 7.08 Contribution"):
        assert line in out, line
    assert "Contribution margin 3.28%" in out and "USD 28.59" in out
    with Session(engine) as db:
        lane = db.exec(select(CostLane)).one()
    assert (lane.price_currency, lane.vat_pct, lane.customs, lane.divisor) == ("USD", D(0), "fob", 6000)


@time_machine.travel(TODAY, tick=False)
def test_target_margin_price_is_rounded_up_to_a_49_or_99_ending(priced: ConsoleDriver) -> None:
    priced.send(TEE)
    priced.send(TEE_DE)
    out = squash(priced.send("/cost price TEE-01 market=de margin=25%"))
    assert "For a 25% margin in DE: EUR 21.16 exactly; priced at EUR 21.49 ≈ CNY 168.05" in out
    assert "the margin is 25.65% (EUR 4.63 a unit)" in out
    assert "Today: EUR 24.99, margin 31.39%." in out
    refused = priced.send("/cost price TEE-01 market=DE margin=80%")
    assert "No shelf price reaches a 80% margin in DE" in refused


@time_machine.travel(TODAY, tick=False)
def test_what_if_marks_lanes_that_turn_negative(priced: ConsoleDriver) -> None:
    for line in (TEE, TEE_DE, LAMP, LAMP_US):
        priced.send(line)
    priced.send("/cost lane LAMP-2 market=DE channel=express freight=38/kg duty=4.7% price=39.99 referral=15%")
    out = squash(priced.send("/cost what-if LAMP-2 fx=-5% duty=+10pt"))
    # US by hand: USDCNY 7.20 × 0.95 = 6.84; purchase 45 ÷ 6.84 = 6.578947, freight 47.50 ÷ 6.84 = 6.944444,
    # duty 35 % × 6.578947 = 2.302632; contribution 29.99 − 30.423023 = −0.433023 → −0.43; × 6.84 = −2.96.
    assert "US margin 3.28% → -1.44% · contribution USD 0.98 → USD -0.43 ≈ CNY -2.96 ⚠ turns negative" in out
    assert "Loses money under this change: US" in out
    assert "Change: market currency -5%, duty +10 pt" in out
    assert "DE margin" in out and "DE margin 3.28%" not in out
    assert "Give at least one change" in priced.send("/cost what-if LAMP-2")
    assert "is not a change" in priced.send("/cost what-if LAMP-2 freight=+30pt")


@time_machine.travel(TODAY, tick=False)
def test_missing_rate_and_missing_dims_are_said_not_guessed(console: ConsoleDriver) -> None:
    console.send("/cost add MUG purchase=12 currency=CNY weight=0.5kg")
    out = console.send("/cost lane MUG market=GB channel=sea freight=1200/cbm duty=0% price=9.99")
    assert "No GBPCNY rate: set one with /pm fx GBPCNY <rate>" in out
    assert "Contribution" not in out
    console.send("/pm fx GBPCNY 9.10")
    out = console.send("/cost show MUG")
    assert "SKU has no size" in out  # sea freight needs dimensions
    console.send("/cost add MUG dims=10x10x12cm")
    assert "Contribution margin" in console.send("/cost show MUG")


@time_machine.travel(TODAY, tick=False)
def test_a_stale_rate_is_flagged_with_its_age(console: ConsoleDriver) -> None:
    console.send("/pm fx EURCNY 7.82 date=2026-09")
    console.send(TEE)
    out = console.send(TEE_DE)
    assert "⚠ EURCNY 7.82 · set for 2026-09-01 · 85 days old" in out


@time_machine.travel(TODAY, tick=False)
def test_editing_a_lane_changes_only_the_given_fields_and_audits_them(priced: ConsoleDriver, engine) -> None:
    priced.send(TEE)
    priced.send(TEE_DE)
    out = priced.send("/cost lane TEE-01 market=DE price=26.99 channel=air freight=40/kg")
    assert "DE lane of TEE-01 updated:" in out
    with Session(engine) as db:
        lane = db.exec(select(CostLane)).one()
        edits = db.exec(select(AuditEntry).where(AuditEntry.action == "lane")).all()
    assert (lane.price, lane.channel, lane.freight_basis, lane.divisor, lane.duty_pct) == (
        D("26.99"),
        "air",
        "kg",
        6000,
        D(12),
    )
    assert edits[-1].changes["price"] == ["24.99", "26.99"]
    assert edits[-1].changes["channel"] == ["sea", "air"]
    assert "nothing changed" in priced.send("/cost lane TEE-01 market=DE price=26.99")


@time_machine.travel(TODAY, tick=False)
def test_carton_freight_is_allocated_per_unit(priced: ConsoleDriver) -> None:
    # Carton 60 × 40 × 40 cm: 96,000 ÷ 6000 = 16 kg > 12 kg; CNY 38 × 16 = 608 ÷ 24 units = 25.33 a unit.
    priced.send("/cost add BAG purchase=20 currency=CNY carton=60x40x40cm carton_weight=12kg per_carton=24")
    out = squash(priced.send("/cost lane BAG market=US channel=air freight=38/kg duty=0% price=19.99"))
    assert "25.33 First-leg freight" in out  # in CNY, the home column
    assert "carton 60×40×40 cm, 12 kg, 24 units" in out


def test_list_show_and_remove(priced: ConsoleDriver, engine) -> None:
    priced.send(TEE)
    priced.send(TEE_DE)
    priced.send(LAMP)
    assert "LAMP-2 · CNY 45.00 · no lanes" in priced.send("/cost list")
    assert "TEE-01 · CNY 23.50 · DE" in priced.send("/cost list")
    assert "landed cost and margin" in priced.send("/cost show tee-01")
    assert "landed cost and margin" in priced.send("/cost TEE-01 market=DE")
    assert "I don't know /cost nope." in priced.send("/cost nope")
    assert "TEE-01 has no US lane yet." in priced.send("/cost show TEE-01 market=US")
    assert "DE lane of TEE-01 removed." in priced.send("/cost remove TEE-01 market=DE")
    assert count(engine, CostLane) == 0
    assert "SKU LAMP-2 and its lanes removed." in priced.send("/cost remove LAMP-2")
    assert count(engine, Sku) == 1


def test_chinese_card(priced: ConsoleDriver) -> None:
    priced.send("/pm lang zh")
    priced.send(TEE)
    out = squash(priced.send(TEE_DE))
    assert "已为 TEE-01 添加 DE 站点线路。" in out
    assert "= 6.59 51.54 贡献利润" in out
    assert "增值税 19%（含在售价中）" in out
    assert "贡献利润率 31.39%" in out


BAD = {
    "/cost add X purchase=-3 currency=CNY": "-3 is negative",
    "/cost add X purchase=abc": "abc is not a number",
    "/cost add X purchase=3 currency=XYZ": "XYZ is not a currency code I know",
    "/cost add X purchase=3 weight=heavy": "is not a weight",
    "/cost add X purchase=3 dims=30x20": "is not a size",
    "/cost add X purchase=3 carton=60x40x40cm": "a carton needs both",
    "/cost add X currency=CNY": "purchase: this field is required",
    "/cost add X purchase=3 colour=red": "colour is not an option here",
    "/cost add": "Which SKU?",
}
BAD_LANE = {
    "market=DE channel=sea freight=1200/cbm duty=4.7% price=-24.99": "-24.99 is negative",
    "market=DE channel=sea freight=1200/cbm duty=4.7% price=0": "must be more than zero",
    "market=DE channel=sea freight=1200/cbm duty=101% price=24.99": "101% is over 100%",
    "market=DE channel=sea freight=1200/cbm duty=4.7 price=24.99": "write it as a percentage, e.g. 4.7%",
    "market=DE channel=sea freight=1200/cbm duty=4.7% price=24.99 price_currency=EUX": "EUX is not a currency",
    "market=DE channel=boat freight=1200/cbm duty=4.7% price=24.99": "boat is not one of air, express, sea",
    "market=DE channel=sea freight=1200 duty=4.7% price=24.99": "is not a freight rate",
    "market=DE channel=sea freight=-1/kg duty=4.7% price=24.99": "-1 is negative",
    "market=DE channel=sea freight=1200/cbm duty=4.7% price=24.99 vat=100%": "100% is over 99%",
    "market=US channel=air freight=38/kg duty=4.7% price=24.99 vat=8%": "US shelf prices exclude sales tax",
    "market=BR channel=air freight=38/kg duty=60% price=99": "no standard VAT/GST rate is on file for BR",
    "market=XX channel=sea freight=1200/cbm duty=4.7% price=24.99": "XX is not an ISO country code",
    "channel=sea freight=1200/cbm duty=4.7% price=24.99": "market: this field is required",
    "market=DE channel=sea duty=4.7%": "freight: this field is required",
    "market=DE channel=sea freight=1200/cbm duty=4.7% price=24.99 hs=abc": "is not an HS code",
    "market=DE channel=sea freight=1200/cbm duty=4.7% price=24.99 fba=3 fulfilment=4": "is given twice",
}


def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_stored(console: ConsoleDriver, engine) -> None:
    for line, expected in BAD.items():
        out = console.send(line)
        assert expected in out, (line, out)
        assert "Usage:" in out and "Traceback" not in out
    assert count(engine, Sku) == 0
    console.send(TEE)
    audit_before = count(engine, AuditEntry)
    for options, expected in BAD_LANE.items():
        out = console.send(f"/cost lane TEE-01 {options}")
        assert expected in out, (options, out)
        assert "Usage:" in out and "Traceback" not in out
    assert "There is no SKU NOPE here." in console.send("/cost lane NOPE market=DE")
    assert count(engine, CostLane) == 0
    assert count(engine, AuditEntry) == audit_before


def test_numbers_as_people_type_them(console: ConsoleDriver, engine) -> None:
    console.send("/pm fx EURCNY 7.82")
    console.send("/cost add 纯棉T恤 purchase＝23.5 currency＝人民币 weight＝420g dims＝30×20×5cm")
    out = console.send("/cost lane 纯棉t恤 market＝DE channel＝海运 freight＝1200/方 duty＝12％ price＝24,99")
    assert "DE lane added to 纯棉T恤." in out
    console.send("/cost add JP-1 purchase=1,299 currency=JPY")
    with Session(engine) as db:
        tee = db.exec(select(Sku).where(Sku.code == "纯棉T恤")).one()
        lane = db.exec(select(CostLane)).one()
        yen = db.exec(select(Sku).where(Sku.code == "JP-1")).one()
    assert (tee.purchase, tee.purchase_currency, tee.weight_kg, tee.length_cm) == (D("23.5"), "CNY", D("0.420"), D(30))
    assert (lane.channel, lane.freight_basis, lane.duty_pct, lane.price) == ("sea", "cbm", D(12), D("24.99"))
    assert yen.purchase == D(1299)


def test_the_sku_list_is_paged_with_buttons(console: ConsoleDriver) -> None:
    for n in range(25):
        console.send(f"/cost add SKU-{n:02} purchase=1 currency=CNY")
    first = console.send("/cost list")
    assert "1–20 of 25" in first and "SKU-00 · CNY 1.00 · no lanes" in first and "SKU-19" in first
    assert "SKU-20" not in first and "[1] Next ›" in first and "Previous" not in first
    second = console.send("1")
    assert "21–25 of 25" in second and "SKU-24" in second and "SKU-19" not in second
    assert "[1] ‹ Previous" in second and "Next" not in second
    console.send("/cost remove SKU-24")
    console.send("/cost remove SKU-23")
    console.send("/cost remove SKU-22")
    console.send("/cost remove SKU-21")
    console.send("/cost remove SKU-20")
    assert "1–20 of 20" in console.send("/cost list")
