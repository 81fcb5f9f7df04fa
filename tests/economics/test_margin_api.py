"""The what-if function other features (the risk register's FX, tariff and freight indicators) call."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import time_machine
from sqlmodel import Session, select

from models.costs.cost import Sku
from models.costs.margin import Shock, evaluate_sku, what_if_all
from models.money import rounded
from models.workspace import Workspace
from tests.economics.support import LAMP, LAMP_US, TEE, TEE_DE
from tests.support.console import ConsoleDriver

ON = date(2026, 11, 25)


def setup(console: ConsoleDriver) -> None:
    with time_machine.travel("2026-11-25 10:00:00+00:00", tick=False):
        for line in ("/pm fx EURCNY 7.82", "/pm fx USDCNY 7.20", TEE, TEE_DE, LAMP, LAMP_US):
            console.send(line)


def test_what_if_all_shocks_every_lane_and_filters_by_market_or_currency(console: ConsoleDriver, engine) -> None:
    setup(console)
    with Session(engine) as db:
        ws = db.exec(select(Workspace.id)).one()
        hits = what_if_all(db=db, workspace_id=ws, shock=Shock(fx_pct=D(-5), duty_points=D(10)), on=ON)
        dollars = what_if_all(db=db, workspace_id=ws, shock=Shock(fx_pct=D(-5)), on=ON, currencies={"USD"})
        germany = what_if_all(db=db, workspace_id=ws, shock=Shock(freight_pct=D(30)), on=ON, markets={"DE"})
    assert [(h.sku_code, h.market) for h in hits] == [("LAMP-2", "US"), ("TEE-01", "DE")]
    us = hits[0]
    # By hand (see test_costs): contribution 0.983278 → −0.433023 under USDCNY × 0.95 and duty 25 % → 35 %,
    # less the MPF, 0.3464 % of the goods: 0.02165 (45 ÷ 7.20 = 6.25) → 0.022789 (45 ÷ 6.84 = 6.578947):
    # 0.961628 → −0.455812; and the referral fee refunded on returns, 5 % × 4.4985 × 0.8 = 0.17994, both:
    # 1.141568 → −0.275872.
    assert rounded(us.base.build.contribution, "USD") == D("1.14")
    assert rounded(us.shocked.build.contribution, "USD") == D("-0.28")
    assert us.turns_negative and us.negative
    assert rounded(us.change, "USD") == D("-1.42")  # −0.275872 − 1.141568 = −1.417440
    assert [h.market for h in dollars] == ["US"]
    # Freight +30 %: CNY 3.60 → 4.68; CIF (23.50 + 4.68) ÷ 7.82 × 1.12 = 31.5616 ÷ 7.82 = 4.036010 for goods,
    # freight and duty; contribution 21.00 − 10.5277 − 4.036010 = 6.436290, and the referral fee refunded on
    # returns (1.26 − 1.080072 = 0.179928): 6.616218 → 6.62 (was 6.77).
    [de] = germany
    assert rounded(de.shocked.build.contribution, "EUR") == D("6.62")
    assert not de.turns_negative and not de.negative


def test_a_zero_shock_changes_nothing(console: ConsoleDriver, engine) -> None:
    setup(console)
    with Session(engine) as db:
        sku = db.exec(select(Sku).where(Sku.code == "TEE-01")).one()
        [plain] = evaluate_sku(db=db, sku=sku, on=ON)
        [shocked] = evaluate_sku(db=db, sku=sku, on=ON, shock=Shock())
    assert Shock().is_none
    assert plain.build == shocked.build
    assert plain.to_home == D("7.82")
