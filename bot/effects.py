"""Carrying out a reply's effects through a Notifier: posts (remembered for later updates), direct
messages in the recipient's own language, updates of earlier cards, and file uploads."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from sqlalchemy.engine import Engine

from bot import built_files
from bot.db import session_scope
from bot.i18n import catalog
from bot.notify import ChannelUnreachable, Notifier
from bot.render import charts
from bot.render.csv_file import csv_bytes
from bot.render.viewer import Viewer
from handlers.core.reply import DirectMessage, Effect, PostToChannel, Text, UpdateTracked, UploadFile
from handlers.core.spreadsheet import CsvTable
from models import chat_message
from models.workspace import Member, Workspace

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Where:
    """Where the request came from, for effects that answer it."""

    workspace_id: int | None
    user_ref: str
    channel_ref: str | None = None
    thread_ref: str | None = None


class EffectRunner:
    def __init__(self, notifier: Notifier, engine: Engine) -> None:
        self.notifier = notifier
        self.engine = engine

    def run(self, effect: Effect, viewer: Viewer, where: Where) -> bool:
        """Carry out one platform-neutral effect; False when it is not one this runner knows."""
        if isinstance(effect, PostToChannel):
            self._post(effect, viewer, where)
        elif isinstance(effect, DirectMessage):
            self._direct(effect)
        elif isinstance(effect, UpdateTracked):
            self._update(effect, viewer, where)
        elif isinstance(effect, UploadFile):
            effect = built_files.build(effect, self.engine, lambda text: self._t(viewer, text))
            channel = effect.channel_ref or where.channel_ref or where.user_ref
            comment = self._t(viewer, effect.comment) if effect.comment else None
            content = effect.content
            if isinstance(content, CsvTable):
                content = csv_bytes(content, lambda text: self._t(viewer, text))
            elif not isinstance(content, bytes):
                content = charts.draw(content, lambda text: self._t(viewer, text))
            self.notifier.upload(channel, effect.filename, content, self._t(viewer, effect.title), comment, viewer)
        else:
            return False
        return True

    def _post(self, effect: PostToChannel, viewer: Viewer, where: Where) -> None:
        channel = effect.channel_ref or where.channel_ref or where.user_ref
        if effect.reply.lang:
            viewer = replace(viewer, lang=effect.reply.lang)
        try:
            posted = self.notifier.post(channel, effect.reply, viewer, thread_ref=where.thread_ref)
        except ChannelUnreachable:
            if not where.user_ref:
                raise
            log.info("channel %s unreachable; sending the card to %s directly", channel, where.user_ref)
            posted = self.notifier.direct(where.user_ref, effect.reply, viewer)
        if effect.track and where.workspace_id is not None:
            with session_scope(self.engine) as db:
                chat_message.remember(
                    db=db,
                    workspace_id=where.workspace_id,
                    platform=self.notifier.platform,
                    channel_ref=posted.channel_ref,
                    message_ref=posted.message_ref,
                    entity=effect.track.entity,
                    entity_id=effect.track.entity_id,
                )
        parent = posted.message_ref if self.notifier.nests_replies else where.thread_ref or posted.message_ref
        for reply in effect.thread:
            self.notifier.post(posted.channel_ref, reply, viewer, thread_ref=parent)

    def _direct(self, effect: DirectMessage) -> None:
        with session_scope(self.engine) as db:
            member = db.get(Member, effect.member_id)
            workspace = db.get(Workspace, member.workspace_id) if member else None
        if member is None or workspace is None:
            log.warning("direct message to unknown member %s dropped", effect.member_id)
            return
        viewer = Viewer(member.lang or workspace.default_lang, member.tz or workspace.default_tz)
        self.notifier.direct(member.external_id, effect.reply, viewer)

    def _update(self, effect: UpdateTracked, viewer: Viewer, where: Where) -> None:
        if where.workspace_id is None:
            return
        with session_scope(self.engine) as db:
            messages = chat_message.posted_about(
                db=db, workspace_id=where.workspace_id, entity=effect.track.entity, entity_id=effect.track.entity_id
            )
        for message in messages:
            if message.platform == self.notifier.platform:
                self.notifier.update(message.channel_ref, message.message_ref, effect.reply, viewer)

    @staticmethod
    def _t(viewer: Viewer, text: Text) -> str:
        return catalog().t(viewer.lang, text)
