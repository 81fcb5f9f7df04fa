"""One exchange rate per pair, whichever door it came in by: `/pm figure fx.USDCNY` (or an HTTP push)
and `/pm fx` read and write the same rate; driven through the console on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import time_machine
from alembic import command
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from bot.migrate import alembic_config
from models.costs.fx import FxRate
from models.risks.indicator import Figure
from models.workspace import Workspace
from tests.support.console import ConsoleDriver


def test_a_figure_is_the_rate_and_the_rate_is_the_figure(console: ConsoleDriver) -> None:
    assert console.send("/pm figure fx.USDCNY 7.41") == "fx.USDCNY = 7.41.\n"
    assert "USDCNY 7.41 · set for" in console.send("/pm fx")
    assert "(was 7.41," in console.send("/pm fx USD CNY 7.10")
    figures = console.send("/pm figure")
    assert "fx.USDCNY = 7.10" in figures and "7.41" not in figures and "1–1 of 1" in figures
    console.send("/pm figure fx.usdcny 7.2")  # any case names the same pair
    out = console.send("/pm fx")
    assert "USDCNY 7.2 · set for" in out and out.count("USDCNY") == 1
    console.send("/pm figure freight.CN-US.40ft 4200")  # other figures stay figures
    assert "freight.CN-US.40ft = 4200" in console.send("/pm figure")
    assert "freight" not in console.send("/pm fx")


def test_a_rate_set_either_way_alerts_the_risks_watching_it(console: ConsoleDriver) -> None:
    console.send("/risk add CNY strengthens category=fx likelihood=3 impact=4")
    console.send("/risk watch RISK-1 fx.USDCNY below 7.0")
    assert "Threshold alerts sent" not in console.send("/pm figure fx.USDCNY 7.10")
    assert "Early warning: fx.USDCNY is 6.95, below 7.0" in console.send("/pm fx USDCNY 6.95")
    assert "Early warning" not in console.send("/pm figure fx.USDCNY 6.9")  # still past it
    assert "fx.USDCNY below 7.0 · now 6.9" in console.send("/risk show RISK-1")
    assert "Early warning" not in console.send("/pm fx USDCNY 6.5 date=2026-01")  # an older month's rate
    assert "fx.USDCNY below 7.0 · now 6.9" in console.send("/risk show RISK-1")


def test_a_person_a_day_ahead_of_the_team_sets_the_same_days_rate_both_ways(console: ConsoleDriver) -> None:
    console.send("/pm tz Asia/Shanghai")  # the workspace stays on UTC
    with time_machine.travel(datetime(2026, 12, 6, 21, 30, tzinfo=UTC)):  # 05:30 on the 7th in Shanghai
        assert "set for 2026-12-06" in console.send("/pm fx USDCNY 7.18")
        console.send("/risk add CNY weakens category=fx likelihood=3 impact=4")
        console.send("/risk watch RISK-1 fx.USDCNY above 7.19")
        assert "Early warning" in console.send("/pm figure fx.USDCNY 7.2")
        out = console.send("/pm fx")
    assert "USDCNY 7.2 · set for 2026-12-06" in out and out.count("USDCNY") == 1


def test_only_who_may_set_rates_sets_one_as_a_figure_and_never_zero(console: ConsoleDriver) -> None:
    console.send("/pm figure returns.DE 3")
    sam = console.as_user("sam")
    refused = sam.send("/pm figure fx.USDCNY 7.3")
    assert "can set the team's exchange rates" in refused
    assert "returns.DE = 4." in sam.send("/pm figure returns.DE 4")  # a plain figure anyone may feed
    console.as_user("mei")  # the first person, the workspace's admin
    assert "give a number above 0, not 0" in console.send("/pm figure fx.USDCNY 0")
    assert "No rates set yet" in console.send("/pm fx")
    console.send("/pm lang zh")
    assert "fx.EURCNY 是汇率：请给大于 0 的数，不是 -1。" in console.send("/pm figure fx.EURCNY -1")


def test_the_migration_moves_fed_rates_into_the_rates(database_url: str, engine: Engine) -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    command.downgrade(cfg, "0010")
    fed = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    with engine.begin() as conn:
        ws = conn.execute(
            insert(Workspace).values(platform="console", external_id="T-MIG", name="m").returning(Workspace.id)
        ).scalar_one()
        rows = [("fx.USDCNY", "7.25"), ("fx.EURCNY", "7.8"), ("returns.DE", "3.5"), ("fx.ABCXYZ", "2")]
        for name, value in rows:
            conn.execute(
                insert(Figure).values(
                    workspace_id=ws, key=name.casefold(), name=name, value=Decimal(value), source="http", updated_at=fed
                )
            )
        later = datetime(2026, 11, 25, tzinfo=UTC)  # EURCNY was set by /pm fx after it was fed
        conn.execute(
            insert(FxRate).values(
                workspace_id=ws, base="EUR", quote="CNY", rate=Decimal("7.9"), as_of=later.date(), set_at=later
            )
        )
    command.upgrade(cfg, "head")
    with engine.connect() as conn:
        rates = conn.execute(
            select(FxRate.base, FxRate.quote, FxRate.rate, FxRate.as_of).where(FxRate.workspace_id == ws)
        ).all()
        figures = conn.execute(select(Figure.name).where(Figure.workspace_id == ws)).scalars().all()
    assert sorted((b, q, str(r), d.isoformat()) for b, q, r, d in rates) == [
        ("EUR", "CNY", "7.9", "2026-11-25"),
        ("USD", "CNY", "7.25", "2026-11-20"),
    ]
    assert sorted(figures) == ["fx.ABCXYZ", "returns.DE"]  # not a pair of currencies: stays a figure
