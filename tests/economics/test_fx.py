"""/pm fx and the conversion function other features call: the team's own rates, their dates and ages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import time_machine
from sqlmodel import Session, select

from models.audit import AuditEntry
from models.costs.fx import FxRate, convert, home_currency, rate_book
from models.workspace import Workspace
from tests.economics.support import count
from tests.support.console import ConsoleDriver

TODAY = "2026-11-25 10:00:00+00:00"


def workspace_id(engine) -> int:
    with Session(engine) as db:
        return db.exec(select(Workspace.id)).one()


@time_machine.travel(TODAY, tick=False)
def test_set_rates_are_kept_with_their_date_and_listed_with_their_age(console: ConsoleDriver, engine) -> None:
    out = console.send("/pm fx EURCNY 7.82 date=2026-11-01")
    assert "EURCNY set to 7.82 for 2026-11-01." in out
    assert "EURCNY 7.82 · set for 2026-11-01 · 24 days old" in out
    out = console.send("/pm fx eur/cny 7.90")
    assert "EURCNY set to 7.9 for 2026-11-25 (was 7.82, set for 2026-11-01)." in out
    console.send("/pm fx USD CNY 7.2")
    listed = console.send("/pm fx")
    assert "Home currency: CNY" in listed
    assert "EURCNY 7.9 · set for 2026-11-25 · 0 days old" in listed and "USDCNY 7.2" in listed
    assert "never fetches live rates" in listed
    with Session(engine) as db:
        rows = db.exec(select(FxRate).order_by(FxRate.id)).all()
        audited = db.exec(select(AuditEntry).where(AuditEntry.action == "fx")).all()
    assert [(r.base, r.quote, r.rate, r.as_of) for r in rows] == [
        ("EUR", "CNY", D("7.82"), date(2026, 11, 1)),
        ("EUR", "CNY", D("7.90"), date(2026, 11, 25)),
        ("USD", "CNY", D("7.2"), date(2026, 11, 25)),
    ]
    assert audited[1].changes["rate"] == ["7.82", "7.90"]


@time_machine.travel(TODAY, tick=False)
def test_convert_direct_inverse_cross_and_unknown(console: ConsoleDriver, engine) -> None:
    console.send("/pm fx EURCNY 7.82 date=2026-10-01")
    console.send("/pm fx USDCNY 7.20 date=2026-11-01")
    ws = workspace_id(engine)
    with Session(engine) as db:
        direct = convert(db=db, workspace_id=ws, amount=D("10"), from_currency="EUR", to_currency="CNY")
        inverse = convert(db=db, workspace_id=ws, amount=D("78.20"), from_currency="CNY", to_currency="EUR")
        cross = convert(db=db, workspace_id=ws, amount=D("10"), from_currency="EUR", to_currency="USD")
        unknown = convert(db=db, workspace_id=ws, amount=D("10"), from_currency="GBP", to_currency="CNY")
        same = convert(db=db, workspace_id=ws, amount=D("10"), from_currency="JPY", to_currency="JPY")
    assert direct is not None and direct.amount == D("78.20") and direct.rate.as_of == date(2026, 10, 1)
    assert direct.rate.age_days(date(2026, 11, 25)) == 55 and direct.rate.stale(date(2026, 11, 25))
    assert inverse is not None and abs(inverse.amount - D(10)) < D("1e-20") and inverse.rate.inverted
    # EUR → CNY → USD: 10 × 7.82 ÷ 7.20 = 10.861111…; dated by its older leg.
    assert cross is not None and cross.rate.via == "CNY"
    assert abs(cross.amount - D("78.2") / D("7.2")) < D("1e-20")
    assert cross.rate.as_of == date(2026, 10, 1)
    assert unknown is None
    assert same is not None and same.amount == D(10) and same.rate.age_days(date(2026, 11, 25)) == 0


@time_machine.travel(TODAY, tick=False)
def test_conversion_on_a_date_uses_the_rate_set_for_that_date(console: ConsoleDriver, engine) -> None:
    console.send("/pm fx EURCNY 7.70 date=2026-10-01")
    console.send("/pm fx EURCNY 7.82 date=2026-11-01")
    ws = workspace_id(engine)
    with Session(engine) as db:
        october = convert(
            db=db, workspace_id=ws, amount=D(1), from_currency="EUR", to_currency="CNY", on=date(2026, 10, 20)
        )
        november = convert(
            db=db, workspace_id=ws, amount=D(1), from_currency="EUR", to_currency="CNY", on=date(2026, 11, 2)
        )
        before = convert(
            db=db, workspace_id=ws, amount=D(1), from_currency="EUR", to_currency="CNY", on=date(2026, 9, 1)
        )
        assert len(rate_book(db=db, workspace_id=ws).latest()) == 1
    assert (october.amount, november.amount, before) == (D("7.70"), D("7.82"), None)


def test_home_currency_is_cny_until_an_admin_changes_it(console: ConsoleDriver, engine) -> None:
    ws_console = console
    ws_console.send("/pm me")  # mei is the first member: the admin
    refused = ConsoleDriver(console.console.runtime, user="li").send("/pm fx home USD")
    assert "Only a workspace admin" in refused
    ws = workspace_id(engine)
    with Session(engine) as db:
        assert home_currency(db=db, workspace_id=ws) == "CNY"
    assert "Home currency is now USD (was CNY)." in console.send("/pm fx home usd")
    with Session(engine) as db:
        assert home_currency(db=db, workspace_id=ws) == "USD"
        changed = db.exec(select(AuditEntry).where(AuditEntry.action == "settings")).one()
    assert changed.changes == {"home_currency": ["CNY", "USD"]}


def test_bad_rates_are_refused_and_nothing_is_stored(console: ConsoleDriver, engine) -> None:
    cases = {
        "/pm fx EURXYZ 7.82": "XYZ is not a currency code I know",
        "/pm fx EURCNY -7.82": "-7.82 is negative",
        "/pm fx EURCNY 0": "must be more than zero",
        "/pm fx EURCNY abc": "abc is not a number",
        "/pm fx EUREUR 1": "not EUR twice",
        "/pm fx EURCNY": "Give a pair and a rate",
        "/pm fx EURO 7.8": "is not a currency pair",
        "/pm fx EURCNY 7.82 date=2026-13-01": "is not a date I can read",
        "/pm fx EURCNY 7.82 rate=3": "rate is not an option here",
        "/pm fx home": "Give one currency",
        "/pm fx home XYZ": "XYZ is not a currency code I know",
    }
    for line, expected in cases.items():
        out = console.send(line)
        assert expected in out, (line, out)
        assert "Usage:" in out and "Traceback" not in out
    assert count(engine, FxRate) == 0


def test_chinese(console: ConsoleDriver) -> None:
    console.send("/pm lang zh")
    out = console.send("/pm fx EURCNY 7.82 date=2026-11-01")
    assert "EURCNY 已设为 7.82，适用日期 2026-11-01。" in out
    assert "本币：CNY" in out
