"""A `tradewind worker` process killed mid-delivery (SIGKILL) loses nothing and doubles nothing: the
next worker takes the row when its lease runs out, finds the post already in the channel, and goes on
with what was still queued. On PostgreSQL the workers are procrastinate's: the rows, written with no job,
are found by the sweep, and the killed worker's job in hand is left behind; the sweep defers the row
again once its lease has run out."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine

from bot.db import session_scope
from handlers.core.reply import PostToChannel
from models.outbox import Outbox
from tests.fakes.slack_api import Chaos, FakeSlack
from tests.outbox.support import card, count, put, team


@pytest.fixture
def fake(fake_slack: FakeSlack) -> Iterator[FakeSlack]:
    fake_slack.reset()
    yield fake_slack
    fake_slack.reset()


def start_worker(database_url: str, fake: FakeSlack) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": "secret",
        "SLACK_API_URL": fake.api_url,
        "POST_INTERVAL_S": "0",
        "OUTBOX_LEASE_S": "2",
        "OUTBOX_BACKOFF_S": "0.1",
        "OUTBOX_SWEEP_S": "1",
    }
    return subprocess.Popen([sys.executable, "-m", "bot", "worker"], env=env, stdout=subprocess.DEVNULL)


def wait(until: object, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if until():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def statuses(engine: Engine) -> list[str]:
    with session_scope(engine) as db:
        return list(db.execute(select(Outbox.status).order_by(Outbox.id)).scalars())  # type: ignore[arg-type]


def jobs_open(engine: Engine) -> int:
    """procrastinate jobs being run or waiting (one whose post timed out on a slow machine is deferred
    again, so it may be waiting rather than running by the time this looks)."""
    with engine.connect() as conn:
        found = conn.execute(text("SELECT count(*) FROM procrastinate_jobs WHERE status IN ('doing', 'todo')"))
        return int(found.scalar_one())


def test_a_worker_killed_mid_post_loses_nothing_and_doubles_nothing(
    engine: Engine, database_url: str, fake: FakeSlack
) -> None:
    group = team(engine, ("U1", "en"))
    for i in range(3):
        put(engine, group, PostToChannel(card(f"queued-{i:02d}"), channel_ref="C1"))
    # The first post reaches the channel, but its answer never comes back before the worker dies.
    fake.chaos = Chaos(seed=1, rate=1.0, methods=("chat.postMessage",), kinds=("hang",), hang_s=30.0)
    first = start_worker(database_url, fake)
    try:
        wait(lambda: count(fake, "queued-00") == 1)
        if engine.dialect.name == "postgresql":  # on PostgreSQL the worker is procrastinate's
            assert jobs_open(engine) >= 1
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    assert statuses(engine) == ["pending", "pending", "pending"]
    fake.chaos = None

    second = start_worker(database_url, fake)  # a restart: what was queued is delivered
    try:
        wait(lambda: statuses(engine) == ["sent", "sent", "sent"])
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(20)
    assert [count(fake, f"queued-{i:02d}") for i in range(3)] == [1, 1, 1]
    assert fake.calls_to("conversations.history"), "the row in doubt was looked up before posting again"
    assert second.returncode == 0  # SIGTERM: it stops after the row in hand
