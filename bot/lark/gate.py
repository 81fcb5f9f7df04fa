"""Whether a verified Lark payload has the shape Lark gives the events the bot acts on.

Lark's own schema 2.0: header.event_type, header.event_id and header.tenant_key; a message event names
its sender's open_id and a message with string content; a card callback names its operator and an
action. Anything else that claims to be one of those kinds is refused (400) before a handler runs.
"""

from __future__ import annotations

import re
from typing import Any

MESSAGE = "im.message.receive_v1"
CARD_ACTION = "card.action.trigger"
LARK_ID = re.compile(r"[A-Za-z0-9_.:-]{1,128}")  # open_id ou_…, chat oc_…, message om_…, tenant keys, event ids
MAX_CONTENT = 150_000  # Lark's largest message (a rich-text post) is 150 KB


def well_formed(payload: dict[str, Any]) -> bool:
    header = payload.get("header")
    if not isinstance(header, dict):
        return payload.get("schema") is None  # an old-style (1.0) event: acted on by nothing here
    kind = header.get("event_type")
    if kind not in (MESSAGE, CARD_ACTION):
        return True  # acknowledged and ignored
    if not _id(header.get("event_id"), optional=True) or not _id(header.get("tenant_key"), optional=True):
        return False
    event = payload.get("event")
    if not isinstance(event, dict):
        return False
    return _message(event, header) if kind == MESSAGE else _card_action(event, header)


def _message(event: dict[str, Any], header: dict[str, Any]) -> bool:
    sender, message = event.get("sender"), event.get("message")
    if not isinstance(sender, dict) or not isinstance(message, dict):
        return False
    sender_id = sender.get("sender_id")
    if not isinstance(sender_id, dict) or not _id(sender_id.get("open_id")):
        return False
    if not _id(header.get("tenant_key") or sender.get("tenant_key")):
        return False
    content = message.get("content")
    if content is not None and not (isinstance(content, str) and len(content) <= MAX_CONTENT):
        return False
    ids = ("message_id", "chat_id", "parent_id", "root_id")
    if not all(_id(message.get(name), optional=True) for name in ids):
        return False
    if not all(_short(message.get(name)) for name in ("chat_type", "message_type")):
        return False
    mentions = message.get("mentions", [])
    return isinstance(mentions, list) and all(_mention(m) for m in mentions)


def _mention(mention: Any) -> bool:
    if not isinstance(mention, dict):
        return False
    ids = mention.get("id", {})
    return (
        isinstance(ids, dict)
        and _id(ids.get("open_id"), optional=True)
        and _short(mention.get("key"))
        and _short(mention.get("name"))
    )


def _card_action(event: dict[str, Any], header: dict[str, Any]) -> bool:
    operator, action = event.get("operator"), event.get("action")
    if not isinstance(operator, dict) or not isinstance(action, dict):
        return False
    if not _id(operator.get("open_id")) or not _id(header.get("tenant_key") or operator.get("tenant_key")):
        return False
    form_value = action.get("form_value")
    if form_value is not None and not isinstance(form_value, dict):
        return False
    if not _short(action.get("name")):
        return False
    context = event.get("context", {})
    if not isinstance(context, dict):
        return False
    return _id(context.get("open_message_id"), optional=True) and _id(context.get("open_chat_id"), optional=True)


def _id(value: Any, *, optional: bool = False) -> bool:
    if value is None:
        return optional
    return isinstance(value, str) and LARK_ID.fullmatch(value) is not None


def _short(value: Any) -> bool:
    """Absent, or a string of a sensible length."""
    return value is None or (isinstance(value, str) and len(value) <= 1_000)
