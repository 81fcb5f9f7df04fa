"""The port every chat front end implements to say things outside a request's own answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.render.viewer import Viewer
from handlers.core.reply import Reply


@dataclass(frozen=True)
class Posted:
    channel_ref: str
    message_ref: str


class ChannelUnreachable(Exception):
    """The bot may not post in that channel (not a member, archived, gone)."""


class Notifier(Protocol):
    platform: str
    # True where a reply can answer any message (Lark), so that a post's thread replies to the post itself;
    # False where replies form one flat thread under its first message (Slack).
    nests_replies: bool

    def post(self, channel_ref: str, reply: Reply, viewer: Viewer, *, thread_ref: str | None = None) -> Posted: ...

    def update(self, channel_ref: str, message_ref: str, reply: Reply, viewer: Viewer) -> None: ...

    def direct(self, user_ref: str, reply: Reply, viewer: Viewer) -> Posted: ...

    def upload(
        self, channel_ref: str, filename: str, content: bytes, title: str, comment: str | None, viewer: Viewer
    ) -> None: ...
