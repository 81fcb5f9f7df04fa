"""Standup reminders: a DM, N minutes before a channel's digest, to everyone on its standup roster who
has not answered since the last digest. Claimed per (channel, day) like a digest, so sent once."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.db import session_scope
from bot.delivery import Platforms, served_team
from bot.effects import Where
from bot.render.viewer import Viewer
from handlers.core.reply import DirectMessage
from handlers.standup import commands as standup
from models.base import utcnow
from models.digest import run as run_model
from models.digest import schedule as digest_model
from models.digest.run import RunKind, RunState
from models.digest.schedule import DigestChannel
from models.workspace import Workspace

log = logging.getLogger(__name__)


class StandupReminders:
    def __init__(self, engine: Engine, platforms: Platforms, *, owner: str, lease: timedelta) -> None:
        self.engine = engine
        self.owner = owner
        self.lease = lease
        self.platforms = platforms

    def remind(self, channel_id: int) -> None:
        """DM the people who have not answered, if the channel asks for it and the time has come."""
        now = utcnow()
        with session_scope(self.engine) as db:
            settings = db.get(DigestChannel, channel_id)
            if settings is None or not settings.scheduled or not settings.remind_minutes:
                return
            team = self._team(db, settings)
            if team is None:
                return
            plan = digest_model.plan_of(db, settings)
            slot = plan.next_slot(now)
            if not slot - timedelta(minutes=settings.remind_minutes) <= now < slot:
                return
            day = plan.day_of(slot)
            key = {"workspace_id": settings.workspace_id, "channel_ref": settings.channel_ref}
            if day in digest_model.skipped_days(db=db, from_day=day, **key):
                return
            run_id = run_model.claim_run(
                db=db,
                kind=RunKind.REMIND,
                day=day,
                slot_at=slot,
                state=RunState.CLAIMED,
                owner=self.owner,
                lease=self.lease,
                **key,
            )
            if run_id is None:
                return
        with session_scope(self.engine) as db:
            messages = standup.reminders(db, settings, slot, now)
        sent = sum(self._direct(team, message) for message in messages)
        with session_scope(self.engine) as db:
            run_model.set_state(
                db=db,
                run_id=run_id,
                owner=self.owner,
                state=RunState.POSTED,
                note=f"{sent} of {len(messages)} reminded",
            )
        log.info("standup reminders for %s: %d of %d sent", key, sent, len(messages))

    def _team(self, db: Session, settings: DigestChannel) -> tuple[str, str] | None:
        """The channel's workspace as (platform, team id), when this process posts there and it is installed."""
        return served_team(db.get(Workspace, settings.workspace_id), self.platforms.names)

    def _direct(self, team: tuple[str, str], message: DirectMessage) -> bool:
        runner = self.platforms.runner(*team)
        if runner is None:
            return False
        try:
            runner.run(message, Viewer(), Where(workspace_id=None, user_ref=""))
        except Exception:
            log.exception("standup reminder to member %s failed", message.member_id)
            return False
        return True
