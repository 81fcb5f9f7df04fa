"""Posting scheduled digests exactly once.

Each (channel, kind, local day) is claimed by inserting its run row before anything is sent, so two
schedulers, a restart or a DST fold never post a day twice. A claim carries a lease its scheduler
renews; the state says how far a post got:

- claimed, lease run out: its scheduler died before sending; another one takes it over and posts;
- posting, lease run out: it died while a message was on its way; nobody can know whether it
  arrived, so it is marked interrupted and logged, never posted again;
- the platform refused (429 after the client's own waits, 5xx, a network error): retried with
  back-off while within the grace period, then failed — each step logged and kept in the row;
- the channel is unreachable: failed at once, and whoever set the schedule is told by DM.

A slot found after the grace period (the scheduler was down) is recorded as missed and logged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.error import URLError

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.db import session_scope
from bot.delivery import Platforms, served_team
from bot.effects import Where
from bot.notify import ChannelUnreachable, Notifier, Posted
from bot.render.viewer import Viewer
from handlers.core.digest import DigestScope
from handlers.core.reply import DirectMessage, Reply
from handlers.digest import cards as digest_cards
from handlers.digest.build import build, scope_for
from models import outbox
from models.base import utcnow
from models.digest import run as run_model
from models.digest import schedule as digest_model
from models.digest.run import DigestRun, RunKind, RunState
from models.digest.schedule import DigestChannel
from models.workspace import Workspace

log = logging.getLogger(__name__)

GRACE = timedelta(hours=2)
SLOT_SLACK_S = 0.05  # a reserved slot this close counts as now
LEASE = timedelta(minutes=2)
RETRY_DELAYS = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=5),
    timedelta(minutes=10),
    timedelta(minutes=20),
)


class DigestPoster:
    def __init__(
        self,
        engine: Engine,
        platforms: Platforms,
        *,
        owner: str,
        grace: timedelta = GRACE,
        lease: timedelta = LEASE,
        retry_delays: tuple[timedelta, ...] = RETRY_DELAYS,
        on_retry: Callable[[int, datetime], None] | None = None,
        post_interval_s: float = 0.0,
        workspace_interval_s: float = 0.0,
    ) -> None:
        self.engine = engine
        # The channel's pace and its workspace's (0: not paced), in the rate slots the outbox uses too.
        self.post_interval_s = post_interval_s
        self.workspace_interval_s = workspace_interval_s
        self.platforms = platforms
        self.owner = owner
        self.grace = grace
        self.lease = lease
        self.retry_delays = retry_delays
        self.on_retry = on_retry

    # ---- finding what is due ------------------------------------------------------------------

    def due(self, channel_id: int) -> None:
        """Claim and post this channel's slots that are due; record skipped and missed ones."""
        now = utcnow()
        with session_scope(self.engine) as db:
            settings = db.get(DigestChannel, channel_id)
            if settings is None or not settings.scheduled or self._team(db, settings) is None:
                return
            plan = digest_model.plan_of(db, settings)
            last = run_model.last_slot(db=db, workspace_id=settings.workspace_id, channel_ref=settings.channel_ref)
            start = max(settings.effective_from, now - digest_model.LOOKBACK, *(t for t in [last] if t))
            slots = plan.slots(start, now)
            if not slots:
                return
            days = [plan.day_of(slot) for slot in slots]
            key = {"workspace_id": settings.workspace_id, "channel_ref": settings.channel_ref}
            taken = run_model.runs_for_days(db=db, kind=RunKind.SCHEDULED, days=days, **key)
            skips = set(digest_model.skipped_days(db=db, from_day=min(days), **key))
        for slot, day in zip(slots, days, strict=True):
            if day in taken:
                continue
            taken.add(day)
            if day in skips:
                if self._note(key, day, slot, RunState.SKIPPED, "a date the channel skips"):
                    log.info("digest for %s on %s skipped, as the channel asked", key, day)
            elif slot < now - self.grace:
                if self._note(key, day, slot, RunState.MISSED, f"found {now - slot} late, past the grace period"):
                    log.warning("digest for %s on %s missed (the scheduler was down); skipped", key, day)
            else:
                with session_scope(self.engine) as db:
                    run_id = run_model.claim_run(
                        db=db,
                        kind=RunKind.SCHEDULED,
                        day=day,
                        slot_at=slot,
                        state=RunState.CLAIMED,
                        owner=self.owner,
                        lease=self.lease,
                        **key,
                    )
                if run_id is not None:
                    self.post(run_id)

    def recover(self) -> None:
        """Retries that are due, and claims whose scheduler stopped renewing its lease."""
        now = utcnow()
        with session_scope(self.engine) as db:
            stale = run_model.stale_runs(db=db, now=now)
        for run in stale:
            assert run.id is not None
            if run.state == RunState.POSTING or run.kind == RunKind.REMIND:
                self._interrupted(run)
            elif run.slot_at is not None and run.slot_at < now - self.grace:
                self._give_up(run.id, RunState.MISSED, "not posted within the grace period", mine=False)
            elif self._take_over(run.id, (RunState.CLAIMED, RunState.RETRY)):
                log.info("run %s (%s %s) taken over by %s", run.id, run.channel_ref, run.day, self.owner)
                self.post(run.id)

    def retry(self, run_id: int) -> None:
        if self._take_over(run_id, (RunState.RETRY,)):
            self.post(run_id)

    def heartbeat(self) -> None:
        with session_scope(self.engine) as db:
            run_model.renew_leases(db=db, owner=self.owner, lease=self.lease)

    # ---- posting ------------------------------------------------------------------------------

    def post(self, run_id: int) -> None:
        """Post a run this scheduler owns, from the first part not yet sent."""
        with session_scope(self.engine) as db:
            run = db.get(DigestRun, run_id)
            if run is None or run.owner != self.owner or run.state != RunState.CLAIMED:
                return
            team = served_team(db.get(Workspace, run.workspace_id), self.platforms.names)
        # Outside the transaction: finding a workspace's token reads (and may refresh) its installation.
        notifier = self.platforms.notifier(*team) if team else None
        with session_scope(self.engine) as db:
            run = db.get(DigestRun, run_id)
            if run is None or run.owner != self.owner or run.state != RunState.CLAIMED:
                return
            settings = digest_model.channel_settings(db=db, workspace_id=run.workspace_id, channel_ref=run.channel_ref)
            workspace = db.get(Workspace, run.workspace_id)
            assert settings is not None and workspace is not None
            if notifier is None:
                run_model.set_state(db=db, run_id=run_id, owner=self.owner, state=RunState.FAILED, note="no notifier")
                log.error("no notifier for platform %s; digest run %s failed", workspace.platform, run_id)
                return
            tz = settings.tz or workspace.default_tz
            lang = settings.lang or workspace.default_lang
            scope = self._scope(db, run, settings, tz)
            digest = build(db, scope, lang=lang, day=run.day)
            if not digest.news and not settings.always:
                run_model.set_state(db=db, run_id=run_id, owner=self.owner, state=RunState.EMPTY)
                log.info("digest for %s on %s: nothing happened; not posted", run.channel_ref, run.day)
                return
            parts, done, message_ref = digest.parts, run.parts_done, run.message_ref
            if done >= len(parts):
                run_model.set_state(db=db, run_id=run_id, owner=self.owner, state=RunState.POSTED)
                return
            run_model.set_state(db=db, run_id=run_id, owner=self.owner, state=RunState.CLAIMED, parts_total=len(parts))
        viewer = Viewer(lang, tz)
        for index in range(done, len(parts)):
            if not self._paced(run, notifier.platform, reserved=run.rate_slot_at if index == done else None):
                return
            posted = self._post_part(run, notifier, parts[index], viewer, index, message_ref, settings)
            if posted is None:
                return
            message_ref = message_ref or posted.message_ref
            last = index == len(parts) - 1
            with session_scope(self.engine) as db:
                run_model.set_state(
                    db=db,
                    run_id=run_id,
                    owner=self.owner,
                    state=RunState.POSTED if last else RunState.CLAIMED,
                    parts_done=index + 1,
                    message_ref=message_ref,
                    rate_slot_at=None,
                )
        log.info("digest for %s on %s posted (%d messages)", run.channel_ref, run.day, len(parts))

    def _paced(self, run: DigestRun, platform: str, *, reserved: float | None) -> bool:
        """True when the next message may go now: the slot this run reserved earlier has come, or the
        channel (and its workspace) have one free now. Otherwise the run waits for the slot reserved
        for it, as a retry that is no attempt, and no thread sleeps."""
        assert run.id is not None
        if self.post_interval_s <= 0:
            return True
        now = time.time()
        if reserved is not None and reserved <= now + SLOT_SLACK_S:
            return True
        with session_scope(self.engine) as db:
            slot = outbox.reserve(
                db=db,
                platform=platform,
                workspace_id=run.workspace_id,
                target=run.channel_ref,
                interval=self.post_interval_s,
                scope_interval=self.workspace_interval_s if platform == "slack" else 0.0,
                now=now,
            )
            if slot <= now + SLOT_SLACK_S:
                return True
            when = datetime.fromtimestamp(slot, UTC)
            run_model.set_state(
                db=db,
                run_id=run.id,
                owner=self.owner,
                state=RunState.RETRY,
                next_attempt_at=when,
                lease_until=None,
                rate_slot_at=slot,
                note="waiting for the channel's pace",
            )
        if self.on_retry is not None:
            self.on_retry(run.id, when)
        return False

    def _post_part(
        self,
        run: DigestRun,
        notifier: Notifier,
        reply: Reply,
        viewer: Viewer,
        index: int,
        message_ref: str | None,
        settings: DigestChannel,
    ) -> Posted | None:
        assert run.id is not None
        with session_scope(self.engine) as db:
            mine = run_model.set_state(
                db=db, run_id=run.id, owner=self.owner, state=RunState.POSTING, lease_until=utcnow() + self.lease
            )
        if not mine:
            log.warning("run %s is no longer ours; stopping", run.id)
            return None
        try:
            return notifier.post(run.channel_ref, reply, viewer, thread_ref=message_ref if index else None)
        except ChannelUnreachable:
            self._give_up(run.id, RunState.FAILED, "the channel is unreachable (is the bot in it?)")
            self._tell_owner(settings, run)
            return None
        except Exception as err:
            self._refused(run, err)
            return None

    def _refused(self, run: DigestRun, err: Exception) -> None:
        assert run.id is not None
        now = utcnow()
        if _ambiguous(err):
            self._give_up(run.id, RunState.INTERRUPTED, f"no answer from the platform ({err!r}); it may have arrived")
            return
        with session_scope(self.engine) as db:
            attempts = (db.get(DigestRun, run.id) or run).attempts + 1
        late = run.slot_at is not None and now + self._delay(attempts) > run.slot_at + self.grace
        if attempts > len(self.retry_delays) or late:
            self._give_up(run.id, RunState.FAILED, f"gave up after {attempts} attempts: {err!r}", attempts=attempts)
            return
        when = now + self._delay(attempts)
        with session_scope(self.engine) as db:
            run_model.set_state(
                db=db,
                run_id=run.id,
                owner=self.owner,
                state=RunState.RETRY,
                attempts=attempts,
                next_attempt_at=when,
                lease_until=None,
                note=f"attempt {attempts} failed: {err!r}",
            )
        log.warning("digest run %s attempt %d failed (%r); retrying at %s", run.id, attempts, err, when.isoformat())
        if self.on_retry is not None:
            self.on_retry(run.id, when)

    def _delay(self, attempts: int) -> timedelta:
        return self.retry_delays[min(attempts, len(self.retry_delays)) - 1]

    def _scope(self, db: Session, run: DigestRun, settings: DigestChannel, tz: str) -> DigestScope:
        """The window, fixed at the first attempt so that a retry posts the same digest."""
        assert run.id is not None
        if run.covers_until is not None and run.since_at is not None:
            return DigestScope(
                workspace_id=run.workspace_id,
                channel_ref=run.channel_ref,
                markets=settings.market_list,
                since=run.since_at,
                until=run.covers_until,
                audit_after=run.audit_after or 0,
                audit_upto=run.audit_upto or 0,
                tz=tz,
            )
        previous = (
            digest_model.plan_of(db, settings).previous_slot(run.slot_at)
            if run.slot_at and settings.scheduled
            else None
        )
        scope = scope_for(
            db,
            workspace_id=run.workspace_id,
            channel_ref=run.channel_ref,
            settings=settings,
            until=utcnow(),
            tz=tz,
            fallback_since=previous,
            exclude_run=run.id,
        )
        run_model.set_window(
            db=db,
            run_id=run.id,
            since=scope.since,
            until=scope.until,
            audit_after=scope.audit_after,
            audit_upto=scope.audit_upto,
            parts=0,
            done=run.parts_done,
        )
        return scope

    # ---- bookkeeping --------------------------------------------------------------------------

    def _note(self, key: dict[str, object], day: object, slot: datetime, state: RunState, note: str) -> bool:
        with session_scope(self.engine) as db:
            created = run_model.claim_run(
                db=db,
                kind=RunKind.SCHEDULED,
                day=day,
                slot_at=slot,
                state=state,
                note=note,
                **key,  # type: ignore[arg-type]
            )
        return created is not None

    def _take_over(self, run_id: int, states: tuple[RunState, ...]) -> bool:
        with session_scope(self.engine) as db:
            return run_model.take_over(db=db, run_id=run_id, owner=self.owner, lease=self.lease, states=states)

    def _give_up(self, run_id: int, state: RunState, note: str, *, mine: bool = True, **values: object) -> None:
        with session_scope(self.engine) as db:
            changed = run_model.finish(
                db=db,
                run_id=run_id,
                state=state,
                note=note,
                owner=self.owner if mine else None,
                stale=not mine,
                **values,
            )
        if changed:
            log.log(
                logging.WARNING if state == RunState.MISSED else logging.ERROR,
                "digest run %s %s: %s",
                run_id,
                state,
                note,
            )

    def _interrupted(self, run: DigestRun) -> None:
        assert run.id is not None
        what = "its scheduler stopped while a message was on its way; not posted again, to never post twice"
        with session_scope(self.engine) as db:
            changed = run_model.finish(db=db, run_id=run.id, state=RunState.INTERRUPTED, note=what, stale=True)
        if changed:
            log.error("digest run %s (%s %s, %s) interrupted: %s", run.id, run.channel_ref, run.day, run.kind, what)

    def _tell_owner(self, settings: DigestChannel, run: DigestRun) -> None:
        if settings.updated_by is None:
            return
        with session_scope(self.engine) as db:
            team = self._team(db, settings)
        if team is not None:
            reply = digest_cards.unreachable_reply(run.channel_ref, team[0])
            self._direct(team, DirectMessage(settings.updated_by, reply))

    def _direct(self, team: tuple[str, str], message: DirectMessage) -> bool:
        runner = self.platforms.runner(*team)
        if runner is None:
            return False
        try:
            runner.run(message, Viewer(), Where(workspace_id=None, user_ref=""))
        except Exception:
            log.exception("direct message to member %s failed", message.member_id)
            return False
        return True

    def _team(self, db: Session, settings: DigestChannel) -> tuple[str, str] | None:
        """The channel's workspace as (platform, team id), when this process posts there and it is installed."""
        return served_team(db.get(Workspace, settings.workspace_id), self.platforms.names)


def _ambiguous(err: Exception) -> bool:
    """The request may have reached the platform and been acted on: a timeout waiting for its answer."""
    return isinstance(err, TimeoutError) or (isinstance(err, URLError) and isinstance(err.reason, TimeoutError))
