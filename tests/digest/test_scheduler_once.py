"""Exactly once: two schedulers on one database, missed slots within and past the grace period,
skipped dates, quiet days, schedule changes picked up within a minute, reminders before the digest."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import time_machine
from sqlmodel import Session, select

from models.standup.answer import StandupAnswer
from tests.digest.support import advance, runs, say, summaries, thread_of


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_two_schedulers_on_one_database_post_each_day_once(slack_runtime, schedulers, engine, fake_slack):
    with time_machine.travel(utc(2026, 6, 1, 0, 0), tick=True) as clock:
        say(slack_runtime, "schedule 09:30 Asia/Shanghai daily")  # 01:30 UTC
        say(slack_runtime, "schedule 10:00 Europe/Berlin weekdays", channel="C2")  # 08:00 UTC in summer
        for n in range(3):
            say(slack_runtime, f"add item {n} market=US", root="req")
        say(slack_runtime, "always on", channel="C2")
        first, second = schedulers.start(), schedulers.start()
        assert first.owner != second.owner
        for day in (1, 2, 3):
            advance(clock, utc(2026, 6, day, 1, 30, 2), first, second)
            advance(clock, utc(2026, 6, day, 8, 0, 2), first, second)
            advance(clock, utc(2026, 6, day, 8, 0, 3), second, first)
    shanghai, berlin = summaries(fake_slack, "C1"), summaries(fake_slack, "C2")
    assert len(shanghai) == 1  # only the first day had news; later days were quiet
    assert len(berlin) == 3
    posted = [r for r in runs(engine) if r.state == "posted"]
    assert sorted(r.message_ref for r in posted) == sorted(_ts_of(fake_slack, c) for c in shanghai + berlin)
    for run in posted:
        assert len(thread_of(fake_slack, run.message_ref)) == 1  # one page of details each, posted once
    states = sorted((r.channel_ref, r.day, r.state) for r in runs(engine))
    assert states == [
        ("C1", date(2026, 6, 1), "posted"),
        ("C1", date(2026, 6, 2), "empty"),
        ("C1", date(2026, 6, 3), "empty"),
        ("C2", date(2026, 6, 1), "posted"),
        ("C2", date(2026, 6, 2), "posted"),
        ("C2", date(2026, 6, 3), "posted"),
    ]
    owners = {r.owner for r in runs(engine)}
    assert owners <= {first.owner, second.owner}


def test_a_slot_missed_while_down_is_posted_once_within_the_grace_period(slack_runtime, schedulers, engine, fake_slack):
    with time_machine.travel(utc(2026, 6, 1, 12, 0), tick=True) as clock:
        say(slack_runtime, "schedule 09:30 Europe/Berlin daily")
        say(slack_runtime, "always on")
        clock.move_to(utc(2026, 6, 2, 9, 15))  # the scheduler was down at 07:30 UTC; 1 h 45 min late
        first = schedulers.start()
        assert len(summaries(fake_slack)) == 1
        advance(clock, utc(2026, 6, 2, 9, 16), first)
        schedulers.stop()
        schedulers.start()  # a restart after that posts nothing more
        assert len(summaries(fake_slack)) == 1
    [run] = runs(engine)
    assert (run.day, run.state, run.slot_at) == (date(2026, 6, 2), "posted", utc(2026, 6, 2, 7, 30))


def test_a_slot_missed_past_the_grace_period_is_skipped_and_noted(
    slack_runtime, schedulers, engine, fake_slack, caplog
):
    with time_machine.travel(utc(2026, 6, 1, 12, 0), tick=True) as clock:
        say(slack_runtime, "schedule 09:30 Europe/Berlin daily")
        say(slack_runtime, "always on")
        clock.move_to(utc(2026, 6, 3, 10, 0))  # down for two slots, the newest 2 h 30 min ago
        with caplog.at_level(logging.WARNING, logger="bot.digest_poster"):
            schedulers.start()
    assert summaries(fake_slack) == []
    assert [(r.day, r.state) for r in runs(engine)] == [(date(2026, 6, 2), "missed"), (date(2026, 6, 3), "missed")]
    assert all("past the grace period" in (r.note or "") for r in runs(engine))
    assert sum("missed" in r.getMessage() for r in caplog.records) == 2


def test_a_schedule_set_after_todays_time_starts_tomorrow(slack_runtime, schedulers, engine, fake_slack):
    with time_machine.travel(utc(2026, 6, 1, 8, 0), tick=True) as clock:
        say(slack_runtime, "schedule 09:30 Europe/Berlin daily")  # 07:30 UTC has passed today
        say(slack_runtime, "always on")
        scheduler = schedulers.start()
        advance(clock, utc(2026, 6, 1, 8, 1), scheduler)
        assert summaries(fake_slack) == [] and runs(engine) == []
        advance(clock, utc(2026, 6, 2, 7, 30, 1), scheduler)
        assert len(summaries(fake_slack)) == 1


def test_changes_take_effect_within_a_minute_without_a_restart(slack_runtime, schedulers, engine, fake_slack):
    with time_machine.travel(utc(2026, 6, 1, 6, 0), tick=True) as clock:
        say(slack_runtime, "schedule 09:30 Europe/Berlin daily")
        say(slack_runtime, "always on")
        scheduler = schedulers.start()
        assert scheduler.aps.get_job("digest:1").next_run_time.astimezone(UTC) == utc(2026, 6, 1, 7, 30)
        say(slack_runtime, "schedule 08:10 Europe/Berlin daily")  # 06:10 UTC
        syncs = scheduler.syncs
        clock.move_to(utc(2026, 6, 1, 6, 1, 1))  # the minute sync comes due by itself
        scheduler.aps.wakeup()
        scheduler.wait_idle(syncs)
        assert scheduler.aps.get_job("digest:1").next_run_time.astimezone(UTC) == utc(2026, 6, 1, 6, 10)
        clock.move_to(utc(2026, 6, 1, 6, 10, 1))
        scheduler.aps.wakeup()
        fake_slack.wait_for("chat.postMessage")
        say(slack_runtime, "off")
        advance(clock, utc(2026, 6, 2, 6, 10, 1), scheduler)
        assert scheduler.aps.get_job("digest:1") is None
    assert len(summaries(fake_slack)) == 1


def test_a_skipped_date_posts_nothing_and_says_so(slack_runtime, schedulers, engine, fake_slack):
    with time_machine.travel(utc(2026, 11, 9, 12, 0), tick=True) as clock:
        say(slack_runtime, "schedule 09:30 Asia/Shanghai daily")
        say(slack_runtime, "always on")
        say(slack_runtime, "skip 2026-11-11")
        scheduler = schedulers.start()
        for day in (10, 11, 12):
            advance(clock, utc(2026, 11, day, 1, 30, 1), scheduler)
    assert len(summaries(fake_slack)) == 2
    assert [(r.day, r.state) for r in runs(engine)] == [
        (date(2026, 11, 10), "posted"),
        (date(2026, 11, 11), "skipped"),
        (date(2026, 11, 12), "posted"),
    ]


def test_nothing_is_posted_when_nothing_happened_unless_always(slack_runtime, schedulers, engine, fake_slack):
    with time_machine.travel(utc(2026, 6, 1, 0, 0), tick=True) as clock:
        say(slack_runtime, "schedule 09:30 Asia/Shanghai daily")
        scheduler = schedulers.start()
        advance(clock, utc(2026, 6, 1, 1, 30, 1), scheduler)
        assert summaries(fake_slack) == []
        say(slack_runtime, "add new thing market=DE", root="req")
        advance(clock, utc(2026, 6, 2, 1, 30, 1), scheduler)
        [posted] = summaries(fake_slack)
        assert "New requirements: 1" in str(posted.body["blocks"])
        advance(clock, utc(2026, 6, 3, 1, 30, 1), scheduler)
        say(slack_runtime, "always on")
        advance(clock, utc(2026, 6, 4, 1, 30, 1), scheduler)
    assert [r.state for r in runs(engine)] == ["empty", "posted", "empty", "posted"]
    assert "Nothing new since the last digest." in str(summaries(fake_slack)[-1].body["blocks"])


def test_reminders_go_to_those_who_have_not_answered_n_minutes_before(slack_runtime, schedulers, engine, fake_slack):
    with time_machine.travel(utc(2026, 5, 31, 12, 0), tick=True) as clock:
        say(slack_runtime, "schedule 09:30 Asia/Shanghai daily")  # 01:30 UTC
        say(slack_runtime, "remind 30")
        say(slack_runtime, "y: a t: b", root="standup", user="U1")
        say(slack_runtime, "y: c t: d", root="standup", user="U2")
        say(slack_runtime, "y: e t: f", root="standup", user="U3", channel="C9")  # another channel's team
        scheduler = schedulers.start()
        advance(clock, utc(2026, 6, 1, 1, 30, 5), scheduler)
        assert len(summaries(fake_slack)) == 1  # the first digest, with both answers
        advance(clock, utc(2026, 6, 2, 0, 30), scheduler)
        say(slack_runtime, "y: a2 t: b2 b: none", root="standup", user="U1")  # U1 answers before the next one
        advance(clock, utc(2026, 6, 2, 0, 59, 30), scheduler)
        assert _direct_messages(fake_slack) == []
        advance(clock, utc(2026, 6, 2, 1, 0, 5), scheduler)  # 09:00:05 in Shanghai: 30 minutes before
        advance(clock, utc(2026, 6, 2, 1, 10), scheduler)
    [reminder] = _direct_messages(fake_slack)
    assert reminder.body["channel"] == "U2"
    assert "in 30 minutes" in str(reminder.body["blocks"]) and "<#C1>" in str(reminder.body["blocks"])
    assert [(r.kind, r.day, r.state, r.note) for r in runs(engine) if r.kind == "remind"] == [
        ("remind", date(2026, 6, 2), "posted", "1 of 1 reminded")
    ]
    with Session(engine) as db:
        assert len(db.exec(select(StandupAnswer)).all()) == 4


def _direct_messages(fake_slack) -> list:
    return [c for c in fake_slack.calls_to("chat.postMessage") if c.body["channel"].startswith("U")]


def _ts_of(fake_slack, summary) -> str:
    """The ts the fake answered a summary with: the thread_ts its replies carry."""
    posts = fake_slack.calls_to("chat.postMessage")
    return posts[posts.index(summary) + 1].body["thread_ts"]
