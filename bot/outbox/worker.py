"""Delivering the outbox: claim due rows, say each one, record what happened.

A row is claimed under a lease and delivered outside any transaction; its outcome is written in a short
one. What a post has already put on the platform (its message id, how many thread replies went) is
saved as it goes, so that a retry, or another worker after a crash, goes on from there. Before posting
again after an attempt whose outcome is unknown, the platform is asked whether the post is there
(`find_posted`, Slack's message metadata); see docs/delivery.md for each kind.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.db import session_scope
from bot.delivery import Platforms
from bot.effects import EffectRunner, Where
from bot.notify import ChannelUnreachable, Notifier, Posted
from bot.outbox import queue
from bot.outbox.faults import Verdict, judge
from bot.render.viewer import Viewer
from handlers.core.reply import DirectMessage, Effect, PostToChannel, Reply
from models import chat_message, outbox
from models.workspace import Member, Workspace

log = logging.getLogger(__name__)

# Called in the transaction that leaves a row pending for later (rescheduled, or newly queued), with the
# row's id, platform and when it is due: on procrastinate, defers the row's next job (bot/outbox/jobs.py).
Requeue = Callable[[Session, int, str, datetime], None]

# Seconds between posts on one channel, per platform (Slack: about one a second; Lark: 5 a second a chat).
CHANNEL_INTERVAL = {"slack": 1.0, "lark": 0.2}
# ... and across a wider scope: Slack's workspace-wide cap on chat.postMessage (unpublished: 10 a second
# here, 600 a minute, configurable), Lark's per-app limit on sending messages (50 a second).
SCOPE_INTERVAL = {"slack": 0.1, "lark": 0.02}
SLOT_SLACK_S = 0.05  # a reserved slot this close counts as now


class _Paused(Exception):
    """A row stopped part-way for its next rate slot; it is rescheduled, not failed."""


class OutboxWorker:
    def __init__(
        self,
        engine: Engine,
        platforms: Platforms,
        *,
        lease: timedelta = timedelta(seconds=60),
        backoff_s: float = 1.0,
        max_backoff_s: float = 300.0,
        batch: int = 20,
        seed: int | None = None,
        now: Callable[[], float] = time.time,
        post_interval_s: float | None = None,
        workspace_interval_s: float | None = None,
        requeue: Requeue | None = None,
    ) -> None:
        self.engine = engine
        self.platforms = platforms
        self.lease = lease
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.batch = batch
        self._random = random.Random(seed)
        self._now = now
        self.requeue = requeue
        self.intervals = dict(CHANNEL_INTERVAL)
        if post_interval_s is not None:
            self.intervals["slack"] = post_interval_s
        self.scope_intervals = dict(SCOPE_INTERVAL)
        if workspace_interval_s is not None:
            self.scope_intervals["slack"] = workspace_interval_s

    def run_once(self) -> int:
        """Claim what is due and deliver it; how many rows were claimed."""
        with session_scope(self.engine) as db:
            rows = outbox.claim_due(
                db=db, lease=self.lease, platforms=self.platforms.names, limit=self.batch, now=self._utc()
            )
        for row in rows:
            try:
                self.deliver(row)
            except Exception:
                log.exception("outbox row %s: delivery crashed; the lease will free it", row.id)
        return len(rows)

    def deliver_id(self, row_id: int) -> None:
        """Deliver row `row_id` if it is due and free (a job's work); a row not yet due gets its next
        job for when it is. A row another worker holds is left to it (or to the sweep, should that
        worker die before its lease ends)."""
        with session_scope(self.engine) as db:
            row = outbox.claim_one(db=db, outbox_id=row_id, lease=self.lease, now=self._utc())
            if isinstance(row, datetime):
                self._requeue(db, row_id, None, row)
        if not isinstance(row, outbox.Claimed):
            return
        try:
            self.deliver(row)
        except Exception:
            log.exception("outbox row %s: delivery crashed; tried again when its lease ends", row.id)
            with session_scope(self.engine) as db:
                self._requeue(db, row.id, row.platform, self._utc() + self.lease)

    def _requeue(self, db: Session, row_id: int, platform: str | None, at: datetime) -> None:
        if self.requeue is None:
            return
        if platform is None:
            found = db.get(outbox.Outbox, row_id)
            if found is None:
                return
            platform = found.platform
        self.requeue(db, row_id, platform, at)

    def deliver(self, row: outbox.Claimed) -> None:
        effect, viewer, where, team = queue.unpack(row.payload)
        notifier = self.platforms.notifier(row.platform, team)
        if notifier is None:
            self._give_up(row, f"no {row.platform} notifier for team {team}")
            return
        if row.kind in ("post", "direct") and not self._slot(row, notifier):
            return
        progress = dict(row.result)
        try:
            if isinstance(effect, PostToChannel):
                self._post(row, notifier, effect, viewer, where, progress)
            elif isinstance(effect, DirectMessage):
                self._direct(row, notifier, effect, progress)
            else:
                # Updates redraw a message in place (the same result however often); uploads start afresh.
                EffectRunner(notifier, self.engine).run(effect, viewer, where)
        except _Paused:
            return
        except Exception as err:
            self._failed(row, judge(err), notifier, progress)
            return
        with session_scope(self.engine) as db:
            outbox.mark_sent(db=db, outbox_id=row.id, result=progress)

    # ---- kinds -----------------------------------------------------------------------------------------

    def _post(
        self,
        row: outbox.Claimed,
        notifier: Notifier,
        effect: PostToChannel,
        viewer: Viewer,
        where: Where,
        progress: dict[str, Any],
    ) -> None:
        channel = effect.channel_ref or where.channel_ref or where.user_ref
        if effect.reply.lang:
            viewer = replace(viewer, lang=effect.reply.lang)
        if "posted" not in progress:
            posted = self._find(row, notifier, channel, f"{row.id}") if row.attempts > 1 else None
            if posted is None:
                try:
                    posted = _post(notifier, channel, effect.reply, viewer, where.thread_ref, f"{row.id}")
                except ChannelUnreachable:
                    if not where.user_ref:
                        raise
                    posted = _direct(notifier, where.user_ref, effect.reply, viewer, f"{row.id}")
            progress["posted"] = [posted.channel_ref, posted.message_ref]
            with session_scope(self.engine) as db:
                if effect.track and where.workspace_id is not None:
                    chat_message.remember(
                        db=db,
                        workspace_id=where.workspace_id,
                        platform=notifier.platform,
                        channel_ref=posted.channel_ref,
                        message_ref=posted.message_ref,
                        entity=effect.track.entity,
                        entity_id=effect.track.entity_id,
                    )
                outbox.save_progress(db=db, outbox_id=row.id, result=progress)
            sent_here = True
        else:
            sent_here = False  # this delivery's slot is the first pending thread reply's
        channel_ref, message_ref = progress["posted"]
        parent = message_ref if notifier.nests_replies else where.thread_ref or message_ref
        for i, reply in enumerate(effect.thread):
            if i < progress.get("thread", 0):
                continue
            if sent_here:
                self._next_slot(row, notifier, progress)  # thread replies keep the channel's pace too
            _post(notifier, channel_ref, reply, viewer, parent, f"{row.id}.{i + 1}")
            sent_here = True
            progress["thread"] = i + 1
            with session_scope(self.engine) as db:
                outbox.save_progress(db=db, outbox_id=row.id, result=progress)

    def _direct(self, row: outbox.Claimed, notifier: Notifier, effect: DirectMessage, progress: dict[str, Any]) -> None:
        with session_scope(self.engine) as db:
            member = db.get(Member, effect.member_id)
            workspace = db.get(Workspace, member.workspace_id) if member else None
        if member is None or workspace is None:
            log.warning("outbox row %s: direct message to unknown member %s dropped", row.id, effect.member_id)
            return
        viewer = Viewer(member.lang or workspace.default_lang, member.tz or workspace.default_tz)
        if "posted" in progress:
            return
        posted = self._find(row, notifier, member.external_id, f"{row.id}") if row.attempts > 1 else None
        posted = posted or _direct(notifier, member.external_id, effect.reply, viewer, f"{row.id}")
        progress["posted"] = [posted.channel_ref, posted.message_ref]

    def _find(self, row: outbox.Claimed, notifier: Notifier, channel: str, key: str) -> Posted | None:
        find = getattr(notifier, "find_posted", None)
        if find is None:
            return None
        return find(channel, key, row.first_attempt_at.timestamp() - 1)  # type: ignore[no-any-return]

    # ---- limits and outcomes ---------------------------------------------------------------------------

    def _slot(self, row: outbox.Claimed, notifier: Notifier) -> bool:
        """True when this row may send now; otherwise it is moved to the slot reserved for it."""
        if row.slot_at is not None and row.slot_at <= self._now() + SLOT_SLACK_S:
            return True
        return self._take_turn(row, notifier)

    def _next_slot(self, row: outbox.Claimed, notifier: Notifier, progress: dict[str, Any]) -> None:
        """A further message of this row (a thread reply) may go now; otherwise what went so far is kept
        and the row waits for the slot reserved for the rest (raises _Paused)."""
        if not self._take_turn(row, notifier, progress):
            raise _Paused

    def _take_turn(self, row: outbox.Claimed, notifier: Notifier, progress: dict[str, Any] | None = None) -> bool:
        """Reserve the next slot; True when it is now, else the row (and `progress`) waits for it."""
        now = self._now()
        if self.intervals.get(notifier.platform, 1.0) <= 0:
            return True
        with session_scope(self.engine) as db:
            slot = self._reserve(db, row, notifier, now)
            if slot <= now + SLOT_SLACK_S:
                return True
            if progress is not None:
                outbox.save_progress(db=db, outbox_id=row.id, result=progress)
            outbox.reschedule(db=db, outbox_id=row.id, at=_utc(slot), error=None, slot_at=slot, tried=False)
            self._requeue(db, row.id, row.platform, _utc(slot))
        return False

    def _reserve(self, db: Session, row: outbox.Claimed, notifier: Notifier, now: float) -> float:
        """The moment reserved for this row's next message on its channel, inside its wider scope too."""
        return outbox.reserve(
            db=db,
            platform=notifier.platform,
            workspace_id=row.workspace_id,
            target=row.target,
            interval=self.intervals.get(notifier.platform, 1.0),
            scope_interval=self.scope_intervals.get(notifier.platform, 0.0),
            now=now,
        )

    def _failed(self, row: outbox.Claimed, verdict: Verdict, notifier: Notifier, progress: dict[str, Any]) -> None:
        now = self._now()
        if not verdict.retry:
            self._give_up(row, verdict.reason)
            return
        if verdict.wait_s is not None:
            wait = verdict.wait_s + self._random.uniform(0, 0.25)
        else:
            wait = min(self.max_backoff_s, self.backoff_s * 2 ** (row.attempts - 1)) * self._random.uniform(0.5, 1.5)
        at = _utc(now + wait)
        if at > row.deadline:
            self._give_up(row, f"deadline passed; last: {verdict.reason}")
            return
        log.info("outbox row %s attempt %d: %s; again in %.2fs", row.id, row.attempts, verdict.reason, wait)
        with session_scope(self.engine) as db:
            if verdict.wait_s is not None and row.kind in ("post", "direct"):
                outbox.hold_key(
                    db=db, key=outbox.channel_key(notifier.platform, row.workspace_id, row.target), until=now + wait
                )
            outbox.save_progress(db=db, outbox_id=row.id, result=progress)
            outbox.reschedule(db=db, outbox_id=row.id, at=at, error=verdict.reason)
            self._requeue(db, row.id, row.platform, at)

    def _give_up(self, row: outbox.Claimed, reason: str) -> None:
        log.error("outbox row %s (%s) not delivered: %s", row.id, row.kind, reason)
        with session_scope(self.engine) as db:
            if outbox.mark_failed(db=db, outbox_id=row.id, error=reason) and row.tell_member_id is not None:
                tell = DirectMessage(row.tell_member_id, Reply.message("common.not_delivered"))
                told = queue.add(
                    db=db,
                    effect=tell,
                    platform=row.platform,
                    team_ref=queue.unpack(row.payload)[3],
                    viewer=Viewer(),
                    where=Where(workspace_id=row.workspace_id, user_ref=""),
                )
                self._requeue(db, told, row.platform, self._utc())

    def next_due(self) -> datetime | None:
        with session_scope(self.engine) as db:
            return outbox.next_due(db=db, platforms=self.platforms.names)

    def _utc(self) -> datetime:
        return _utc(self._now())


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _post(notifier: Notifier, channel: str, reply: Reply, viewer: Viewer, thread: str | None, key: str) -> Posted:
    keyed: Callable[..., Posted] | None = getattr(notifier, "post_keyed", None)
    if keyed is not None:
        return keyed(channel, reply, viewer, thread_ref=thread, key=key)
    return notifier.post(channel, reply, viewer, thread_ref=thread)


def _direct(notifier: Notifier, user_ref: str, reply: Reply, viewer: Viewer, key: str) -> Posted:
    keyed: Callable[..., Posted] | None = getattr(notifier, "direct_keyed", None)
    if keyed is not None:
        return keyed(user_ref, reply, viewer, key=key)
    return notifier.direct(user_ref, reply, viewer)


def effect_kind(effect: Effect) -> str | None:
    return queue.kind_of(effect)
