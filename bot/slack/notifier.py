"""The Notifier port over Slack's Web API."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.notify import ChannelUnreachable, Posted
from bot.render.environment import Viewer
from bot.render.slack import SlackRenderer
from handlers.core.reply import Reply

UNREACHABLE = {"not_in_channel", "channel_not_found", "is_archived"}


class SlackNotifier:
    platform = "slack"
    nests_replies = False

    def __init__(self, client: WebClient, renderer: SlackRenderer) -> None:
        self.client = client
        self.renderer = renderer

    def post(self, channel_ref: str, reply: Reply, viewer: Viewer, *, thread_ref: str | None = None) -> Posted:
        message = self.renderer.message(reply, viewer)
        try:
            response = self.client.chat_postMessage(channel=channel_ref, thread_ts=thread_ref, **message)
        except SlackApiError as err:
            if err.response.get("error") in UNREACHABLE:
                raise ChannelUnreachable(channel_ref) from err
            raise
        return Posted(str(response["channel"]), str(response["ts"]))

    def update(self, channel_ref: str, message_ref: str, reply: Reply, viewer: Viewer) -> None:
        self.client.chat_update(channel=channel_ref, ts=message_ref, **self.renderer.message(reply, viewer))

    def direct(self, user_ref: str, reply: Reply, viewer: Viewer) -> Posted:
        # Posting to a user id opens (or reuses) the bot's DM with them.
        response = self.client.chat_postMessage(channel=user_ref, **self.renderer.message(reply, viewer))
        return Posted(str(response["channel"]), str(response["ts"]))

    def upload(
        self, channel_ref: str, filename: str, content: bytes, title: str, comment: str | None, viewer: Viewer
    ) -> None:
        self.client.files_upload_v2(
            channel=channel_ref, filename=filename, content=content, title=title, initial_comment=comment
        )
