"""Files people send on Lark. Lark cards have no file input, so a form that asks for a file (a CSV of
results, say) is drawn as a card that asks for the file to be sent as a reply to it; that card is
remembered as being about the entity, like any tracked card.

A file message that replies to a tracked card (directly or in its thread), or that is sent one-to-one
to the bot shortly after one, goes to that entity's file action (`<entity>.file`), as a file shared in
a tracked card's thread does on Slack. The file is fetched with the tenant token from
GET /open-apis/im/v1/messages/{message_id}/resources/{file_key}?type=file.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import lark_oapi as lark
from lark_oapi.api.im.v1 import GetMessageResourceRequest, GetMessageResourceResponse
from sqlalchemy.engine import Engine

from bot.db import session_scope
from bot.lark.client import LarkApiError, call
from handlers.core.reply import Attachment, FileRef, Form, Track
from models.base import utcnow
from models.chat_message import tracked_in

log = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024
FILE_SUFFIX = ".file"  # handlers/core/reply.py file_action: f"{entity}.file"
# A file sent one-to-one without replying to anything belongs to the chat's newest tracked card this soon after it.
RECENT = timedelta(minutes=30)
RECENT_ROWS = 20
RESOURCE = re.compile(r"lark:im/([\w-]{1,128})/([\w-]{1,256})")


class FileUnavailable(Exception):
    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason  # "too_big" or "unavailable"


def form_track(form: Form) -> Track | None:
    """What a form that asks for files is about: `<entity>.file` with the entity's id in its metadata."""
    entity_id = form.metadata.get("id")
    if not any(f.kind == "file" for f in form.fields) or not form.action.endswith(FILE_SUFFIX):
        return None
    if not isinstance(entity_id, int) or isinstance(entity_id, bool):
        return None
    return Track(form.action.removesuffix(FILE_SUFFIX), entity_id)


def file_refs(message: dict[str, Any]) -> list[FileRef]:
    """The file a Lark file message carries, as a reference to fetch later."""
    if message.get("message_type") != "file":
        return []
    try:
        content = json.loads(message.get("content") or "{}")
    except (ValueError, RecursionError):
        return []
    if not isinstance(content, dict):
        return []
    key, message_id = content.get("file_key"), message.get("message_id")
    if not isinstance(key, str) or not isinstance(message_id, str):
        return []
    url = f"lark:im/{message_id}/{key}"
    if not RESOURCE.fullmatch(url):
        return []
    return [FileRef(str(content.get("file_name") or key), url)]


class LarkFiles:
    """Fetches message resources through the Open API client (which carries the tenant token)."""

    def __init__(self, client: lark.Client, *, max_bytes: int = MAX_BYTES) -> None:
        self.client = client
        self.max_bytes = max_bytes

    def fetch(self, ref: FileRef) -> Attachment:
        match = RESOURCE.fullmatch(ref.url)
        if match is None:
            log.warning("not fetching %s: not a Lark message resource", ref.name)
            raise FileUnavailable(ref.name, "unavailable")
        if ref.size is not None and ref.size > self.max_bytes:
            raise FileUnavailable(ref.name, "too_big")
        request = (
            GetMessageResourceRequest.builder().message_id(match.group(1)).file_key(match.group(2)).type("file").build()
        )
        got: list[GetMessageResourceResponse] = []

        def send() -> GetMessageResourceResponse:
            got.append(self.client.im.v1.message_resource.get(request))
            return got[-1]

        try:
            call("im.v1.message_resource.get", send)
        except (LarkApiError, OSError) as err:
            log.warning("could not fetch %s: %s", ref.name, err)
            raise FileUnavailable(ref.name, "unavailable") from err
        content = got[-1].file.getvalue() if got[-1].file is not None else b""
        if len(content) > self.max_bytes:
            raise FileUnavailable(ref.name, "too_big")
        return Attachment(ref.name, content)


def tracked_target(
    engine: Engine,
    *,
    tenant: str,
    chat: str,
    replied_to: list[str],
    recent: bool,
    takes_files: Callable[[str], bool],
) -> tuple[str, int] | None:
    """The entity a file message is for: the tracked card it replies to (its parent, then its thread's
    root); otherwise, when `recent` allows it, the chat's newest recent tracked card about something that
    takes files."""
    with session_scope(engine) as db:
        if replied_to:
            rows = tracked_in(db=db, platform="lark", team_ref=tenant, channel_ref=chat, message_refs=replied_to)
            for ref in replied_to:
                for entity, entity_id, message_ref in rows:
                    if message_ref == ref and takes_files(entity):
                        return entity, entity_id
            return None
        if not recent:
            return None
        since = utcnow() - RECENT
        rows = tracked_in(db=db, platform="lark", team_ref=tenant, channel_ref=chat, since=since, limit=RECENT_ROWS)
    for entity, entity_id, _ in rows:
        if takes_files(entity):
            return entity, entity_id
    return None
