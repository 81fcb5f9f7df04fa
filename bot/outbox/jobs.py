"""The outbox on procrastinate (PostgreSQL): one `deliver_outbox(row_id)` job per row, deferred in the
transaction that writes the row, run by `tradewind worker` processes.

The row stays the unit of work: a job only says "look at row N now". Its task claims that row by id
under the row's lease (bot/outbox/worker.py `deliver_id`) and delivers it with the same code as the
embedded loop, so a stray duplicate job finds the row leased or sent and does nothing. When a row is to
be tried later (a back-off, a Retry-After, its channel's next slot) its next job is deferred with
`scheduled_at` in the same transaction that reschedules it. A sweep, itself a periodic job, defers a job
for any pending row that has none (rows written before the workers started, or by a worker killed
between its lease and its commit), and closes the jobs a killed worker left in `doing`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import Session

log = logging.getLogger(__name__)

TASK = "deliver_outbox"
SWEEP_TASK = "outbox_sweep"
SWEEP_QUEUE = "outbox"
SWEEP_LIMIT = 1000

_DEFER = text(
    "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, NULL, NULL, CAST(:args AS jsonb), :at)"
    "::procrastinate_job_to_defer_v1])"
)

# Pending rows nobody holds that have no job waiting for them.
_ORPHANS = text(
    "SELECT o.id, o.platform, o.next_attempt_at FROM outbox o "
    "WHERE o.status = 'pending' AND (o.locked_until IS NULL OR o.locked_until < now()) "
    "AND NOT EXISTS (SELECT 1 FROM procrastinate_jobs j WHERE j.task_name = :task "
    "AND j.status = 'todo' AND j.args ->> 'row_id' = o.id::text) "
    "ORDER BY o.next_attempt_at LIMIT :limit"
)


# Jobs left in `doing` by a worker that stopped beating (killed): closed as failed. The database state
# they worked on (the row's lease, a digest run's lease, a job claim) is what recovers the work.
_STALLED = text(
    "UPDATE procrastinate_jobs SET status = 'failed', attempts = attempts + 1 "
    "WHERE status = 'doing' AND (worker_id IS NULL OR worker_id IN (SELECT id FROM procrastinate_workers "
    "WHERE last_heartbeat < now() - make_interval(secs => :secs)))"
)
STALLED_S = 60.0  # procrastinate's workers beat every 10 s


def queue_of(platform: str) -> str:
    """Each platform's rows on their own queue: a worker listens only to the platforms it can speak on."""
    return f"outbox_{platform}"


def queues(platforms: Iterable[str]) -> list[str]:
    return [queue_of(p) for p in sorted(platforms)] + [SWEEP_QUEUE]


def defer_in(db: Session, row_id: int, platform: str, at: datetime | None = None) -> None:
    """A job for row `row_id` in `db`'s own transaction (one statement, no commit of its own): it exists
    exactly when the row does."""
    db.execute(_DEFER, {"queue": queue_of(platform), "task": TASK, "args": json.dumps({"row_id": row_id}), "at": at})


def sweep(db: Session) -> int:
    """Close the jobs of workers gone silent, then defer a job for every pending row that has none; how
    many were deferred."""
    closed = db.execute(_STALLED, {"secs": STALLED_S}).rowcount
    if closed:
        log.warning("outbox sweep: %d jobs of workers that stopped beating closed as failed", closed)
    found = list(db.execute(_ORPHANS, {"task": TASK, "limit": SWEEP_LIMIT}))
    for row_id, platform, at in found:
        defer_in(db, int(row_id), str(platform), at)
    if found:
        log.info("outbox sweep: %d pending rows had no job; deferred", len(found))
    return len(found)


def installed(conn: Connection) -> bool:
    return conn.execute(text("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")).scalar_one() is True


def apply_schema(conn: Connection) -> bool:
    """procrastinate's tables and functions, once (PostgreSQL only); True when they were created now."""
    if conn.dialect.name != "postgresql" or installed(conn):
        return False
    from procrastinate.schema import SchemaManager

    driver = conn.connection.driver_connection
    assert driver is not None
    driver.execute(SchemaManager.get_schema())  # type: ignore[attr-defined]
    conn.commit()
    log.info("procrastinate schema applied")
    return True


def conninfo(engine: Engine) -> str:
    """The libpq connection string of the app's database (procrastinate's psycopg connector takes it)."""
    url = make_url(engine.url.render_as_string(hide_password=False)).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)
