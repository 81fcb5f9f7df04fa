"""The Notifier port over Lark's Open API: cards sent, replied and patched; images and files uploaded."""

from __future__ import annotations

import io
import json
import logging
import uuid
from pathlib import PurePath
from typing import Any

import lark_oapi as lark
from lark_oapi.api.im.v1 import (
    CreateFileRequest,
    CreateFileRequestBody,
    CreateImageRequest,
    CreateImageRequestBody,
    CreateMessageRequest,
    CreateMessageRequestBody,
    PatchMessageRequest,
    PatchMessageRequestBody,
    ReplyMessageRequest,
    ReplyMessageRequestBody,
)

from bot.lark.client import LarkApiError, applink_origin, call, make_client
from bot.notify import ChannelUnreachable, Posted
from bot.render.lark import LarkRenderer
from bot.render.viewer import Viewer
from bot.settings import Settings
from handlers.core.reply import Reply

log = logging.getLogger(__name__)

# The bot is not in that chat; it may not message that user; the chat was dissolved.
UNREACHABLE = {230002, 230013, 232009}
IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp"}
_MIME = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".csv": "text/csv"}
FILE_TYPES = {".pdf": "pdf", ".doc": "doc", ".docx": "doc", ".xls": "xls", ".xlsx": "xls", ".ppt": "ppt"}


def make_notifier(settings: Settings) -> LarkNotifier:
    """A Lark notifier on its own, for work outside a request (the scheduler's deliveries to Lark
    workspaces: EffectRunner(make_notifier(settings), engine))."""
    return LarkNotifier(make_client(settings), LarkRenderer(applink=applink_origin(settings.lark_domain)))


def receive_id_type(ref: str) -> str:
    """Lark ids say what they are: ou_ a user's open_id, oc_ a chat."""
    return "open_id" if ref.startswith("ou_") else "chat_id"


class LarkNotifier:
    platform = "lark"
    nests_replies = True

    def __init__(self, client: lark.Client, renderer: LarkRenderer) -> None:
        self.client = client
        self.renderer = renderer

    def post(self, channel_ref: str, reply: Reply, viewer: Viewer, *, thread_ref: str | None = None) -> Posted:
        """The reply's first card where asked; a reply too big for one card continues in replies to it."""
        first, *rest = self._cards(reply, viewer)
        posted = self.send_card(channel_ref, first, thread_ref=thread_ref)
        self.send_rest(posted, rest)
        return posted

    def update(self, channel_ref: str, message_ref: str, reply: Reply, viewer: Viewer) -> None:
        first, *rest = self.renderer.cards(reply, viewer)  # a card that cannot be drawn stays as it was
        content = _compact(first)
        request = (
            PatchMessageRequest.builder()
            .message_id(message_ref)
            .request_body(PatchMessageRequestBody.builder().content(content).build())
            .build()
        )
        call("im.v1.message.patch", lambda: self.client.im.v1.message.patch(request))
        self.send_rest(Posted(channel_ref, message_ref), rest)

    def direct(self, user_ref: str, reply: Reply, viewer: Viewer) -> Posted:
        return self.post(user_ref, reply, viewer)

    def post_keyed(self, channel_ref: str, reply: Reply, viewer: Viewer, *, thread_ref: str | None, key: str) -> Posted:
        """A post whose uuid is the outbox key: Lark drops a second send of it (within an hour), so an
        outbox retry after a lost answer does not post twice."""
        first, *rest = self._cards(reply, viewer)
        posted = self.send(channel_ref, "interactive", first, thread_ref=thread_ref, key=key)
        self.send_rest(posted, rest)
        return posted

    def direct_keyed(self, user_ref: str, reply: Reply, viewer: Viewer, *, key: str) -> Posted:
        return self.post_keyed(user_ref, reply, viewer, thread_ref=None, key=key)

    def send_rest(self, posted: Posted, cards: list[dict[str, Any]]) -> None:
        """The cards after a reply's first, each in reply to the one before (they read in order)."""
        parent = posted.message_ref
        for card in cards:
            parent = self.send_card(posted.channel_ref, card, thread_ref=parent).message_ref

    def upload(
        self, channel_ref: str, filename: str, content: bytes, title: str, comment: str | None, viewer: Viewer
    ) -> None:
        name = PurePath(filename).name
        suffix = PurePath(name).suffix.lower()
        caption = f"{title}\n{comment}" if comment else title
        self.send(channel_ref, "text", {"text": caption})
        mime = _MIME.get(suffix, "application/octet-stream")

        # Built afresh for every attempt: the SDK consumes a multipart body when it sends it.
        def image() -> CreateImageRequest:
            part = (name, io.BytesIO(content), mime)
            body = CreateImageRequestBody.builder().image_type("message").image(part).build()  # type: ignore[arg-type]
            return CreateImageRequest.builder().request_body(body).build()

        def file() -> CreateFileRequest:
            part = (name, io.BytesIO(content), mime)
            body = (
                CreateFileRequestBody.builder()
                .file_type(FILE_TYPES.get(suffix, "stream"))
                .file_name(name)
                .file(part)  # type: ignore[arg-type]
                .build()
            )
            return CreateFileRequest.builder().request_body(body).build()

        if suffix in IMAGE_TYPES:
            data = call("im.v1.image.create", lambda: self.client.im.v1.image.create(image()))
            self.send(channel_ref, "image", {"image_key": data.image_key})
        else:
            data = call("im.v1.file.create", lambda: self.client.im.v1.file.create(file()))
            self.send(channel_ref, "file", {"file_key": data.file_key})

    def send_card(self, channel_ref: str, card: dict[str, Any], *, thread_ref: str | None = None) -> Posted:
        return self.send(channel_ref, "interactive", card, thread_ref=thread_ref)

    def send(
        self,
        channel_ref: str,
        msg_type: str,
        content: dict[str, Any],
        *,
        thread_ref: str | None = None,
        key: str | None = None,
    ) -> Posted:
        """One message; in reply to `thread_ref` (a message id) when given. Retries reuse one uuid (the
        outbox row's key when given), so that Lark never delivers the message twice."""
        idempotency = f"tw-outbox-{key}" if key else uuid.uuid4().hex
        text = _compact(content)
        try:
            if thread_ref:
                message_id = thread_ref

                def reply() -> ReplyMessageRequest:
                    body = ReplyMessageRequestBody.builder().msg_type(msg_type).content(text).uuid(idempotency)
                    return ReplyMessageRequest.builder().message_id(message_id).request_body(body.build()).build()

                data = call("im.v1.message.reply", lambda: self.client.im.v1.message.reply(reply()))
            else:

                def create() -> CreateMessageRequest:
                    body = (
                        CreateMessageRequestBody.builder()
                        .receive_id(channel_ref)
                        .msg_type(msg_type)
                        .content(text)
                        .uuid(idempotency)
                        .build()
                    )
                    return (
                        CreateMessageRequest.builder()
                        .receive_id_type(receive_id_type(channel_ref))
                        .request_body(body)
                        .build()
                    )

                data = call("im.v1.message.create", lambda: self.client.im.v1.message.create(create()))
        except LarkApiError as err:
            if err.code in UNREACHABLE:
                raise ChannelUnreachable(channel_ref) from err
            raise
        return Posted(str(data.chat_id or channel_ref), str(data.message_id))

    def _cards(self, reply: Reply, viewer: Viewer) -> list[dict[str, Any]]:
        """The reply's cards; one that cannot be drawn becomes a short apology, so that the person who
        asked is not left without an answer."""
        try:
            return self.renderer.cards(reply, viewer)
        except Exception:
            log.exception("reply %s could not be drawn for Lark", reply.kind)
            return self.renderer.cards(Reply.message("common.internal_error", ref="render"), viewer)


def _compact(content: dict[str, Any]) -> str:
    return json.dumps(content, ensure_ascii=False, separators=(",", ":"))
