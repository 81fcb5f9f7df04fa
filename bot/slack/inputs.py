"""Reading Slack payloads: who is asking, where, and what a modal submitted."""

from __future__ import annotations

import json
import re
from typing import Any

from bot.runtime import Caller
from bot.slack.files import file_ref
from handlers.core.fields import drawn_payload
from models.request_claim import request_key

BOT_MENTION = re.compile(r"^\s*<@[A-Z0-9]+(?:\|[^>]*)?>\s*")
CAPTURE_SHORTCUT = "log_requirement"  # manifest.yml: the message shortcut's callback_id
# Slack's markup in a message's text: <@U1>, <@U1|ana>, <#C1|general>, <!here>, <https://x|label>, <https://x>.
MARKUP = re.compile(r"<([@#!])?([^<>|]*)(?:\|([^<>]*))?>")


def command_caller(body: dict[str, Any]) -> Caller:
    return Caller(
        platform="slack",
        team_ref=_team(body),
        user_ref=body["user_id"],
        team_name=body.get("team_domain"),
        user_name=body.get("user_name"),
        channel_ref=body.get("channel_id"),
    )


def interaction_caller(body: dict[str, Any], channel_ref: str | None = None) -> Caller:
    user = body.get("user") or {}
    channel = channel_ref or (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    return Caller(
        platform="slack",
        team_ref=_team(body),
        user_ref=user["id"],
        user_name=user.get("username") or user.get("name"),
        channel_ref=channel,
    )


def event_caller(body: dict[str, Any]) -> Caller:
    event = body["event"]
    return Caller(platform="slack", team_ref=_team(body), user_ref=event["user"], channel_ref=event.get("channel"))


def split_command_text(text: str) -> tuple[str, str]:
    """`<@bot> /req list` or `req list` as (root, rest)."""
    stripped = BOT_MENTION.sub("", text).strip()
    head, _, rest = stripped.partition(" ")
    return head.lstrip("/"), rest


def plain_message_text(text: Any) -> str:
    """A message's text as a person reads it: mentions as @id (or @name), links as their label, and
    Slack's &amp; &lt; &gt; decoded (the renderers escape whatever is shown again)."""
    if not isinstance(text, str):
        return ""

    def shown(match: re.Match[str]) -> str:
        sigil, target, label = match.group(1), match.group(2), match.group(3)
        if sigil == "@":
            return f"@{label or target}"
        if sigil == "#":
            return f"#{label or target}"
        if sigil == "!":
            return f"@{(label or target).split('^')[0]}"
        return label or target

    plain = MARKUP.sub(shown, text)
    return plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def shortcut_once(body: dict[str, Any]) -> str | None:
    """A message shortcut's trigger_id is new for every use."""
    trigger = body.get("trigger_id")
    return request_key("shortcut", trigger) if isinstance(trigger, str) and trigger else None


def command_once(body: dict[str, Any]) -> str | None:
    """What names one slash command: Slack's trigger_id is new for every command typed."""
    trigger = body.get("trigger_id")
    return request_key("command", trigger) if isinstance(trigger, str) and trigger else None


def click_once(body: dict[str, Any], action: dict[str, Any]) -> str | None:
    """What names one click: the action's time stamp, which button, who, and on which message or view."""
    stamp = action.get("action_ts")
    if not isinstance(stamp, str) or not stamp:
        return None
    container = body.get("container") if isinstance(body.get("container"), dict) else {}
    user = body.get("user") if isinstance(body.get("user"), dict) else {}
    where = container.get("message_ts") or container.get("view_id") or ""
    return request_key("click", stamp, str(action.get("action_id")), str(user.get("id")), str(where))


def submission_once(body: dict[str, Any], view: dict[str, Any]) -> str | None:
    """What names one modal submission: the view, its version (hash), the submission's trigger and the
    values sent, so that a corrected form sent again after errors is a new submission."""
    view_id = view.get("id")
    if not isinstance(view_id, str) or not view_id:
        return None
    state = view.get("state") if isinstance(view.get("state"), dict) else {}
    values = json.dumps(state.get("values"), sort_keys=True, default=str)
    return request_key("view", view_id, str(view.get("hash")), str(body.get("trigger_id")), values)


def form_values(view: dict[str, Any]) -> dict[str, Any]:
    """Slack's nested view.state.values as {field name: value}, the way handlers read forms."""
    values: dict[str, Any] = {}
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        for element in actions.values():
            values[block_id] = _element_value(element)  # bot/slack/gate.py checked that these are objects
    return values


def form_metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        decoded = json.loads(view.get("private_metadata") or "{}")
    except (ValueError, RecursionError):
        return {}
    return decoded if isinstance(decoded, dict) and drawn_payload(decoded) else {}


def _element_value(element: dict[str, Any]) -> Any:
    """What one input element holds, as the text (or list of texts) Slack gives for it; a value of
    another type, which Slack never sends, counts as no value."""
    kind = element.get("type")
    if kind == "datepicker":
        return _text(element.get("selected_date"))
    if kind == "static_select":
        return _option(element.get("selected_option"))
    if kind == "multi_static_select":
        options = element.get("selected_options")
        picked = [_option(o) for o in options] if isinstance(options, list) else []
        return [value for value in picked if value is not None]
    if kind in ("users_select",):
        return _text(element.get("selected_user"))
    if kind == "file_input":
        files = element.get("files")
        found = (file_ref(f) for f in files if isinstance(f, dict)) if isinstance(files, list) else ()
        return [ref for ref in found if ref is not None]
    return _text(element.get("value"))


def _option(option: Any) -> str | None:
    return _text(option.get("value")) if isinstance(option, dict) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def decode_button(value: Any) -> tuple[str, dict[str, Any]] | None:
    """A button's value as (action, payload); None for one the bot did not draw."""
    try:
        decoded = json.loads(value)
    except (TypeError, ValueError, RecursionError):
        return None
    if not isinstance(decoded, dict) or not isinstance(decoded.get("a"), str) or not drawn_payload(decoded):
        return None
    payload = decoded.get("p")
    return decoded["a"], payload if isinstance(payload, dict) else {}


def team_ref(body: dict[str, Any]) -> str:
    return _team(body)


def _team(body: dict[str, Any]) -> str:
    team = body.get("team_id") or (body.get("team") or {}).get("id") or body.get("user", {}).get("team_id")
    if not team:
        raise ValueError("Slack payload without a team id")
    return str(team)
