"""Lark work done after the HTTP answer, on the process's after-answer pool (runtime.background): the
platform-neutral effects through the LarkNotifier, and opening a form (a card with a form container,
Lark's answer to a modal)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future

from sqlalchemy.engine import Engine

from bot.background import Background
from bot.db import session_scope
from bot.effects import EffectRunner, Where
from bot.lark.files import form_track
from bot.lark.notifier import LarkNotifier
from bot.outbox.sink import OutboxSink
from bot.render.viewer import Viewer
from handlers.core.reply import Effect, OpenForm, RefreshProfile, Track
from models import chat_message
from models.workspace import Workspace

log = logging.getLogger(__name__)


class LarkEffects:
    def __init__(
        self,
        notifier: LarkNotifier,
        engine: Engine,
        background: Background,
        outbox: Callable[[], OutboxSink | None] = lambda: None,
    ) -> None:
        self.notifier = notifier
        self.renderer = notifier.renderer
        self.engine = engine
        self.runner = EffectRunner(notifier, engine)
        self.background = background
        self.outbox = outbox

    def submit(self, effects: list[Effect], viewer: Viewer, where: Where) -> list[Future[None]]:
        """Posts, DMs, updates and uploads go to the outbox; opening a form runs here."""
        sink = self.outbox()
        if sink is not None and effects:
            team = getattr(where, "team_ref", None) or self.team_ref(where)
            effects = sink.put(effects, platform="lark", team_ref=team, viewer=viewer, where=where, tell_member_id=None)
        return [self.background.submit(self._guarded, effect, viewer, where) for effect in effects]

    def team_ref(self, where: Where) -> str | None:
        if where.workspace_id is None:
            return None
        with session_scope(self.engine) as db:
            workspace = db.get(Workspace, where.workspace_id)
            return workspace.external_id if workspace else None

    def remember(self, track: Track, workspace_id: int, channel_ref: str, message_ref: str) -> None:
        """A card that replaced a form in place is about `track` from now on: remembered before the answer
        goes, so that a click on it, or a change, right after finds it."""
        self._remember(track, workspace_id, channel_ref, message_ref)

    def _guarded(self, effect: Effect, viewer: Viewer, where: Where) -> None:
        try:
            if isinstance(effect, OpenForm):
                self._open_form(effect, viewer, where)
            elif isinstance(effect, RefreshProfile):
                pass  # Lark draws people from their open_id; there is no profile to copy
            elif not self.runner.run(effect, viewer, where):
                log.error("no Lark handling for effect %s", type(effect).__name__)
        except Exception:
            log.exception("Lark effect %s failed", type(effect).__name__)

    def _open_form(self, effect: OpenForm, viewer: Viewer, where: Where) -> None:
        channel = where.channel_ref or where.user_ref
        card = self.renderer.form(effect.form, viewer, where.channel_ref)
        posted = self.notifier.send_card(channel, card, thread_ref=where.thread_ref)
        # A form that asks for files is answered by files sent in reply to it (bot/lark/files.py).
        track = form_track(effect.form)
        if track is not None and where.workspace_id is not None:
            self._remember(track, where.workspace_id, posted.channel_ref, posted.message_ref)

    def _remember(self, track: Track, workspace_id: int, channel_ref: str, message_ref: str) -> None:
        try:
            with session_scope(self.engine) as db:
                chat_message.remember(
                    db=db,
                    workspace_id=workspace_id,
                    platform=self.notifier.platform,
                    channel_ref=channel_ref,
                    message_ref=message_ref,
                    entity=track.entity,
                    entity_id=track.entity_id,
                )
        except Exception:
            log.exception("could not remember Lark message %s", message_ref)
