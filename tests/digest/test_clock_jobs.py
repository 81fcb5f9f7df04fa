"""The clock on procrastinate (PostgreSQL, DELIVERY=worker): schedulers only enqueue what is due, one
job per due moment however many clocks see it, and a worker posts it once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import procrastinate
import pytest
import time_machine
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot import clock_jobs
from bot.clock_jobs import ClockQueue
from bot.outbox import jobs
from bot.render.slack import SlackRenderer
from bot.scheduler import Scheduler
from bot.slack.app import make_client
from bot.slack.notifier import SlackNotifier
from handlers.core.jobs import JobSpec
from tests.conftest import slack_settings
from tests.digest.support import advance, say, summaries
from tests.fakes.slack_api import FakeSlack
from tests.outbox.support import running, until


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def pg(engine: Engine) -> Engine:
    if engine.dialect.name != "postgresql":
        pytest.skip("the clock enqueues procrastinate jobs on PostgreSQL only")
    return engine


def waiting(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        found = conn.execute(text("SELECT task_name, queueing_lock FROM procrastinate_jobs WHERE status = 'todo'"))
        return sorted((str(task), str(lock)) for task, lock in found)


def worker_app(engine: Engine, scheduler: Scheduler) -> procrastinate.App:
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=jobs.conninfo(engine)))
    clock_jobs.register(app, scheduler)
    return app


def test_two_clocks_enqueue_a_due_digest_once_and_a_worker_posts_it(
    slack_runtime, schedulers, pg: Engine, fake_slack: FakeSlack, database_url: str
) -> None:
    with time_machine.travel(utc(2026, 6, 1, 0, 0), tick=True) as clock:
        say(slack_runtime, "schedule 09:30 Asia/Shanghai daily")  # 01:30 UTC
        say(slack_runtime, "add item one market=US", root="req")
        first, second = schedulers.start(clock=ClockQueue(pg)), schedulers.start(clock=ClockQueue(pg))
        advance(clock, utc(2026, 6, 1, 1, 30, 2), first, second)
        advance(clock, utc(2026, 6, 1, 1, 30, 3), second, first)
        assert summaries(fake_slack, "C1") == []  # the clocks post nothing themselves
        due = [w for w in waiting(pg) if w[0] == clock_jobs.DIGEST_DUE]
        assert len(due) == 1, waiting(pg)

        notifier = SlackNotifier(make_client(slack_settings(database_url, fake_slack)), SlackRenderer())
        work = Scheduler(pg, {"slack": notifier}, jobs=(), clock=ClockQueue(pg))
        with running(worker_app(pg, work), [clock_jobs.QUEUE]):
            until(lambda: not [w for w in waiting(pg) if w[0] == clock_jobs.DIGEST_DUE])
            until(lambda: len(summaries(fake_slack, "C1")) >= 1)
    assert len(summaries(fake_slack, "C1")) == 1


def test_a_feature_job_is_enqueued_once_per_slot_and_run_once(
    schedulers, pg: Engine, fake_slack: FakeSlack, database_url: str
) -> None:
    ran: list[datetime] = []

    def count(db: object, now: datetime) -> list[object]:
        ran.append(now)
        return []

    spec = JobSpec("counted", timedelta(hours=1), count)  # type: ignore[arg-type]
    notifier = SlackNotifier(make_client(slack_settings(database_url, fake_slack)), SlackRenderer())
    first = Scheduler(pg, {"slack": notifier}, jobs=[spec], clock=ClockQueue(pg))
    second = Scheduler(pg, {"slack": notifier}, jobs=[spec], clock=ClockQueue(pg))
    first._job(spec)
    second._job(spec)
    first._job(spec)
    assert [w for w in waiting(pg) if w[0] == clock_jobs.FEATURE_JOB] == [
        (clock_jobs.FEATURE_JOB, f"job:counted:{_slot(spec)}")
    ]
    assert ran == []
    with running(worker_app(pg, first), [clock_jobs.QUEUE]):
        until(lambda: len(ran) >= 1 and not waiting(pg))
    assert len(ran) == 1


def _slot(spec: JobSpec) -> str:
    from models.job_claim import slot_of

    return slot_of(datetime.now(UTC), spec.every).isoformat()
