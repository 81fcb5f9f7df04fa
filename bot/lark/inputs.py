"""Reading Lark payloads: who is asking and where, the command typed, and what a card sent back.

Typed text is turned into the canonical form every front end hands the parser (handlers/core/args.py):
`&`, `<` and `>` as entities and people as `<@open_id|name>`, so `owner=@李雷` works as on Slack.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from bot.render.lark import SUBMIT_PREFIX
from bot.runtime import Caller
from handlers.core.fields import drawn_payload

MENTION_KEY = re.compile(r"@_user_\d+|@_all")
NOT_IN_NAME = re.compile(r"[<>|]")
DATE_PICKED = re.compile(r"(\d{4}-\d{2}-\d{2})(?:\s+[+-]\d{4})?")
PICKER_VALUE = re.compile(r"\d{4}-\d{2}-\d{2}\s+[+-]\d{4}")
SLASHES = "/／"


@dataclass(frozen=True)
class ButtonValue:
    """What a card button (or a form's submit button) carries: the same small payload as on Slack."""

    action: str
    payload: dict[str, Any]
    form: bool = False
    channel_ref: str | None = None  # where the form was opened
    dates: tuple[str, ...] = ()  # form fields that are date pickers
    labels: dict[str, str] = field(default_factory=dict)  # form field name → catalogue key of its label


def message_caller(payload: dict[str, Any]) -> Caller:
    event = payload["event"]
    sender = event.get("sender") or {}
    return Caller(
        platform="lark",
        team_ref=_tenant(payload, sender.get("tenant_key")),
        user_ref=str((sender.get("sender_id") or {})["open_id"]),
        channel_ref=(event.get("message") or {}).get("chat_id"),
    )


def card_caller(payload: dict[str, Any], channel_ref: str | None = None) -> Caller:
    event = payload["event"]
    operator = event.get("operator") or {}
    return Caller(
        platform="lark",
        team_ref=_tenant(payload, operator.get("tenant_key")),
        user_ref=str(operator["open_id"]),
        channel_ref=channel_ref or (event.get("context") or {}).get("open_chat_id"),
    )


def message_text(message: dict[str, Any]) -> str | None:
    """The text of a text or rich-text (post) message; None for images, files, stickers..."""
    try:
        content = json.loads(message.get("content") or "{}")
    except (ValueError, RecursionError):
        return None
    if not isinstance(content, dict):
        return None
    kind = message.get("message_type")
    if kind == "text":
        return _string(content.get("text"))
    if kind == "post":
        body = content.get("content") if "content" in content else _first_language(content)
        lines = []
        for paragraph in body if isinstance(body, list) else ():
            parts = []
            for element in paragraph if isinstance(paragraph, list) else ():
                tag = element.get("tag") if isinstance(element, dict) else None
                if tag in ("text", "a"):
                    parts.append(_string(element.get("text")))
                elif tag == "at":
                    parts.append(_string(element.get("user_id")))
            lines.append("".join(parts))
        return "\n".join(lines)
    return None


def _first_language(content: dict[str, Any]) -> Any:
    """A post in one language ({"zh_cn": {"title": ..., "content": [...]}}): its paragraphs."""
    first = next(iter(content.values()), None)
    return first.get("content") if isinstance(first, dict) else None


def _string(value: Any) -> str:
    return value if isinstance(value, str) else ""


def canonical(text: str, mentions: list[dict[str, Any]], *, bot_open_id: str | None) -> tuple[str, bool]:
    """The text in canonical form without the bot's own mention, and whether the bot was mentioned.

    Without the bot's open_id (not fetched yet), a mention at the very start is taken to be the bot.
    """
    by_key = {str(m.get("key")): m for m in mentions if m.get("key")}
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").strip()
    leading = MENTION_KEY.match(escaped)
    addressed = False

    def replace(match: re.Match[str]) -> str:
        nonlocal addressed
        mention = by_key.get(match.group(0))
        if mention is None:
            return "@all" if match.group(0) == "@_all" else match.group(0)
        open_id = str((mention.get("id") or {}).get("open_id") or "")
        is_bot = open_id == bot_open_id if bot_open_id else leading is not None and match.start() == 0
        if is_bot:
            addressed = True
            return ""
        name = NOT_IN_NAME.sub("", str(mention.get("name") or "")).strip()
        return f"<@{open_id}|{name}>" if name else f"<@{open_id}>"

    return MENTION_KEY.sub(replace, escaped).strip(), addressed


def split_command(text: str) -> tuple[str, str]:
    """`/req list` or `req list` as (root, rest)."""
    head, _, rest = text.strip().partition(" ")
    return head.lstrip(SLASHES), rest.strip()


def decode_value(value: Any) -> ButtonValue | None:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            return None
    if not isinstance(value, dict) or not isinstance(value.get("a"), str) or not drawn_payload(value):
        return None
    payload = value.get("p") if isinstance(value.get("p"), dict) else {}
    labels = value.get("l") if isinstance(value.get("l"), dict) else {}
    dates = value.get("d") if isinstance(value.get("d"), list) else []
    return ButtonValue(
        action=value["a"],
        payload=payload,
        form=bool(value.get("f")),
        channel_ref=value.get("c") if isinstance(value.get("c"), str) else None,
        dates=tuple(d for d in dates if isinstance(d, str)),
        labels={str(k): v for k, v in labels.items() if isinstance(v, str)},
    )


def decode_action(action: dict[str, Any]) -> ButtonValue | None:
    """What a card callback's action carries.

    A form's submit button carries its value like any button. Should Lark ever leave the value out
    of a submission, the button's name still names the action (submit_name in bot/render/lark.py);
    date pickers are then recognised by the shape of their value ("2026-09-01 +0800").
    """
    value = decode_value(action.get("value"))
    if value is not None:
        return value
    name = str(action.get("name") or "")
    form_value = action.get("form_value")
    if not name.startswith(SUBMIT_PREFIX) or not isinstance(form_value, dict):
        return None
    dates = tuple(k for k, v in form_value.items() if isinstance(v, str) and PICKER_VALUE.fullmatch(v.strip()))
    return ButtonValue(action=name[len(SUBMIT_PREFIX) :].replace("__", "."), payload={}, form=True, dates=dates)


def form_values(form_value: dict[str, Any], dates: tuple[str, ...]) -> dict[str, Any]:
    """A submitted card form as {field name: value}; date pickers send "2026-09-01 +0800"."""
    values: dict[str, Any] = {}
    for name, value in form_value.items():
        if name in dates and isinstance(value, str) and (match := DATE_PICKED.fullmatch(value.strip())):
            value = match.group(1)
        values[name] = _form_value(value)
    return values


def _form_value(value: Any) -> Any:
    """Text, or a multi-select's list of texts, as Lark sends them; any other value counts as none."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return None


def _tenant(payload: dict[str, Any], fallback: Any) -> str:
    tenant = (payload.get("header") or {}).get("tenant_key") or fallback
    if not tenant:
        raise ValueError("Lark payload without a tenant_key")
    return str(tenant)
