"""The procrastinate App of `tradewind worker` on PostgreSQL: the outbox's delivery task and its sweep.

Deferring needs no App (bot/outbox/jobs.py writes the job on the caller's own connection); only the
worker process builds one, with the async psycopg connector procrastinate's worker runs on.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import procrastinate
from sqlalchemy.engine import Engine

from bot.db import session_scope
from bot.outbox import jobs
from bot.outbox.worker import OutboxWorker

log = logging.getLogger(__name__)


def make_app(engine: Engine, worker: OutboxWorker, *, sweep_every_s: int = 5) -> procrastinate.App:
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=jobs.conninfo(engine)))

    @app.task(name=jobs.TASK, pass_context=False)
    def deliver_outbox(row_id: int) -> None:
        worker.deliver_id(row_id)

    @app.periodic(cron=f"* * * * * */{max(1, min(59, sweep_every_s))}", periodic_id="outbox")
    @app.task(name=jobs.SWEEP_TASK, queue=jobs.SWEEP_QUEUE, queueing_lock=jobs.SWEEP_TASK, pass_context=False)
    def outbox_sweep(timestamp: int) -> None:
        with session_scope(engine) as db:
            jobs.sweep(db)

    return app


def sweep_now(engine: Engine) -> int:
    """The sweep, run once at a worker's start: rows queued while no worker ran are picked up at once."""
    with session_scope(engine) as db:
        found = jobs.sweep(db)
    log.info("outbox worker start: %d rows without a job deferred (%s)", found, datetime.now(UTC).isoformat())
    return found
