"""Runs commands and actions for any front end: who is asking, one transaction, and every fault turned
into a reply the user can read."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session

from bot.db import session_scope
from bot.render.environment import Viewer
from handlers.core.command import ActionInput, Actor, CommandInput, Registry
from handlers.core.reply import RefreshProfile, Reply, Text, UsageError
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

    def command(self, caller: Caller, root: str, text: str) -> Outcome:
        def run(actor: Actor, db: Session) -> Reply:
            resolved = self.registry.resolve(root, text)
            cmd = CommandInput(actor=actor, slug=resolved.spec.slug, args=resolved.args, channel_ref=caller.channel_ref)
            return resolved.spec.handler(cmd, db)

        return self._run(caller, run)

    def action(self, caller: Caller, name: str, payload: dict[str, Any], form: dict[str, Any] | None = None) -> Outcome:
        spec = self.registry.action(name)

        def run(actor: Actor, db: Session) -> Reply:
            if spec is None:
                return Reply.message("common.button_expired")
            act = ActionInput(actor=actor, action=name, payload=payload, form=form, channel_ref=caller.channel_ref)
            return spec.handler(act, db)

        return self._run(caller, run)

    def _run(self, caller: Caller, work: Callable[[Actor, Session], Reply]) -> Outcome:
        actor: Actor | None = None
        try:
            with session_scope(self.engine) as db:
                actor, created = self._actor(db, caller)
                try:
                    reply = work(actor, db)
                except UsageError as err:
                    db.rollback()
                    return Outcome(usage_reply(err), self._viewer(actor), actor)
                if created and caller.platform == "slack":
                    reply.effects.append(RefreshProfile(actor.member_id, caller.user_ref))
            return Outcome(reply, self._viewer(actor, reply), actor)
        except (DBAPIError, PoolTimeout):
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
            role=member.role,
            lang=member.lang or workspace.default_lang,
            tz=member.tz or workspace.default_tz,
        )
        return actor, created

    def _viewer(self, actor: Actor | None, reply: Reply | None = None) -> Viewer:
        if actor is None:
            return Viewer(self.default_lang, self.default_tz)
        return Viewer((reply.lang if reply else None) or actor.lang, actor.tz)


def usage_reply(err: UsageError) -> Reply:
    return Reply("usage", {"text": err.text, "usage": Text(err.usage) if err.usage else None})
