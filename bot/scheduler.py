"""`tradewind scheduler`: the one scheduler process (APScheduler 3.x; it cannot share a job store
between processes, so exactly-once comes from claims in the database, see bot/digest_poster.py).

Jobs: `sync` every minute (reads every channel's schedule, so changes take effect within a minute;
catches up slots missed while down; picks up retries and abandoned claims), one cron job per channel
in its own time zone (on time to the second, DST handled by CronTrigger), one date job per reminder
and per retry, a heartbeat renewing this process's leases, and every feature's JOBS.

With a `clock` (PostgreSQL, DELIVERY=worker) the digest, reminder, retry, recovery and feature jobs are
not run here: each due one is enqueued as a procrastinate job (bot/clock_jobs.py) for `tradewind worker`.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine

from bot import clock_jobs
from bot.clock_jobs import ClockQueue
from bot.db import session_scope
from bot.delivery import Platforms
from bot.digest_poster import GRACE, LEASE, RETRY_DELAYS, DigestPoster
from bot.notify import Notifier
from bot.standup_reminders import StandupReminders
from handlers.core.jobs import Delivery, JobSpec
from models.base import utcnow
from models.digest import run as run_model
from models.digest import schedule as digest_model
from models.digest.schedule import Schedule
from models.job_claim import claim_job, slot_of

log = logging.getLogger(__name__)

SYNC_EVERY = timedelta(minutes=1)
DELIVERY_RETRIES = (2.0, 10.0, 30.0)  # seconds between attempts at one job delivery


def _in_reminder_window(plan: Schedule, minutes: int, now: datetime) -> bool:
    slot = plan.next_slot(now)
    return slot - timedelta(minutes=minutes) <= now < slot


class Scheduler:
    def __init__(
        self,
        engine: Engine,
        platforms: Platforms | Mapping[str, Notifier],
        *,
        jobs: Iterable[JobSpec] | None = None,
        owner: str | None = None,
        grace: timedelta = GRACE,
        lease: timedelta = LEASE,
        retry_delays: tuple[timedelta, ...] = RETRY_DELAYS,
        delivery_retries: tuple[float, ...] = DELIVERY_RETRIES,
        sync_every: timedelta = SYNC_EVERY,
        clock: ClockQueue | None = None,
        post_interval_s: float = 0.0,
        workspace_interval_s: float = 0.0,
    ) -> None:
        if jobs is None:
            from handlers import JOBS

            jobs = JOBS
        self.engine = engine
        self.clock = clock  # set: what is due is enqueued for `tradewind worker` (bot/clock_jobs.py)
        self.platforms = platforms if isinstance(platforms, Platforms) else Platforms.of(engine, platforms)
        self.jobs = list(jobs)
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.lease = lease
        self.sync_every = sync_every
        self.delivery_retries = delivery_retries
        self.poster = DigestPoster(
            engine,
            self.platforms,
            owner=self.owner,
            grace=grace,
            lease=lease,
            retry_delays=retry_delays,
            on_retry=self._schedule_retry,
            post_interval_s=post_interval_s,
            workspace_interval_s=workspace_interval_s,
        )
        self.reminders = StandupReminders(engine, self.platforms, owner=self.owner, lease=lease)
        self.aps = BackgroundScheduler(
            timezone=UTC,
            executors={"default": ThreadPoolExecutor(8)},
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
        )
        self.plans: dict[int, Schedule] = {}
        self.syncs = 0  # how many syncs have finished (they run one at a time)
        self._begun = 0
        self._busy = 0
        self._sync_lock = threading.Lock()
        self._changed = threading.Condition()
        self.stopping = threading.Event()  # set by shutdown: no job starts after it

    # ---- life cycle ---------------------------------------------------------------------------

    def start(self) -> Scheduler:
        self.aps.add_job(self._guarded(self.sync), IntervalTrigger(seconds=self.sync_every.total_seconds()), id="sync")
        self.aps.add_job(
            self._guarded(self.poster.heartbeat),
            IntervalTrigger(seconds=max(1.0, self.lease.total_seconds() / 3)),
            id="heartbeat",
        )
        for spec in self.jobs:
            self.aps.add_job(
                self._guarded(partial(self._job, spec)),
                IntervalTrigger(seconds=spec.every.total_seconds()),
                id=f"job:{spec.name}",
            )
        self.aps.start()
        self.poke()
        log.info(
            "scheduler %s started: platforms %s, %d feature jobs",
            self.owner,
            sorted(self.platforms.names),
            len(self.jobs),
        )
        return self

    def shutdown(self, wait: bool = True) -> None:
        """Stop starting jobs at once: queued ones and the rest of a sync's channels are left for the
        next clock (their slots are unclaimed). With wait, a post in progress finishes first (so a
        deploy never cuts one in half)."""
        self.stopping.set()
        if self.aps.running:  # a second signal finds it stopped already
            self.aps.shutdown(wait=wait)

    def poke(self) -> int:
        """Run a sync now (at start, and whenever asked); returns the number of syncs begun before it,
        for wait_idle. A sync already running finishes first: syncs never overlap."""
        with self._changed:
            ticket = self._begun
        self.aps.add_job(self._guarded(self.sync), id="sync-now", replace_existing=True)
        self.aps.wakeup()
        return ticket

    def wait_idle(self, after_sync: int, timeout: float = 10.0) -> None:
        """Block until a sync begun after the first `after_sync` has finished and no job is running."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self.syncs <= after_sync or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"scheduler not idle: syncs={self.syncs}, busy={self._busy}")
                self._changed.wait(left)

    # ---- jobs ---------------------------------------------------------------------------------

    def sync(self) -> None:
        """Follow the schedules in the database, then do whatever is due."""
        with self._sync_lock:
            with self._changed:
                self._begun += 1
                number = self._begun
            self._sync()
            with self._changed:
                self.syncs = number
                self._changed.notify_all()

    def _sync(self) -> None:
        now = utcnow()
        with session_scope(self.engine) as db:
            channels = digest_model.scheduled_channels(db=db, platforms=self.platforms.names)
            last_slots = run_model.last_slots(db=db)
        wanted: dict[int, Schedule] = {}
        for channel, _ in channels:
            assert channel.id is not None
            plan = Schedule.of(channel)
            wanted[channel.id] = plan
            if self.plans.get(channel.id) != plan or self.aps.get_job(f"digest:{channel.id}") is None:
                self.aps.add_job(
                    self._guarded(partial(self._digest, channel.id)),
                    CronTrigger(**plan.cron_fields()),
                    id=f"digest:{channel.id}",
                    replace_existing=True,
                )
                log.info("digest for %s: %s %s on %s", channel.channel_ref, plan.at_time, plan.tz, plan.days)
            if channel.remind_minutes:
                at = plan.next_slot(now) - timedelta(minutes=channel.remind_minutes)
                if at > now:
                    self._at(f"remind:{channel.id}", at, partial(self._remind, channel.id))
        for gone in set(self.plans) - set(wanted):
            for prefix in ("digest", "remind"):
                if self.aps.get_job(f"{prefix}:{gone}"):
                    self.aps.remove_job(f"{prefix}:{gone}")
        self.plans = wanted
        if self.clock is not None:
            self.clock.enqueue(clock_jobs.DIGEST_RECOVER, "digest-recover")
        else:
            self.poster.recover()
        # Only channels with a slot since their last one, or inside their reminder window, are looked
        # at one by one: the rest is decided from the rows already read (the sync stays linear, with
        # a handful of queries in all rather than several per channel).
        for channel, _ in channels:
            assert channel.id is not None
            if self.stopping.is_set():
                return
            plan = wanted[channel.id]
            last = last_slots.get((channel.workspace_id, channel.channel_ref))
            start = max(channel.effective_from, now - digest_model.LOOKBACK, *(t for t in [last] if t))
            if plan.slots(start, now):
                self._digest(channel.id)
            if channel.remind_minutes and _in_reminder_window(plan, channel.remind_minutes, now):
                self._remind(channel.id)

    def _digest(self, channel_id: int) -> None:
        if self.clock is None:
            self.poster.due(channel_id)
        else:  # one waiting job per channel: it posts every slot due when it runs
            self.clock.enqueue(clock_jobs.DIGEST_DUE, f"digest:{channel_id}", channel_id=channel_id)

    def _remind(self, channel_id: int) -> None:
        if self.clock is None:
            self.reminders.remind(channel_id)
        else:
            self.clock.enqueue(clock_jobs.STANDUP_REMIND, f"remind:{channel_id}", channel_id=channel_id)

    def _job(self, spec: JobSpec) -> None:
        if self.clock is None:
            self.run_job(spec)
        else:
            slot = slot_of(utcnow(), spec.every).isoformat()
            self.clock.enqueue(clock_jobs.FEATURE_JOB, f"job:{spec.name}:{slot}", name=spec.name)

    def run_job(self, spec: JobSpec) -> None:
        """One feature job in its own transaction, then its deliveries through each workspace's platform.
        The job's slot (its period, counted from the epoch) is claimed in that transaction: with two
        clocks, the second finds it taken and does nothing."""
        if self.stopping.is_set():
            return
        now = utcnow()
        with session_scope(self.engine) as db:
            if not claim_job(db=db, job=spec.name, slot=slot_of(now, spec.every), owner=self.owner):
                log.info("job %s for this period already run by another clock", spec.name)
                return
            deliveries = spec.run(db, now)
        for delivery in deliveries:
            self.deliver(spec.name, delivery)  # even when stopping: committed as announced

    def deliver(self, job: str, delivery: Delivery) -> bool:
        return self.platforms.deliver_one(delivery, retries=self.delivery_retries, job=job)

    # ---- helpers ------------------------------------------------------------------------------

    def _schedule_retry(self, run_id: int, when: datetime) -> None:
        if self.clock is not None:
            self.clock.enqueue(clock_jobs.DIGEST_RETRY, f"retry:{run_id}", at=when, run_id=run_id)
            return
        self._at(f"retry:{run_id}", when, partial(self.poster.retry, run_id))

    def _at(self, job_id: str, when: datetime, work: Callable[[], None]) -> None:
        existing = self.aps.get_job(job_id)
        if existing is not None and existing.next_run_time == when:
            return
        self.aps.add_job(self._guarded(work), DateTrigger(run_date=when), id=job_id, replace_existing=True)

    def _guarded(self, work: Callable[[], Any]) -> Callable[[], None]:
        def run() -> None:
            if self.stopping.is_set():
                return
            with self._changed:
                self._busy += 1
            try:
                work()
            except Exception:
                log.exception("scheduler job failed")
            finally:
                with self._changed:
                    self._busy -= 1
                    self._changed.notify_all()

        return run
