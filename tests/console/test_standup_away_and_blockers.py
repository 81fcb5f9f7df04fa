"""Standups that know who is away and which blockers have stayed: `/standup away`, `/standup back`, and
the digest raising a blocker open for the team's number of days (3 unless `/pm settings blocker_days=`)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from sqlmodel import Session, select

from bot.runtime import Runtime
from models.workspace import Member
from tests.support.console import ConsoleDriver


def at(day: int, hour: int = 2) -> datetime:
    return datetime(2026, 12, day, hour, 0, tzinfo=UTC)


def test_away_until_is_stored_refused_in_the_past_and_cleared_by_back(console: ConsoleDriver, engine) -> None:
    with time_machine.travel(at(3), tick=False):
        assert "You are away until 2026-12-20" in console.send("/standup away until=2026-12-20")
        with Session(engine) as db:
            assert db.exec(select(Member.away_until).where(Member.external_id == "mei")).one() == date(2026, 12, 20)
        assert "2026-12-01 has passed already." in console.send("/standup away until=2026-12-01")
        assert "Until when?" in console.send("/standup away")
        assert "Welcome back" in console.send("/standup back")
        with Session(engine) as db:
            assert db.exec(select(Member.away_until).where(Member.external_id == "mei")).one() is None
        console.send("/pm lang zh")
        assert "已记下你休假到 2026-12-24" in console.send("/standup away until=12月24日")


def test_the_digest_raises_a_blocker_open_three_days_and_shows_who_is_away(runtime: Runtime, engine) -> None:
    mei, li = ConsoleDriver(runtime), ConsoleDriver(runtime, user="li")
    for day in (1, 2, 3, 4):
        with time_machine.travel(at(day), tick=False):
            mei.send("/standup y: listing fixes t: DE launch b: waiting on the EU size chart from the supplier")
            if day == 4:
                li.send("/standup y: pricing t: JP bundle b: none")
    with time_machine.travel(at(4, 3), tick=False):
        li.send("/standup away until=2026-12-18")
        preview = mei.send("/digest preview")
    assert "Blocked for 3 days or more" in preview
    assert "waiting on the EU size chart from the supplier" in preview
    assert "blocked for 3 days" in preview
    assert "Away" in preview and "away until 2026-12-18" in preview and "@li" in preview
    with time_machine.travel(at(4, 3), tick=False):
        mei.send("/pm settings blocker_days=5")
        later = mei.send("/digest preview")
    assert "Blocked for" not in later  # three days is not five


def test_a_blocker_that_cleared_is_not_raised(runtime: Runtime) -> None:
    mei = ConsoleDriver(runtime)
    for day, blockers in ((1, "customs hold"), (2, "none"), (3, "customs hold"), (4, "customs hold")):
        with time_machine.travel(at(day), tick=False):
            mei.send(f"/standup y: a t: b b: {blockers}")
    with time_machine.travel(at(4, 3), tick=False):
        assert "Blocked for" not in mei.send("/digest preview")
