"""A workspace, its people and a worker over the fake Slack, for the outbox tests."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta

import procrastinate
from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.db import session_scope
from bot.delivery import Platforms
from bot.effects import Where
from bot.outbox import jobs, queue
from bot.outbox.loop import OutboxLoop
from bot.outbox.taskqueue import make_app
from bot.outbox.worker import OutboxWorker
from bot.render.slack import SlackRenderer
from bot.render.viewer import Viewer
from bot.slack.notifier import SlackNotifier
from handlers.core.reply import Effect, Reply
from models import outbox
from models.workspace import ensure_member, ensure_workspace
from tests.fakes.slack_api import FakeSlack


@dataclass(frozen=True)
class Team:
    workspace_id: int
    members: dict[str, int]  # Slack user id → member id


def team(engine: Engine, *people: tuple[str, str]) -> Team:
    """Workspace T1 with these (user id, language) people."""
    with session_scope(engine) as db:
        workspace = ensure_workspace(
            db=db, platform="slack", external_id="T1", name="Test", default_lang="en", default_tz="UTC"
        )
        assert workspace.id is not None
        members = {}
        for user, lang in people:
            member, _ = ensure_member(db=db, workspace_id=workspace.id, external_id=user)
            member.lang = lang
            assert member.id is not None
            members[user] = member.id
        return Team(workspace.id, members)


def client(fake: FakeSlack, timeout: float = 0.5) -> WebClient:
    """A Web API client that leaves every retry to the outbox (no retry handlers of its own)."""
    return WebClient(token="xoxb-test-token", base_url=fake.api_url, timeout=timeout, retry_handlers=[])


def worker(engine: Engine, fake: FakeSlack, **options: object) -> OutboxWorker:
    platforms = Platforms.of(engine, {"slack": SlackNotifier(client(fake), SlackRenderer())})
    options = {"backoff_s": 0.05, "max_backoff_s": 0.5, "post_interval_s": 0.0, "seed": 14, **options}
    return OutboxWorker(engine, platforms, **options)  # type: ignore[arg-type]


def drain(work: OutboxWorker, timeout: float = 60.0) -> None:
    assert OutboxLoop(work).drain(timeout), "the outbox still had rows due"


def put(engine: Engine, group: Team, effect: Effect, *, tell: int | None = None, within: float | None = None) -> int:
    with session_scope(engine) as db:
        return queue.add(
            db=db,
            effect=effect,
            platform="slack",
            team_ref="T1",
            viewer=Viewer(),
            where=Where(workspace_id=group.workspace_id, user_ref="U1", channel_ref="C1"),
            tell_member_id=tell,
            within=timedelta(seconds=within) if within is not None else None,
        )


def card(marker: str) -> Reply:
    return Reply.message("common.usage", usage=marker)


def count(fake: FakeSlack, marker: str) -> int:
    return sum(1 for m in fake.posted() if marker in str(m.get("text")))


def put_with_job(engine: Engine, group: Team, effect: Effect) -> int:
    """As `put`, with the row's procrastinate job deferred in the same transaction (PostgreSQL)."""
    with session_scope(engine) as db:
        row_id = queue.add(
            db=db,
            effect=effect,
            platform="slack",
            team_ref="T1",
            viewer=Viewer(),
            where=Where(workspace_id=group.workspace_id, user_ref="U1", channel_ref="C1"),
        )
        jobs.defer_in(db, row_id, "slack")
        return row_id


@contextmanager
def job_worker(engine: Engine, work: OutboxWorker, *, concurrency: int = 2) -> Iterator[None]:
    """A procrastinate worker (the `tradewind worker` task and sweep) delivering through `work`."""
    work.requeue = jobs.defer_in
    with running(make_app(engine, work, sweep_every_s=1), jobs.queues(work.platforms.names), concurrency):
        yield


@contextmanager
def running(app: procrastinate.App, queues: list[str], concurrency: int = 2) -> Iterator[None]:
    """`app`'s worker on its own event loop in a thread; stopped (the jobs in hand finished) when the
    block ends."""
    loop = asyncio.new_event_loop()
    started = threading.Event()
    tasks: list[asyncio.Task[None]] = []

    async def run() -> None:
        async with app.open_async():
            await app.run_worker_async(
                queues=queues,
                concurrency=concurrency,
                install_signal_handlers=False,
                delete_jobs="successful",
                fetch_job_polling_interval=0.2,
            )

    def main() -> None:
        asyncio.set_event_loop(loop)
        tasks.append(loop.create_task(run()))
        started.set()
        with suppress(asyncio.CancelledError):
            loop.run_until_complete(tasks[0])
        loop.close()

    thread = threading.Thread(target=main, name="procrastinate-worker", daemon=True)
    thread.start()
    started.wait(10)
    try:
        yield
    finally:
        loop.call_soon_threadsafe(tasks[0].cancel)
        thread.join(30)
        assert not thread.is_alive(), "the procrastinate worker did not stop"


def until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    """Wait for `condition`, looking again every 50 ms (the worker runs in its own thread or process)."""
    done = threading.Event()
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError("timed out waiting")
        done.wait(0.05)


def pending(engine: Engine) -> int:
    with session_scope(engine) as db:
        return outbox.pending_count(db=db)
