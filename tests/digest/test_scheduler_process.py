"""`tradewind scheduler` as a process: it posts what is due, stops cleanly on SIGTERM, and when it is
killed in the middle of a post, the scheduler that comes after it never posts that digest again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import time_machine

from models.base import utcnow
from tests.digest.support import backdate_schedule, runs, say, summaries
from tests.fakes.slack_api import FakeSlack


def scheduler_process(database_url: str, fake: FakeSlack, **extra: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "LARK_", "DATABASE_URL"))}
    env |= {"DATABASE_URL": database_url, "LOG_LEVEL": "INFO", "SLACK_API_URL": fake.api_url, **extra}
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "scheduler"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )


def due_five_minutes_ago(slack_runtime, engine) -> None:
    """A daily digest whose time today was five minutes ago (within the grace period), set yesterday."""
    at = (utcnow() - timedelta(minutes=5)).strftime("%H:%M")
    say(slack_runtime, f"schedule {at} UTC daily")
    say(slack_runtime, "always on")
    backdate_schedule(engine, utcnow() - timedelta(days=1))


def wait_for_state(engine, state: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if [r.state for r in runs(engine)] == [state]:
            return
        time.sleep(0.05)
    raise AssertionError(f"runs: {[(r.state, r.note) for r in runs(engine)]}")


def test_the_scheduler_process_posts_what_is_due_and_stops_on_sigterm(
    slack_runtime, schedulers, engine, database_url, fake_slack
):
    due_five_minutes_ago(slack_runtime, engine)
    proc = scheduler_process(database_url, fake_slack, SLACK_BOT_TOKEN="xoxb-clock")
    try:
        wait_for_state(engine, "posted")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert len(summaries(fake_slack)) == 1
    assert fake_slack.calls_to("chat.postMessage")[0].token == "xoxb-clock"
    assert "scheduler stopping" in proc.stderr.read()


def test_killed_in_the_middle_of_a_post_the_digest_is_never_posted_twice(
    slack_runtime, schedulers, engine, database_url, fake_slack
):
    due_five_minutes_ago(slack_runtime, engine)
    fake_slack.hold("chat.postMessage", 20)  # Slack has the message; its answer is slow to come back
    proc = scheduler_process(database_url, fake_slack, SLACK_BOT_TOKEN="xoxb-clock")
    try:
        fake_slack.wait_for("chat.postMessage", timeout=30)
        wait_for_state(engine, "posting")
    finally:
        proc.kill()
        proc.wait(timeout=10)
    with time_machine.travel(utcnow() + timedelta(minutes=3), tick=True):  # its lease has run out
        schedulers.start()
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    [run] = runs(engine)
    assert run.state == "interrupted" and "never post twice" in run.note


def test_without_a_chat_platform_the_scheduler_refuses_to_start(database_url, engine, fake_slack):
    proc = scheduler_process(database_url, fake_slack)
    assert proc.wait(timeout=30) == 2
    assert "nowhere to post" in proc.stderr.read()
