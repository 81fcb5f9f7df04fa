"""Delivery against the Slack-like server: 429 waits for Retry-After, other failures are retried with
back-off and logged, a scheduler that died is taken over without ever posting twice."""

from __future__ import annotations

import logging
import time
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlmodel import Session

from models.digest import run as run_model
from models.digest import schedule as digest_model
from models.digest.run import RunKind, RunState
from tests.digest.support import advance, runs, say, summaries, thread_of

SLOT = datetime(2026, 6, 2, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def setup_channel(slack_runtime, *, news: int = 3) -> None:
    say(slack_runtime, "schedule 09:30 Asia/Shanghai daily")
    for n in range(news):
        say(slack_runtime, f"add item {n}", root="req")


def test_a_429_is_retried_after_retry_after_and_posted_once(slack_runtime, schedulers, engine, fake_slack):
    with time_machine.travel(utc(2026, 6, 1, 12, 0), tick=True) as clock:
        setup_channel(slack_runtime)
        scheduler = schedulers.start()
        fake_slack.script("chat.postMessage", 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"})
        began = time.monotonic()
        advance(clock, SLOT + timedelta(seconds=2), scheduler)
        waited = time.monotonic() - began
    calls = fake_slack.calls_to("chat.postMessage")
    assert len(calls) == 3  # the summary refused once, then the summary and its thread page
    assert calls[0].body["text"] == calls[1].body["text"]
    assert waited >= 1.0
    [run] = runs(engine)
    assert (run.state, run.parts_done, run.parts_total, run.attempts) == ("posted", 2, 2, 0)
    assert len(thread_of(fake_slack, run.message_ref)) == 1


def test_a_server_error_is_retried_with_back_off_and_logged(slack_runtime, schedulers, engine, fake_slack, caplog):
    with time_machine.travel(utc(2026, 6, 1, 12, 0), tick=True) as clock:
        setup_channel(slack_runtime)
        scheduler = schedulers.start(retry_delays=(timedelta(seconds=30), timedelta(seconds=60)))
        fake_slack.script("chat.postMessage", 500, {"ok": False, "error": "internal_error"})
        fake_slack.script("chat.postMessage", 200, {"ok": False, "error": "service_unavailable"})
        with caplog.at_level(logging.WARNING, logger="bot.digest_poster"):
            advance(clock, SLOT + timedelta(seconds=1), scheduler)
            [run] = runs(engine)
            assert (run.state, run.attempts) == ("retry", 1)
            # 30 s after the attempt, which began at SLOT + 1 s (the clock ticks: a loaded machine adds to it)
            assert SLOT + timedelta(seconds=31) <= run.next_attempt_at < SLOT + timedelta(seconds=36)
            assert "internal_error" in run.note
            advance(clock, SLOT + timedelta(seconds=20), scheduler)
            assert runs(engine)[0].state == "retry"  # not before its time
            clock.move_to(run.next_attempt_at + timedelta(seconds=1))
            scheduler.aps.wakeup()  # the retry's own date job, not the minute sync
            _wait_state(engine, ("retry",), attempts=2)
            second = runs(engine)[0].next_attempt_at
            assert second >= run.next_attempt_at + timedelta(seconds=60)
            clock.move_to(second + timedelta(seconds=1))
            scheduler.aps.wakeup()
            _wait_state(engine, ("posted",))
    assert len(fake_slack.calls_to("chat.postMessage")) == 4  # two refusals, the summary, one page
    assert len(thread_of(fake_slack, runs(engine)[0].message_ref)) == 1
    assert sum("attempt" in r.getMessage() and "retrying" in r.getMessage() for r in caplog.records) == 2


def test_failures_past_the_grace_period_give_up_loudly(slack_runtime, schedulers, engine, fake_slack, caplog):
    with time_machine.travel(utc(2026, 6, 1, 12, 0), tick=True) as clock:
        setup_channel(slack_runtime)
        scheduler = schedulers.start(retry_delays=(timedelta(hours=3),))
        fake_slack.script("chat.postMessage", 200, {"ok": False, "error": "fatal_error"})
        with caplog.at_level(logging.ERROR, logger="bot.digest_poster"):
            advance(clock, SLOT + timedelta(seconds=1), scheduler)
    [run] = runs(engine)
    assert run.state == "failed" and "fatal_error" in run.note
    assert any("failed" in r.getMessage() and "fatal_error" in r.getMessage() for r in caplog.records)


def test_an_unreachable_channel_fails_at_once_and_tells_who_set_the_schedule(
    slack_runtime, schedulers, engine, fake_slack
):
    with time_machine.travel(utc(2026, 6, 1, 12, 0), tick=True) as clock:
        setup_channel(slack_runtime)
        scheduler = schedulers.start()
        fake_slack.script("chat.postMessage", 200, {"ok": False, "error": "not_in_channel"})
        advance(clock, SLOT + timedelta(seconds=1), scheduler)
    [run] = runs(engine)
    assert run.state == "failed" and "unreachable" in run.note
    [refused, dm] = fake_slack.calls_to("chat.postMessage")
    assert refused.body["channel"] == "C1" and dm.body["channel"] == "U1"
    assert "/invite @Tradewind" in str(dm.body["blocks"])


def test_a_claim_whose_scheduler_died_before_sending_is_taken_over_and_posted(
    slack_runtime, schedulers, engine, fake_slack
):
    with time_machine.travel(utc(2026, 6, 1, 12, 0), tick=True) as clock:
        setup_channel(slack_runtime)
        clock.move_to(SLOT + timedelta(seconds=1))
        _claim_as_a_dead_scheduler(engine, state=RunState.CLAIMED)
        scheduler = schedulers.start()
        assert fake_slack.calls_to("chat.postMessage") == []  # its lease still runs
        advance(clock, SLOT + timedelta(minutes=3), scheduler)
    [run] = runs(engine)
    assert (run.state, run.owner) == ("posted", scheduler.owner)
    assert len(summaries(fake_slack)) == 1


def test_a_post_in_flight_when_its_scheduler_died_is_never_posted_again(
    slack_runtime, schedulers, engine, fake_slack, caplog
):
    with time_machine.travel(utc(2026, 6, 1, 12, 0), tick=True) as clock:
        setup_channel(slack_runtime)
        clock.move_to(SLOT + timedelta(seconds=1))
        _claim_as_a_dead_scheduler(engine, state=RunState.POSTING)
        with caplog.at_level(logging.ERROR, logger="bot.digest_poster"):
            scheduler = schedulers.start()
            advance(clock, SLOT + timedelta(minutes=3), scheduler)
            advance(clock, SLOT + timedelta(minutes=30), scheduler)
    assert fake_slack.calls_to("chat.postMessage") == []
    [run] = runs(engine)
    assert run.state == "interrupted" and "never post twice" in run.note
    assert any("interrupted" in r.getMessage() for r in caplog.records)


def test_a_thread_half_posted_when_its_scheduler_died_is_finished_in_the_same_thread(
    slack_runtime, schedulers, engine, fake_slack
):
    with time_machine.travel(utc(2026, 6, 1, 12, 0), tick=True) as clock:
        setup_channel(slack_runtime, news=100)  # two pages of details
        clock.move_to(SLOT + timedelta(seconds=1))
        run_id = _claim_as_a_dead_scheduler(engine, state=RunState.CLAIMED)
        with Session(engine) as db:  # it had posted the summary and the first page
            run_model.set_state(
                db=db, run_id=run_id, owner="dead", state=RunState.CLAIMED, parts_done=2, message_ref="1699.0001"
            )
            db.commit()
        scheduler = schedulers.start()
        advance(clock, SLOT + timedelta(minutes=3), scheduler)
    [reply] = fake_slack.calls_to("chat.postMessage")
    assert reply.body["thread_ts"] == "1699.0001"
    assert "Details 2/2" in reply.body["text"]
    [run] = runs(engine)
    assert (run.state, run.parts_done, run.parts_total) == ("posted", 3, 3)


def _claim_as_a_dead_scheduler(engine, *, state: RunState) -> int:
    """The row a scheduler leaves when it is killed: claimed by it, its lease about to run out."""
    with Session(engine) as db:
        settings = digest_model.channel_settings(db=db, workspace_id=1, channel_ref="C1")
        run_id = run_model.claim_run(
            db=db,
            workspace_id=settings.workspace_id,
            channel_ref="C1",
            kind=RunKind.SCHEDULED,
            day=date(2026, 6, 2),
            slot_at=SLOT,
            state=state,
            owner="dead",
            lease=timedelta(minutes=2),
        )
        db.commit()
    return run_id


def _wait_state(engine, states: tuple[str, ...], attempts: int | None = None, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        [run] = runs(engine)
        if run.state in states and (attempts is None or run.attempts == attempts):
            return
        time.sleep(0.02)
    raise AssertionError(f"run stayed {runs(engine)[0].state} / {runs(engine)[0].attempts}")


def test_a_digest_keeps_the_channels_pace_and_no_thread_waits(slack_runtime, schedulers, engine, fake_slack):
    fake_slack.channel_pace_s = 0.5  # refuses a page sent straight after the summary; room for a loaded machine
    with time_machine.travel(utc(2026, 6, 1, 12, 0), tick=True) as clock:
        setup_channel(slack_runtime)
        scheduler = schedulers.start(post_interval_s=1.0, workspace_interval_s=0.1)
        advance(clock, SLOT + timedelta(seconds=1), scheduler)
        [run] = runs(engine)
        assert (run.state, run.parts_done) == ("retry", 1)  # the page waits for its slot, not in a thread
        assert run.attempts == 0 and run.rate_slot_at is not None
        assert run.next_attempt_at.timestamp() == pytest.approx(run.rate_slot_at)
        _wait_state(engine, ("posted",))
    [run] = runs(engine)
    assert (run.parts_done, run.parts_total, run.attempts) == (2, 2, 0)
    assert fake_slack.paced_refusals == 0
    assert len(fake_slack.calls_to("chat.postMessage")) == 2
    assert len(thread_of(fake_slack, run.message_ref)) == 1
