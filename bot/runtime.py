"""Runs commands and actions for any front end: who is asking, one transaction, and every fault turned
into a reply the user can read."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session

from bot import deadline
from bot.background import Background
from bot.db import session_scope
from bot.render.viewer import Viewer
from handlers.core.command import ActionInput, Actor, CommandInput, Registry
from handlers.core.reply import Attachment, RefreshProfile, Reply, UsageError
from handlers.core.views import usage_reply
from models.workspace import ensure_member, ensure_workspace

log = logging.getLogger(__name__)

# Lark tenants are mostly Chinese-speaking companies; Slack and the console follow the settings.
PLATFORM_LANG = {"lark": "zh-CN"}


@dataclass(frozen=True)
class Caller:
    """Who is asking, in the platform's own ids."""

    platform: str
    team_ref: str
    user_ref: str
    team_name: str | None = None
    user_name: str | None = None
    channel_ref: str | None = None


class ActorCache:
    """Who each (platform, team, user) is, so that a command does not spend two queries on it.

    Cleared in this process whenever someone's language, time zone or role changes; entries expire
    after TTL so that changes made by another process show within that time.
    """

    TTL_S = 30.0
    MAX = 10_000

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str, str], tuple[float, Actor]] = {}
        self._lock = threading.Lock()

    def get(self, caller: Caller) -> Actor | None:
        entry = self._entries.get((caller.platform, caller.team_ref, caller.user_ref))
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, caller: Caller, actor: Actor) -> None:
        with self._lock:
            if len(self._entries) >= self.MAX:
                self._entries.clear()
            self._entries[(caller.platform, caller.team_ref, caller.user_ref)] = (time.monotonic() + self.TTL_S, actor)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


@dataclass
class Outcome:
    reply: Reply
    viewer: Viewer
    actor: Actor | None = None


class Runtime:
    def __init__(
        self, engine: Engine, registry: Registry, *, default_lang: str = "en", default_tz: str = "UTC"
    ) -> None:
        self.engine = engine
        self.registry = registry
        self.default_lang = default_lang
        self.default_tz = default_tz
        self.actors = ActorCache()
        self.background = Background()

    def command(self, caller: Caller, root: str, text: str) -> Outcome:
        changes_people = False

        def run(actor: Actor, db: Session) -> Reply:
            nonlocal changes_people
            resolved = self.registry.resolve(root, text)
            changes_people = resolved.spec.changes_people
            cmd = CommandInput(
                actor=actor,
                slug=resolved.spec.slug,
                args=resolved.args,
                channel_ref=caller.channel_ref,
                text=resolved.text,
            )
            return resolved.spec.handler(cmd, db)

        outcome = self._run(caller, run)
        if changes_people:
            self.actors.clear()
        return outcome

    def action(
        self,
        caller: Caller,
        name: str,
        payload: dict[str, Any],
        form: dict[str, Any] | None = None,
        files: tuple[Attachment, ...] = (),
    ) -> Outcome:
        spec = self.registry.action(name)

        def run(actor: Actor, db: Session) -> Reply:
            if spec is None:
                return Reply.message("common.button_expired")
            act = ActionInput(
                actor=actor, action=name, payload=payload, form=form, channel_ref=caller.channel_ref, files=files
            )
            return spec.handler(act, db)

        return self._run(caller, run)

    def forget_people(self) -> None:
        """Someone's language, time zone or role changed: read people afresh."""
        self.actors.clear()

    def _run(self, caller: Caller, work: Callable[[Actor, Session], Reply]) -> Outcome:
        try:
            return self._attempt(caller, work)
        except DBAPIError as err:
            if not err.connection_invalidated:
                raise
            # A pooled connection died (the database restarted); the unit never committed, so run it
            # once more on a fresh connection instead of pinging before every checkout.
            log.warning("database connection was lost; retrying once")
            return self._attempt(caller, work, last_try=True)

    def _attempt(self, caller: Caller, work: Callable[[Actor, Session], Reply], *, last_try: bool = False) -> Outcome:
        actor: Actor | None = None
        try:
            with session_scope(self.engine) as db:
                cached = self.actors.get(caller)
                actor, created = (cached, False) if cached else self._actor(db, caller)
                try:
                    reply = work(actor, db)
                except UsageError as err:
                    db.rollback()
                    return Outcome(usage_reply(err), self._viewer(actor), actor)
                if created and caller.platform == "slack":
                    reply.effects.append(RefreshProfile(actor.member_id, caller.user_ref))
            if not cached:
                self.actors.put(caller, actor)  # only once its rows are committed
            return Outcome(reply, self._viewer(actor, reply), actor)
        except (DBAPIError, PoolTimeout) as err:
            lost = isinstance(err, DBAPIError) and err.connection_invalidated
            if lost and not last_try and not deadline.expired():
                raise
            log.exception("database unavailable while serving %s", caller.platform)
            return Outcome(Reply.message("common.unavailable"), self._viewer(actor), actor)
        except Exception:
            ref = uuid.uuid4().hex[:8]
            log.exception("unexpected error %s while serving %s", ref, caller)
            return Outcome(Reply.message("common.internal_error", ref=ref), self._viewer(actor), actor)

    def _actor(self, db: Session, caller: Caller) -> tuple[Actor, bool]:
        workspace = ensure_workspace(
            db=db,
            platform=caller.platform,
            external_id=caller.team_ref,
            name=caller.team_name,
            default_lang=PLATFORM_LANG.get(caller.platform, self.default_lang),
            default_tz=self.default_tz,
        )
        assert workspace.id is not None
        member, created = ensure_member(
            db=db, workspace_id=workspace.id, external_id=caller.user_ref, display_name=caller.user_name
        )
        assert member.id is not None
        actor = Actor(
            workspace_id=workspace.id,
            member_id=member.id,
            platform=caller.platform,
            user_ref=caller.user_ref,
            name=member.display_name,
            role=member.role,
            lang=member.lang or workspace.default_lang,
            tz=member.tz or workspace.default_tz,
        )
        return actor, created

    def _viewer(self, actor: Actor | None, reply: Reply | None = None) -> Viewer:
        if actor is None:
            return Viewer(self.default_lang, self.default_tz)
        return Viewer((reply.lang if reply else None) or actor.lang, actor.tz)
