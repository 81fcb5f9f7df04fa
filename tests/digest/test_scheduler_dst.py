"""The real APScheduler, driven through time travel: digests at the channel's local time across
daylight-saving changes, once a day even when a local time happens twice."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine

from tests.digest.support import advance, runs, say, summaries


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_berlin_digest_stays_at_0930_local_across_the_spring_change(slack_runtime, schedulers, engine, fake_slack):
    with time_machine.travel(utc(2026, 3, 27, 12, 0), tick=True) as clock:
        say(slack_runtime, "schedule 09:30 Europe/Berlin daily")
        say(slack_runtime, "always on")
        scheduler = schedulers.start()
        advance(clock, utc(2026, 3, 28, 8, 29, 50), scheduler)  # 09:29:50 CET
        assert summaries(fake_slack) == []
        advance(clock, utc(2026, 3, 28, 8, 30, 5), scheduler)  # 09:30:05 CET
        assert len(summaries(fake_slack)) == 1
        advance(clock, utc(2026, 3, 29, 7, 29, 50), scheduler)  # 09:29:50 CEST, the day clocks went forward
        assert len(summaries(fake_slack)) == 1
        advance(clock, utc(2026, 3, 29, 7, 30, 5), scheduler)  # 09:30:05 CEST
        assert len(summaries(fake_slack)) == 2
        advance(clock, utc(2026, 3, 29, 8, 30, 5), scheduler)  # 08:30 UTC no longer means 09:30 there
        assert len(summaries(fake_slack)) == 2
    assert [(r.day, r.slot_at, r.state) for r in runs(engine)] == [
        (date(2026, 3, 28), utc(2026, 3, 28, 8, 30), "posted"),
        (date(2026, 3, 29), utc(2026, 3, 29, 7, 30), "posted"),
    ]


def test_the_cron_job_itself_fires_on_time_without_waiting_for_the_minute_sync(
    slack_runtime, schedulers, engine, fake_slack
):
    with time_machine.travel(utc(2026, 10, 24, 7, 29, 30), tick=True) as clock:
        say(slack_runtime, "schedule 09:30 Europe/Berlin daily")  # 07:30 UTC in CEST
        say(slack_runtime, "always on")
        scheduler = schedulers.start()
        syncs = scheduler.syncs
        clock.move_to(utc(2026, 10, 24, 7, 30, 1))  # 31 s later: the minute sync is not due yet
        scheduler.aps.wakeup()
        [posted] = fake_slack.wait_for("chat.postMessage")
        assert scheduler.syncs == syncs
        assert "Sat 2026-10-24" in posted.body["text"]


def test_los_angeles_fall_back_posts_once_although_0130_happens_twice(slack_runtime, schedulers, engine, fake_slack):
    with time_machine.travel(utc(2026, 10, 31, 12, 0), tick=True) as clock:
        say(slack_runtime, "schedule 01:30 America/Los_Angeles daily")
        say(slack_runtime, "always on")
        scheduler = schedulers.start()
        assert scheduler.aps.get_job("digest:1").next_run_time.astimezone(UTC) == utc(2026, 11, 1, 8, 30)
        advance(clock, utc(2026, 11, 1, 8, 30, 5), scheduler)  # 01:30:05 PDT
        assert len(summaries(fake_slack)) == 1
        # The cron trigger fires again at 01:30 PST (an hour later); the day is already claimed.
        assert scheduler.aps.get_job("digest:1").next_run_time.astimezone(UTC) == utc(2026, 11, 1, 9, 30)
        clock.move_to(utc(2026, 11, 1, 9, 30, 5))
        syncs = scheduler.syncs
        scheduler.aps.wakeup()
        advance(clock, utc(2026, 11, 1, 9, 30, 10), scheduler)
        assert scheduler.syncs > syncs
        assert len(summaries(fake_slack)) == 1
        advance(clock, utc(2026, 11, 2, 9, 30, 5), scheduler)  # 01:30:05 PST the next day
        assert len(summaries(fake_slack)) == 2
    assert [(r.day, r.slot_at) for r in runs(engine)] == [
        (date(2026, 11, 1), utc(2026, 11, 1, 8, 30)),
        (date(2026, 11, 2), utc(2026, 11, 2, 9, 30)),
    ]


def test_los_angeles_spring_forward_posts_a_skipped_local_time_once_an_hour_later(
    slack_runtime, schedulers, engine, fake_slack
):
    with time_machine.travel(utc(2026, 3, 7, 12, 0), tick=True) as clock:
        say(slack_runtime, "schedule 02:30 America/Los_Angeles daily")  # 02:30 does not exist on 8 March
        say(slack_runtime, "always on")
        scheduler = schedulers.start()
        advance(clock, utc(2026, 3, 8, 9, 59, 0), scheduler)  # 01:59 PST, the last minute before 03:00 PDT
        assert summaries(fake_slack) == []
        advance(clock, utc(2026, 3, 8, 10, 30, 5), scheduler)  # 03:30:05 PDT
        assert len(summaries(fake_slack)) == 1
        advance(clock, utc(2026, 3, 9, 9, 30, 5), scheduler)  # 02:30:05 PDT the next day
        assert len(summaries(fake_slack)) == 2
    assert [(r.day, r.slot_at) for r in runs(engine)] == [
        (date(2026, 3, 8), utc(2026, 3, 8, 10, 30)),
        (date(2026, 3, 9), utc(2026, 3, 9, 9, 30)),
    ]
