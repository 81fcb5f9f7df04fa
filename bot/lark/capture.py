"""A requirement captured from a Lark message: someone replies to it with `@Tradewind req capture`,
and the message replied to is read (GET /open-apis/im/v1/messages/:message_id) for its text and author."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any

import lark_oapi as lark
from lark_oapi.core.enum import AccessTokenType, HttpMethod
from lark_oapi.core.model import BaseRequest

from bot.lark import inputs

log = logging.getLogger(__name__)

MESSAGE_ID = re.compile(r"om_[A-Za-z0-9_-]{1,120}")
CHAT_ID = re.compile(r"oc_[A-Za-z0-9_-]{1,120}")
CAPTURE_WORDS = frozenset({"capture", "记录", "记为需求"})


@dataclass(frozen=True)
class Captured:
    text: str
    author: str | None  # the sender's open_id, when a person wrote it
    chat_id: str | None


def wants_capture(root: str, rest: str, message: dict[str, Any]) -> bool:
    """`req capture` (alone) said in reply to another message."""
    return root == "req" and rest.strip().lower() in CAPTURE_WORDS and isinstance(message.get("parent_id"), str)


def read_message(client: lark.Client, message_id: str) -> Captured | None:
    """The message's text and author; None when Lark does not give it (deleted, not visible to the bot)."""
    if not MESSAGE_ID.fullmatch(message_id):
        return None
    request = (
        BaseRequest.builder()
        .http_method(HttpMethod.GET)
        .uri(f"/open-apis/im/v1/messages/{message_id}")
        .token_types({AccessTokenType.TENANT})
        .build()
    )
    try:
        response = client.request(request)
        body = json.loads(response.raw.content) if response.raw and response.raw.content else {}
    except Exception:
        log.warning("could not read Lark message %s", message_id, exc_info=True)
        return None
    items = (body.get("data") or {}).get("items") if isinstance(body, dict) and body.get("code") == 0 else None
    if not isinstance(items, list) or not items or not isinstance(items[0], dict):
        log.info("Lark message %s not readable: %s", message_id, body.get("msg") if isinstance(body, dict) else None)
        return None
    item = items[0]
    content = (item.get("body") or {}).get("content") if isinstance(item.get("body"), dict) else None
    text = inputs.message_text({"message_type": item.get("msg_type"), "content": content})
    sender = item.get("sender") if isinstance(item.get("sender"), dict) else {}
    person = sender.get("sender_type") == "user" and sender.get("id_type") == "open_id"
    author = sender.get("id") if person and isinstance(sender.get("id"), str) else None
    chat = item.get("chat_id") if isinstance(item.get("chat_id"), str) else None
    return Captured(text or "", author, chat)


def message_link(applink: str | None, chat_id: str | None) -> str | None:
    """An AppLink that opens the chat the message is in (Lark has no link to one message of a group)."""
    if not applink or not chat_id or not CHAT_ID.fullmatch(chat_id):
        return None
    return f"{applink}/client/chat/open?openChatId={chat_id}"
