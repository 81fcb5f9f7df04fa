"""Two clocks on one database (two `tradewind scheduler` processes by mistake, or a deploy that
overlaps): every periodic job's slot is claimed in the job's own transaction, so each announcement is
made once; a clock that is shutting down starts nothing, and leaves what is due to the next one."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import time_machine
from sqlmodel import select

from models.job_claim import JobClaim
from tests.digest.support import say
from tests.digest.test_jobs import ANNOUNCE


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_two_clocks_running_the_same_job_at_once_announce_once(slack_runtime, schedulers, engine, fake_slack):
    with time_machine.travel(utc(2026, 6, 1, 8, 1), tick=True):
        first, second = schedulers.start(), schedulers.start()
        say(slack_runtime, "add 德国站A+页面", root="req", user="U5")
        fake_slack.reset()
        runs = [threading.Thread(target=s.run_job, args=(ANNOUNCE,)) for s in (first, second, first, second)]
        for run in runs:
            run.start()
        for run in runs:
            run.join()
    posts = fake_slack.calls_to("chat.postMessage")
    assert sorted(p.body["channel"] for p in posts) == ["C7", "U5"]  # one channel post, one DM: not twice
    with engine.connect() as conn:
        claims = conn.execute(select(JobClaim.job, JobClaim.slot)).all()
    assert claims == [("test.announce", utc(2026, 6, 1, 8, 0))]


def test_a_clock_shutting_down_starts_no_job_and_the_next_clock_does_it(slack_runtime, schedulers, fake_slack):
    with time_machine.travel(utc(2026, 6, 1, 8, 1), tick=True):
        leaving = schedulers.start()
        say(slack_runtime, "add 德国站A+页面", root="req", user="U5")
        fake_slack.reset()
        leaving.shutdown(wait=True)  # SIGTERM
        leaving.run_job(ANNOUNCE)  # what its pool or a sync in progress would have started next
        assert fake_slack.calls_to("chat.postMessage") == []
        schedulers.start().run_job(ANNOUNCE)
    assert sorted(p.body["channel"] for p in fake_slack.calls_to("chat.postMessage")) == ["C7", "U5"]
