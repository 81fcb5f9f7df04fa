"""What /slack/events lets through to Bolt: a request Slack signed, in a shape Slack sends.

The timestamp must be ASCII digits inside the 5-minute window and the signature `v0=` and 64 hex
digits matching the HMAC of `v0:{timestamp}:{body}`; then the body must be a slash command, an
interaction payload or an Events API envelope whose fields have the types Slack gives them. Anything
else is answered 401 or 400 with a fixed body: nothing the client sent is echoed or logged.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from bot.safe_json import NotJson, loads_object

MAX_AGE_S = 300
TIMESTAMP = re.compile(r"[0-9]{1,12}")
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
# Slack's ids (U…, W…, T…, E…, C…, G…, D…, V…) are short upper-case words; a little room around them.
SLACK_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")
EVENT_ID = re.compile(r"[A-Za-z0-9_.-]{1,128}")  # Ev… (models/processed_event.py keeps 128)
RESPONSE_URL = re.compile(r"https?://[!-~]{1,2000}")  # hooks.slack.com/...; any host for a local Slack-like server
MAX_TEXT = 40_000  # Slack caps typed text far below this (a message: 40,000 characters)
PAYLOAD_KINDS_WITH_VIEW = frozenset({"view_submission", "view_closed"})


@dataclass(frozen=True)
class Refusal:
    status: int
    error: str


UNSIGNED = Refusal(401, "invalid_signature")
BAD_BODY = Refusal(400, "bad_request")


class SlackGate:
    def __init__(self, signing_secret: str, *, clock: Callable[[], float] = time.time) -> None:
        self.secret = signing_secret.encode()
        self.clock = clock

    def check(self, body: bytes, headers: Mapping[str, str]) -> Refusal | None:
        """None when the request may go on to Bolt; otherwise why not."""
        if not self._signed(body, headers):
            return UNSIGNED
        content_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return BAD_BODY
        ok = _envelope(text) if content_type == "application/json" else _form(text)
        return None if ok else BAD_BODY

    def _signed(self, body: bytes, headers: Mapping[str, str]) -> bool:
        timestamp, signature = headers.get("x-slack-request-timestamp", ""), headers.get("x-slack-signature", "")
        if not TIMESTAMP.fullmatch(timestamp) or not SIGNATURE.fullmatch(signature):
            return False
        if abs(self.clock() - int(timestamp)) > MAX_AGE_S:
            return False
        base = b"v0:" + timestamp.encode() + b":" + body
        expected = "v0=" + hmac.new(self.secret, base, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, signature)


def _form(text: str) -> bool:
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=100)
    except ValueError:
        return False
    fields: dict[str, str] = {}
    for key, value in pairs:
        if key in fields or "\x00" in key:
            return False  # a field given twice: which one Bolt would read is not ours to guess
        fields[key] = value
    if "payload" in fields:
        try:
            return _payload(loads_object(fields["payload"]))
        except NotJson:
            return False
    if "command" in fields:
        return _command(fields)
    return fields.get("ssl_check") == "1"


def _command(fields: Mapping[str, str]) -> bool:
    command = fields["command"]
    return (
        command.startswith("/")
        and 1 < len(command) <= 64
        and "\x00" not in command
        and _id(fields.get("user_id"))
        and _id(fields.get("team_id"))
        and _id(fields.get("channel_id"), optional=True)
        and len(fields.get("text", "")) <= MAX_TEXT
        and _url(fields.get("response_url"))
    )


def _payload(payload: dict[str, Any]) -> bool:
    kind = payload.get("type")
    if not isinstance(kind, str):
        return False
    user, team = payload.get("user"), payload.get("team")
    if not isinstance(user, dict) or not _id(user.get("id")):
        return False
    if team is not None and (not isinstance(team, dict) or not _id(team.get("id"), optional=True)):
        return False
    team_id = (team or {}).get("id") or user.get("team_id")
    if not _id(team_id) or not _optional_dict(payload, "channel", "container", "message"):
        return False
    if not _id(_get(payload, "channel", "id"), optional=True):
        return False
    if not _id(_get(payload, "container", "channel_id"), optional=True) or not _url(payload.get("response_url")):
        return False
    if kind == "block_actions":
        return _actions(payload.get("actions"))
    if kind in PAYLOAD_KINDS_WITH_VIEW:
        return _view(payload.get("view"))
    return _string(payload.get("callback_id"), optional=True)


def _actions(actions: Any) -> bool:
    if not isinstance(actions, list) or not actions:
        return False
    return all(
        isinstance(a, dict)
        and _string(a.get("action_id"))
        and _string(a.get("value"), optional=True)
        and _string(a.get("block_id"), optional=True)
        for a in actions
    )


def _view(view: Any) -> bool:
    if not isinstance(view, dict) or not _string(view.get("callback_id")):
        return False
    if not _string(view.get("type")) or not _string(view.get("id"), optional=True):
        return False
    if not _string(view.get("private_metadata"), optional=True):
        return False
    state = view.get("state", {})
    values = state.get("values", {}) if isinstance(state, dict) else None
    if not isinstance(values, dict):
        return False
    return all(
        isinstance(block, dict) and all(isinstance(element, dict) for element in block.values())
        for block in values.values()
    )


def _envelope(text: str) -> bool:
    try:
        body = loads_object(text)
    except NotJson:
        return False
    kind = body.get("type")
    if kind == "url_verification":
        return _string(body.get("challenge"))
    if kind != "event_callback":
        return False
    event = body.get("event")
    if not isinstance(event, dict) or not _string(event.get("type")):
        return False
    event_id = body.get("event_id")
    if not isinstance(event_id, str) or not EVENT_ID.fullmatch(event_id) or not _id(body.get("team_id")):
        return False
    ids = ("user", "channel", "user_id", "channel_id", "file_id")
    if not all(_id(event.get(name), optional=True) for name in ids):
        return False
    texts = ("text", "ts", "thread_ts", "subtype", "channel_type", "bot_id")
    if not all(_string(event.get(name), optional=True) for name in texts):
        return False
    files = event.get("files", [])
    return isinstance(files, list) and all(isinstance(f, dict) for f in files)


def _get(payload: dict[str, Any], outer: str, inner: str) -> Any:
    value = payload.get(outer)
    return value.get(inner) if isinstance(value, dict) else None


def _optional_dict(payload: dict[str, Any], *names: str) -> bool:
    return all(payload.get(name) is None or isinstance(payload.get(name), dict) for name in names)


def _id(value: Any, *, optional: bool = False) -> bool:
    if value is None:
        return optional
    return isinstance(value, str) and SLACK_ID.fullmatch(value) is not None


def _url(value: Any) -> bool:
    """Absent, or where Slack says to send follow-ups: an http(s) URL of printable ASCII."""
    return value is None or (isinstance(value, str) and RESPONSE_URL.fullmatch(value) is not None)


def _string(value: Any, *, optional: bool = False) -> bool:
    if value is None:
        return optional
    return isinstance(value, str) and len(value) <= MAX_TEXT
