"""Fan-out at scale, on PostgreSQL: 1,000 channels in 100 workspaces with a digest each due in the same
minute, delivered by two `tradewind worker` processes against a fake Slack that allows one post a second
per channel and answers 429 beyond a workspace-wide tier. Every summary and thread page arrives exactly
once, none before its slot, each page in its summary's thread and in order.

The channels post in parallel, so the run is bounded by the workers' throughput, not by the one post a
second per channel (bench/bench_fanout.py measures it; the README has the figures)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.db import session_scope
from models.outbox import Outbox
from tests.fakes.slack_api import FakeSlack, WorkspaceTier
from tests.outbox import fanout

CHANNELS, PER_WORKSPACE, PAGES = 1_000, 10, 2
LEAD_S = 25.0  # the first slot is this far after seeding begins (room on a loaded machine); the rest within the minute


@pytest.fixture
def fake(fake_slack: FakeSlack) -> Iterator[FakeSlack]:
    fake_slack.reset()
    yield fake_slack
    fake_slack.reset()


def statuses(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as db:
        found = list(db.execute(select(Outbox.status)).scalars())  # type: ignore[call-overload]
    return {s: found.count(s) for s in set(found)}


def test_a_thousand_channels_due_in_one_minute_are_each_posted_once_on_time_and_in_thread_order(
    engine: Engine, database_url: str, fake: FakeSlack
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("several worker processes share one PostgreSQL; SQLite is the one-process default")
    fake.channel_pace_s = 1.0
    # Tighter than the default bucket, so that a workspace's 10 summaries, due together, run into it.
    fake.workspace_tier = WorkspaceTier(per_minute=100, burst=5)
    env = {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-fanout",
        "SLACK_SIGNING_SECRET": "secret",
        "SLACK_API_URL": fake.api_url,
        "POST_INTERVAL_S": "1.0",
        "LOG_LEVEL": "WARNING",
    }
    workers = fanout.start_workers(2, env)
    try:
        base = time.time() + LEAD_S
        slots = {w: base + (w % 10) * 2.0 for w in range(CHANNELS // PER_WORKSPACE)}  # 09:00:00 … 09:00:18
        digests = fanout.seed(engine, fake, channels=CHANNELS, per_workspace=PER_WORKSPACE, pages=PAGES, slot_of=slots)
        assert time.time() < base, "seeding took longer than the lead: the slots would prove nothing"
        end = time.monotonic() + 170
        while fanout.pending(engine) and time.monotonic() < end:
            assert all(w.poll() is None for w in workers), "a worker died"
            time.sleep(0.2)
    finally:
        codes = fanout.stop_workers(workers)

    assert statuses(engine) == {"sent": CHANNELS}
    assert fanout.problems(digests, fanout.seen(fake)) == []
    # The workspace tier did refuse posts (the workers do not share a workspace limit yet; its 429s are
    # honoured through Retry-After).
    assert fake.workspace_tier.refused > 0
    assert codes == [0, 0]  # SIGTERM: each stops after the row in hand
