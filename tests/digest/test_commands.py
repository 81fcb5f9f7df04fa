"""/digest and /standup typed in the console: what is stored, and clear messages for bad input."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from sqlmodel import Session, select

from models.audit import AuditEntry
from models.digest.schedule import DigestChannel, DigestSkip
from models.standup.answer import StandupAnswer
from tests.support.console import ConsoleDriver


def settings(engine) -> DigestChannel:
    with Session(engine) as db:
        return db.exec(select(DigestChannel)).one()


def answers(engine) -> list[StandupAnswer]:
    with Session(engine) as db:
        return list(db.exec(select(StandupAnswer).order_by(StandupAnswer.id)).all())


def test_schedule_takes_time_zone_days_and_markets_as_people_type_them(console: ConsoleDriver, engine):
    out = console.send("/digest schedule 9点半 Asia/Shanghai 周一，周三，周五 market=US,UK")
    assert "Digest scheduled." in out
    row = settings(engine)
    assert (row.enabled, row.at_time, row.tz, row.days, row.markets) == (
        True,
        "09:30",
        "Asia/Shanghai",
        "mon,wed,fri",
        "GB,US",
    )
    with Session(engine) as db:
        [entry] = db.exec(select(AuditEntry).where(AuditEntry.entity == "digest_channel")).all()
    assert entry.changes["at_time"] == [None, "09:30"] and entry.changes["days"] == [None, "mon,wed,fri"]


def test_schedule_defaults_to_the_callers_zone_and_weekdays_and_keeps_what_is_not_said(console, engine):
    console.send("/pm tz Europe/Berlin")
    console.send("/digest schedule 18:05")
    row = settings(engine)
    assert (row.at_time, row.tz, row.days) == ("18:05", "Europe/Berlin", "mon,tue,wed,thu,fri")
    console.send("/digest schedule daily 07:00 America/Los_Angeles")
    assert (settings(engine).days, settings(engine).tz) == ("mon,tue,wed,thu,fri,sat,sun", "America/Los_Angeles")
    console.send("/digest schedule 07:00 UTC sat-sun")
    assert settings(engine).days == "sat,sun"
    console.send("/digest schedule 08:00")  # only the time changes
    assert (settings(engine).at_time, settings(engine).tz, settings(engine).days) == ("08:00", "UTC", "sat,sun")


def test_bad_schedules_are_refused_with_a_clear_message_and_nothing_stored(console: ConsoleDriver, engine):
    cases = {
        "/digest schedule 09:30 Asia/Shangai": "Asia/Shangai is not an IANA time zone",
        "/digest schedule 09:30 Shanghai": "Shanghai is not an IANA time zone",
        "/digest schedule 09:30 CST": "CST is not an IANA time zone",
        "/digest schedule 25:00 UTC": "25:00 is not a time of day",
        "/digest schedule Asia/Shanghai": "At what time?",
        "/digest schedule 09:30 10:00": "I didn't expect 10:00 there.",
        "/digest schedule 09:30 fri-mon": "fri-mon is not a range of days",
        "/digest schedule 09:30 market=XX": "XX is not an ISO country code",
    }
    for line, message in cases.items():
        out = console.send(line)
        assert message in out, (line, out)
        assert "Usage: /digest schedule 09:30" in out
    with Session(engine) as db:
        assert db.exec(select(DigestChannel)).all() == []


def test_show_gives_the_next_digest_skipping_skipped_dates(console: ConsoleDriver, engine):
    with time_machine.travel(datetime(2026, 11, 9, 4, 0, tzinfo=UTC), tick=True):  # Mon 12:00 in Shanghai
        console.send("/digest schedule 09:30 Asia/Shanghai weekdays")
        assert "Next: Tue 2026-11-10 09:30 (Asia/Shanghai)" in console.send("/digest show")
        out = console.send("/digest skip 2026-11-10")
        assert "No digest on 2026-11-10." in out and "Next: Wed 2026-11-11 09:30" in out
        assert "Next: Thu 2026-11-12 09:30" in console.send("/digest skip 11月11日")
        assert "has already passed" in console.send("/digest skip 2026-11-01")
        assert "Skipped dates: 2026-11-10, 2026-11-11" in console.send("/digest show")
        assert "The digest is posted on 2026-11-10 again." in console.send("/digest unskip 2026-11-10")
        assert "was not skipped" in console.send("/digest unskip 2026-11-13")
    with Session(engine) as db:
        assert db.exec(select(DigestSkip.day)).all() == [date(2026, 11, 11)]


def test_language_reminder_quiet_days_and_markets(console: ConsoleDriver, engine):
    console.send("/digest schedule 09:30 Asia/Shanghai")
    assert "Language: zh-CN" in console.send("/digest lang 中文")
    assert "Reminder: 30 min before" in console.send("/digest remind 30")
    assert "When nothing happened: post anyway" in console.send("/digest always on")
    assert "Markets: DE, JP" in console.send("/digest market JP DE")
    row = settings(engine)
    assert (row.lang, row.remind_minutes, row.always, row.markets) == ("zh-CN", 30, True, "DE,JP")
    assert "Language: the workspace's" in console.send("/digest lang default")
    assert "Reminder: off" in console.send("/digest remind off")
    assert "Markets: all" in console.send("/digest market all")
    assert "is not a number of minutes from 1 to 720" in console.send("/digest remind soon")
    assert "Say on or off." in console.send("/digest always maybe")
    assert "klingon is not a language I speak" in console.send("/digest lang klingon")
    console.send("/digest always on")
    assert "Nothing changed." in console.send("/digest always on")


def test_off_switches_the_schedule_off(console: ConsoleDriver, engine):
    assert "This channel has no digest scheduled." in console.send("/digest off")
    console.send("/digest schedule 09:30 Asia/Shanghai")
    assert "switched off" in console.send("/digest off")
    assert settings(engine).enabled is False
    assert "No schedule." in console.send("/digest show")


def test_standup_typed_with_multi_word_parts(console: ConsoleDriver, engine):
    out = console.send("/standup y: fixed the DE price=9.99 banner t: ship JP bundle, then QA b: waiting on FBA labels")
    assert "Your standup for" in out and "is saved." in out
    [row] = answers(engine)
    assert (row.yesterday, row.today, row.blockers) == (
        "fixed the DE price=9.99 banner",
        "ship JP bundle, then QA",
        "waiting on FBA labels",
    )


def test_standup_in_chinese_without_spaces(console: ConsoleDriver, engine):
    console.send("/standup 昨天：修复德国站价格；今天：上线日本站套装；阻塞：等翻译")
    [row] = answers(engine)
    assert (row.yesterday, row.today, row.blockers) == ("修复德国站价格", "上线日本站套装", "等翻译")


def test_a_second_answer_the_same_day_updates_the_first(console: ConsoleDriver, engine):
    with time_machine.travel(datetime(2026, 6, 1, 3, 0, tzinfo=UTC), tick=True) as clock:
        console.send("/standup y: a t: b b: c")
        out = console.send("/standup t: b and more b: none")
        assert "is updated." in out
        [row] = answers(engine)
        assert (row.yesterday, row.today, row.blockers) == ("a", "b and more", None)
        console.as_user("li").send("/standup t: mine")
        clock.move_to(datetime(2026, 6, 2, 3, 0, tzinfo=UTC))
        console.as_user("mei").send("/standup t: next day")
    rows = answers(engine)
    assert [(r.member_id, r.day, r.today) for r in rows] == [
        (1, date(2026, 6, 1), "b and more"),
        (2, date(2026, 6, 1), "mine"),
        (1, date(2026, 6, 2), "next day"),
    ]


def test_bad_standup_text_is_explained(console: ConsoleDriver, engine):
    assert "Start each part with y:, t: or b:" in console.send("/standup did stuff")
    assert "comes before any" in console.send("/standup did stuff t: more")
    assert "t is given twice" in console.send("/standup t: a t: b")
    assert "Your answer is empty" in console.send("/standup b: none")
    assert "too long" in console.send("/standup t: " + "x" * 1001)
    assert answers(engine) == []


def test_standup_alone_walks_through_the_form(console: ConsoleDriver, engine):
    out = console.send("/standup", "listed SKUs", "", "supplier late")
    assert "Yesterday:" in out and "Blockers:" in out
    [row] = answers(engine)
    assert (row.yesterday, row.today, row.blockers) == ("listed SKUs", None, "supplier late")
    console.send("/standup", "", "", "")  # an empty form is refused, then cancelled
    assert len(answers(engine)) == 1


def test_digest_help_lists_every_subcommand(console: ConsoleDriver):
    out = console.send("/digest help")
    for word in ("schedule", "show", "off", "now", "preview", "skip", "lang", "remind", "always", "market"):
        assert f"/digest {word}" in out
    assert "/standup y:" in console.send("/standup help")
