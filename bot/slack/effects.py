"""Slack work done after the ack, on the process's after-answer pool: the platform-neutral effects through the
SlackNotifier, plus what only an interactive Slack request can do (open a modal, answer a click
through its response_url, read a new member's profile)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient
from sqlalchemy.engine import Engine

from bot.background import Background
from bot.db import session_scope
from bot.effects import EffectRunner, Where
from bot.outbox.sink import OutboxSink
from bot.render.slack import SlackRenderer
from bot.render.viewer import Viewer
from bot.slack.notifier import SlackNotifier
from bot.slack.tokens import SlackTokens
from handlers.core.reply import Effect, OpenForm, RefreshProfile, Reply
from models.workspace import apply_profile

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SlackWhere(Where):
    team_ref: str | None = None  # the Slack team, whose bot token answers
    trigger_id: str | None = None
    response_url: str | None = None
    from_home: bool = False  # a click in the Home tab


class NotInstalled(Exception):
    """No bot token for this team: the app was never installed there, or was removed."""


class SlackEffects:
    def __init__(
        self,
        tokens: SlackTokens,
        renderer: SlackRenderer,
        engine: Engine,
        on_people_changed: Callable[[], None],
        background: Background,
        outbox: Callable[[], OutboxSink | None] = lambda: None,
    ) -> None:
        self.tokens = tokens
        self.renderer = renderer
        self.engine = engine
        self.on_people_changed = on_people_changed
        self.background = background
        self.outbox = outbox

    def client(self, team_ref: str | None) -> WebClient:
        client = self.tokens.client(team_ref)
        if client is None:
            raise NotInstalled(team_ref)
        return client

    def submit(self, effects: list[Effect], viewer: Viewer, where: SlackWhere) -> list[Future[None]]:
        """Posts, DMs, updates and uploads go to the outbox; what only this request can do runs here."""
        sink = self.outbox()
        if sink is not None and effects:
            effects = sink.put(
                effects, platform="slack", team_ref=where.team_ref, viewer=viewer, where=where, tell_member_id=None
            )
        return [self.background.submit(self._guarded, effect, viewer, where) for effect in effects]

    def respond(self, reply: Reply, viewer: Viewer, where: SlackWhere) -> Future[None]:
        """Answer a click: replace the clicked message, or send an ephemeral note."""
        return self.background.submit(self._guarded, reply, viewer, where)

    def _guarded(self, effect: Effect | Reply, viewer: Viewer, where: SlackWhere) -> None:
        try:
            if isinstance(effect, Reply):
                self._respond(effect, viewer, where)
            elif isinstance(effect, OpenForm):
                self._open_form(effect, viewer, where)
            elif isinstance(effect, RefreshProfile):
                self._refresh_profile(effect, where)
            elif not self._runner(where).run(effect, viewer, where):
                log.error("no Slack handling for effect %s", type(effect).__name__)
        except NotInstalled:
            log.warning("Slack effect %s dropped: not installed in team %s", type(effect).__name__, where.team_ref)
        except Exception:
            log.exception("Slack effect %s failed", type(effect).__name__)

    def _runner(self, where: SlackWhere) -> EffectRunner:
        return EffectRunner(SlackNotifier(self.client(where.team_ref), self.renderer), self.engine)

    def _respond(self, reply: Reply, viewer: Viewer, where: SlackWhere) -> None:
        self.follow_up(self.renderer.messages(reply, viewer), reply, where)

    def follow_up(
        self, messages: list[dict[str, Any]], reply: Reply, where: SlackWhere, visible: str = "ephemeral"
    ) -> None:
        """Messages answering a request, through its response_url (the first may replace the clicked
        message), or as ephemeral messages in its channel."""
        for i, message in enumerate(messages):
            replace_original = reply.replace_original and i == 0
            if where.response_url:
                WebhookClient(where.response_url).send(
                    text=message["text"],
                    blocks=message["blocks"],
                    replace_original=replace_original,
                    response_type=None if replace_original else visible,
                )
            elif where.channel_ref:
                self.client(where.team_ref).chat_postEphemeral(
                    channel=where.channel_ref, user=where.user_ref, thread_ts=where.thread_ref, **message
                )

    def continue_answer(self, messages: list[dict[str, Any]], reply: Reply, where: SlackWhere) -> Future[None]:
        """The rest of a reply whose first message was the HTTP answer."""
        return self.background.submit(self._guarded_follow_up, messages, reply, where)

    def _guarded_follow_up(self, messages: list[dict[str, Any]], reply: Reply, where: SlackWhere) -> None:
        try:
            self.follow_up(messages, reply, where, visible=reply.visibility.value)
        except Exception:
            log.exception("Slack follow-up messages failed")

    def _open_form(self, effect: OpenForm, viewer: Viewer, where: SlackWhere) -> None:
        if not where.trigger_id:
            log.warning("form %s without a trigger_id", effect.form.action)
            return
        metadata: dict[str, Any] = {"c": where.channel_ref, "p": effect.form.metadata}
        if where.from_home:
            metadata["h"] = 1
        self.client(where.team_ref).views_open(
            trigger_id=where.trigger_id, view=self.renderer.modal(effect.form, viewer, metadata)
        )

    def _refresh_profile(self, effect: RefreshProfile, where: SlackWhere) -> None:
        info: dict[str, Any] = self.client(where.team_ref).users_info(user=effect.user_ref, include_locale=True).data  # type: ignore[assignment]
        user = info.get("user") or {}
        profile = user.get("profile") or {}
        with session_scope(self.engine) as db:
            apply_profile(
                db=db,
                member_id=effect.member_id,
                tz=user.get("tz"),
                locale=user.get("locale"),
                display_name=profile.get("display_name") or user.get("real_name"),
                platform_admin=bool(user.get("is_admin") or user.get("is_owner")),
            )
        self.on_people_changed()
