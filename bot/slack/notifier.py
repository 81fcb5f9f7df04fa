"""The Notifier port over Slack's Web API."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.notify import ChannelUnreachable, Posted
from bot.render.slack import SlackRenderer
from bot.render.viewer import Viewer
from handlers.core.reply import Reply

UNREACHABLE = {"not_in_channel", "channel_not_found", "is_archived"}


class SlackNotifier:
    platform = "slack"
    nests_replies = False

    def __init__(self, client: WebClient, renderer: SlackRenderer) -> None:
        self.client = client
        self.renderer = renderer

    def post(self, channel_ref: str, reply: Reply, viewer: Viewer, *, thread_ref: str | None = None) -> Posted:
        """The reply's first message where asked; a card too big for one message continues in its thread."""
        first, *rest = self.renderer.messages(reply, viewer)
        try:
            response = self.client.chat_postMessage(channel=channel_ref, thread_ts=thread_ref, **first)
        except SlackApiError as err:
            if err.response.get("error") in UNREACHABLE:
                raise ChannelUnreachable(channel_ref) from err
            raise
        posted = Posted(str(response["channel"]), str(response["ts"]))
        self._continue(posted, rest, thread_ref)
        return posted

    def update(self, channel_ref: str, message_ref: str, reply: Reply, viewer: Viewer) -> None:
        first, *rest = self.renderer.messages(reply, viewer)
        self.client.chat_update(channel=channel_ref, ts=message_ref, **first)
        self._continue(Posted(channel_ref, message_ref), rest, None)

    def direct(self, user_ref: str, reply: Reply, viewer: Viewer) -> Posted:
        # Posting to a user id opens (or reuses) the bot's DM with them.
        first, *rest = self.renderer.messages(reply, viewer)
        response = self.client.chat_postMessage(channel=user_ref, **first)
        posted = Posted(str(response["channel"]), str(response["ts"]))
        self._continue(posted, rest, None)
        return posted

    def _continue(self, posted: Posted, rest: list[dict[str, Any]], thread_ref: str | None) -> None:
        for message in rest:
            self.client.chat_postMessage(
                channel=posted.channel_ref, thread_ts=thread_ref or posted.message_ref, **message
            )

    def upload(
        self, channel_ref: str, filename: str, content: bytes, title: str, comment: str | None, viewer: Viewer
    ) -> None:
        self.client.files_upload_v2(
            channel=channel_ref, filename=filename, content=content, title=title, initial_comment=comment
        )
