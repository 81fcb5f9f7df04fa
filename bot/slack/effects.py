"""Slack Web API calls made after the ack: opening modals, posting cards, refreshing profiles."""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient
from sqlalchemy.engine import Engine

from bot.db import session_scope
from bot.render.environment import Viewer
from bot.render.slack import SlackRenderer
from handlers.core.reply import Effect, OpenForm, PostToChannel, RefreshProfile, Reply
from models.base import utcnow
from models.workspace import Member

log = logging.getLogger(__name__)

UNREACHABLE_CHANNEL = {"not_in_channel", "channel_not_found", "is_archived"}


@dataclass(frozen=True)
class Where:
    """Where the request came from, for effects that answer it."""

    user_ref: str
    channel_ref: str | None = None
    trigger_id: str | None = None
    response_url: str | None = None
    thread_ts: str | None = None


class SlackEffects:
    def __init__(self, client: WebClient, renderer: SlackRenderer, engine: Engine, workers: int = 4) -> None:
        self.client = client
        self.renderer = renderer
        self.engine = engine
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="slack-effects")

    def submit(self, effects: list[Effect], viewer: Viewer, where: Where) -> list[Future[None]]:
        return [self.pool.submit(self._guarded, effect, viewer, where) for effect in effects]

    def respond(self, reply: Reply, viewer: Viewer, where: Where) -> Future[None]:
        """Answer a click: replace the clicked message, or send an ephemeral note."""
        return self.pool.submit(self._guarded, reply, viewer, where)

    def shutdown(self) -> None:
        self.pool.shutdown(wait=True)

    def _guarded(self, effect: Effect | Reply, viewer: Viewer, where: Where) -> None:
        try:
            if isinstance(effect, Reply):
                self._respond(effect, viewer, where)
            elif isinstance(effect, OpenForm):
                self._open_form(effect, viewer, where)
            elif isinstance(effect, PostToChannel):
                self._post(effect, viewer, where)
            elif isinstance(effect, RefreshProfile):
                self._refresh_profile(effect)
        except Exception:
            log.exception("Slack effect %s failed", type(effect).__name__)

    def _respond(self, reply: Reply, viewer: Viewer, where: Where) -> None:
        message = self.renderer.message(reply, viewer)
        if where.response_url:
            WebhookClient(where.response_url).send(
                text=message["text"],
                blocks=message["blocks"],
                replace_original=reply.replace_original,
                response_type=None if reply.replace_original else "ephemeral",
            )
        elif where.channel_ref:
            self.client.chat_postEphemeral(channel=where.channel_ref, user=where.user_ref, **message)

    def _open_form(self, effect: OpenForm, viewer: Viewer, where: Where) -> None:
        if not where.trigger_id:
            log.warning("form %s without a trigger_id", effect.form.action)
            return
        metadata = {"c": where.channel_ref, "p": effect.form.metadata}
        self.client.views_open(trigger_id=where.trigger_id, view=self.renderer.modal(effect.form, viewer, metadata))

    def _post(self, effect: PostToChannel, viewer: Viewer, where: Where) -> None:
        message = self.renderer.message(effect.reply, viewer)
        channel = effect.channel_ref or where.channel_ref or where.user_ref
        try:
            self.client.chat_postMessage(channel=channel, thread_ts=where.thread_ts, **message)
        except SlackApiError as err:
            if err.response.get("error") not in UNREACHABLE_CHANNEL:
                raise
            # The bot is not in that channel: the person who asked still gets the card, by DM.
            self.client.chat_postMessage(channel=where.user_ref, **message)

    def _refresh_profile(self, effect: RefreshProfile) -> None:
        info: dict[str, Any] = self.client.users_info(user=effect.user_ref, include_locale=True).data  # type: ignore[assignment]
        user = info.get("user") or {}
        with session_scope(self.engine) as db:
            member = db.get(Member, effect.member_id)
            if member is None:
                return
            member.tz = member.tz or user.get("tz")
            if member.lang is None and str(user.get("locale", "")).lower().startswith("zh"):
                member.lang = "zh-CN"
            profile = user.get("profile") or {}
            member.display_name = profile.get("display_name") or user.get("real_name") or member.display_name
            member.profile_checked_at = utcnow()
            db.add(member)
