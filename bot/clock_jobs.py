"""The clock's work as procrastinate jobs (PostgreSQL with DELIVERY=worker).

`tradewind scheduler` stays the clock: APScheduler decides what is due and, instead of doing it in its
own threads, enqueues a job on the `clock` queue; `tradewind worker` processes run them. Each job has a
queueing lock (`digest:<channel>`, `job:<name>:<slot>`, ...), so one due moment is enqueued once while
it waits; the claims in the database (digest runs, `job_claim`) stay the exactly-once guard when it runs.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.db import session_scope

if TYPE_CHECKING:
    import procrastinate

log = logging.getLogger(__name__)

QUEUE = "clock"
DIGEST_DUE = "digest_due"
DIGEST_RETRY = "digest_retry"
DIGEST_RECOVER = "digest_recover"
STANDUP_REMIND = "standup_remind"
FEATURE_JOB = "clock_job"

_DEFER = text(
    "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, NULL, :lock, CAST(:args AS jsonb), :at)"
    "::procrastinate_job_to_defer_v1])"
)


class ClockQueue:
    """Where the clock puts what is due: one job per due moment, its own short transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def enqueue(self, task: str, lock: str, at: datetime | None = None, **args: Any) -> bool:
        """False when a job with this lock is already waiting (it will do the same work)."""
        values = {"queue": QUEUE, "task": task, "lock": lock, "args": json.dumps(args), "at": at}
        try:
            with session_scope(self.engine) as db:
                db.execute(_DEFER, values)
        except IntegrityError:
            log.debug("clock job %s already waiting", lock)
            return False
        return True


def register(app: procrastinate.App, scheduler: Any) -> None:
    """The clock's tasks on a worker's app, run through an unstarted `bot.scheduler.Scheduler` (its
    poster, reminders and feature jobs; its retries enqueue jobs again through its ClockQueue)."""
    specs = {spec.name: spec for spec in scheduler.jobs}

    @app.task(name=DIGEST_DUE, queue=QUEUE, pass_context=False)
    def digest_due(channel_id: int) -> None:
        scheduler.poster.due(channel_id)

    @app.task(name=DIGEST_RETRY, queue=QUEUE, pass_context=False)
    def digest_retry(run_id: int) -> None:
        scheduler.poster.retry(run_id)

    @app.task(name=DIGEST_RECOVER, queue=QUEUE, pass_context=False)
    def digest_recover() -> None:
        scheduler.poster.recover()

    @app.task(name=STANDUP_REMIND, queue=QUEUE, pass_context=False)
    def standup_remind(channel_id: int) -> None:
        scheduler.reminders.remind(channel_id)

    @app.task(name=FEATURE_JOB, queue=QUEUE, pass_context=False)
    def clock_job(name: str) -> None:
        spec = specs.get(name)
        if spec is None:
            log.error("clock job %s is not known to this worker", name)
            return
        scheduler.run_job(spec)


def heartbeat(scheduler: Any, stop: threading.Event) -> threading.Thread:
    """Renew the leases of the digest runs this worker has claimed, as the clock does for its own."""
    every = max(1.0, scheduler.lease.total_seconds() / 3)

    def beat() -> None:
        while not stop.wait(every):
            try:
                scheduler.poster.heartbeat()
            except Exception:
                log.exception("worker heartbeat failed; trying again")

    thread = threading.Thread(target=beat, name="clock-heartbeat", daemon=True)
    thread.start()
    return thread
