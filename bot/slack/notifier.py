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
# The metadata event type that marks a message the outbox posted, with the row's key in its payload.
OUTBOX_EVENT = "tradewind_outbox"


class SlackNotifier:
    platform = "slack"
    nests_replies = False

    def __init__(self, client: WebClient, renderer: SlackRenderer) -> None:
        self.client = client
        self.renderer = renderer

    def post(self, channel_ref: str, reply: Reply, viewer: Viewer, *, thread_ref: str | None = None) -> Posted:
        """The reply's first message where asked; a card too big for one message continues in its thread."""
        return self.post_keyed(channel_ref, reply, viewer, thread_ref=thread_ref, key=None)

    def post_keyed(
        self, channel_ref: str, reply: Reply, viewer: Viewer, *, thread_ref: str | None, key: str | None
    ) -> Posted:
        """A post marked with the outbox key in its metadata, so that `find_posted` can tell it went."""
        first, *rest = self.renderer.messages(reply, viewer)
        if key is not None:
            first = {**first, "metadata": {"event_type": OUTBOX_EVENT, "event_payload": {"outbox": key}}}
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

    def direct_keyed(self, user_ref: str, reply: Reply, viewer: Viewer, *, key: str) -> Posted:
        # Posting to a user id opens (or reuses) the bot's DM with them; find_posted reads that DM.
        return self.post_keyed(user_ref, reply, viewer, thread_ref=None, key=key)

    def find_posted(self, channel_ref: str, key: str, oldest: float) -> Posted | None:
        """The message the outbox posted under `key` in this channel (or DM) since `oldest`, if any."""
        channel = self._dm_channel(channel_ref) if channel_ref.startswith(("U", "W")) else channel_ref
        cursor: str | None = None
        while True:
            page = self.client.conversations_history(
                channel=channel, oldest=f"{oldest:.6f}", include_all_metadata=True, limit=200, cursor=cursor
            )
            for message in page.get("messages") or []:
                metadata = message.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                if metadata.get("event_type") == OUTBOX_EVENT and payload.get("outbox") == key:
                    return Posted(channel, str(message["ts"]))
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor or not page.get("has_more"):
                return None

    def _dm_channel(self, user_ref: str) -> str:
        opened = self.client.conversations_open(users=user_ref)
        return str(opened["channel"]["id"])

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
