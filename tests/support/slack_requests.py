"""Requests built and signed exactly as Slack builds and signs them, sent over real HTTP."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import httpx

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
_TRIGGERS = itertools.count(1)  # Slack's trigger_id is unique to each request, across every sender


def _trigger(kind: str = "trigger") -> str:
    return f"{kind}-{next(_TRIGGERS)}"


def sign(body: str, *, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


@dataclass
class SlackUser:
    user: str = "U1"
    team: str = "T1"
    channel: str = "C1"
    name: str = "ana"


class SlackSender:
    """Sends slash commands, clicks, modal submissions and events to the bot's /slack/events."""

    def __init__(
        self, base_url: str, response_base: str, *, secret: str = SECRET, settle: Callable[[], object] | None = None
    ) -> None:
        # `settle` waits for the app's work after earlier answers (posting a card, remembering it): a
        # person clicks a card only once it has appeared, so a click never races its own card.
        self.settle = settle
        self.url = f"{base_url}/slack/events"
        self.response_base = response_base
        self.secret = secret
        self.http = httpx.Client(timeout=10)
        self._n = 0

    def close(self) -> None:
        self.http.close()

    def command(self, text: str, *, command: str = "/req", who: SlackUser | None = None) -> httpx.Response:
        return self.post_form(self.command_body(text, command=command, who=who))

    def command_body(self, text: str, *, command: str = "/req", who: SlackUser | None = None) -> str:
        """The form body of a slash command, as Slack sends it (a new trigger_id each time)."""
        who = who or SlackUser()
        self._n += 1
        return urlencode(
            {
                "token": "deprecated-verification-token",
                "team_id": who.team,
                "team_domain": f"team-{who.team.lower()}",
                "channel_id": who.channel,
                "channel_name": "product",
                "user_id": who.user,
                "user_name": who.name,
                "command": command,
                "text": text,
                "api_app_id": "A1",
                "is_enterprise_install": "false",
                "response_url": f"{self.response_base}/cmd{self._n}",
                "trigger_id": _trigger(),
            }
        )

    def click(
        self,
        button: dict[str, Any],
        *,
        who: SlackUser | None = None,
        message_ts: str = "1.0",
        home_view: str | None = None,
    ) -> httpx.Response:
        """Press a button element taken from a reply's blocks, or from the Home tab view `home_view`."""
        return self.post_form(self.click_body(button, who=who, message_ts=message_ts, home_view=home_view))

    def click_body(
        self,
        button: dict[str, Any],
        *,
        who: SlackUser | None = None,
        message_ts: str = "1.0",
        home_view: str | None = None,
    ) -> str:
        if self.settle:
            self.settle()
        who = who or SlackUser()
        self._n += 1
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": who.team, "domain": "t"},
            "user": {"id": who.user, "username": who.name, "name": who.name, "team_id": who.team},
            "api_app_id": "A1",
            "token": "deprecated",
            "trigger_id": _trigger(),
            "actions": [
                {
                    "action_id": button["action_id"],
                    "block_id": "b1",
                    "text": button["text"],
                    "value": button.get("value", ""),
                    "type": "button",
                    "action_ts": str(time.time()),
                }
            ],
        }
        if home_view:
            # A Home tab press carries the view, and no channel, message or response URL.
            payload["container"] = {"type": "view", "view_id": home_view}
            payload["view"] = {"id": home_view, "type": "home", "team_id": who.team, "blocks": [], "hash": "1"}
        else:
            payload["container"] = {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": who.channel,
                "is_ephemeral": False,
            }
            payload["channel"] = {"id": who.channel, "name": "product"}
            payload["message"] = {"ts": message_ts, "type": "message", "text": ""}
            payload["response_url"] = f"{self.response_base}/click{self._n}"
        return "payload=" + quote(json.dumps(payload))

    def submit_view(
        self, view: dict[str, Any], values: dict[str, Any], *, who: SlackUser | None = None
    ) -> httpx.Response:
        """Submit a modal that the bot opened; `values` maps block ids to Slack's element state."""
        return self.post_form(self.view_body(view, values, who=who))

    def view_body(self, view: dict[str, Any], values: dict[str, Any], *, who: SlackUser | None = None) -> str:
        if self.settle:
            self.settle()
        who = who or SlackUser()
        self._n += 1
        payload = {
            "type": "view_submission",
            "team": {"id": who.team, "domain": "t"},
            "user": {"id": who.user, "username": who.name, "name": who.name, "team_id": who.team},
            "api_app_id": "A1",
            "token": "deprecated",
            "trigger_id": _trigger("trigger-view"),
            "view": {
                "id": "V1",
                "team_id": who.team,
                "type": "modal",
                "callback_id": view["callback_id"],
                "private_metadata": view.get("private_metadata", ""),
                "blocks": view["blocks"],
                "state": {"values": values},
                "hash": "1",
            },
        }
        return "payload=" + quote(json.dumps(payload))

    def event(
        self, event: dict[str, Any], *, event_id: str, team: str = "T1", retry: int | None = None
    ) -> httpx.Response:
        body = json.dumps(
            {
                "token": "deprecated",
                "team_id": team,
                "api_app_id": "A1",
                "event": event,
                "type": "event_callback",
                "event_id": event_id,
                "event_time": int(time.time()),
            }
        )
        headers = {"Content-Type": "application/json", **sign(body, secret=self.secret)}
        if retry is not None:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return self.http.post(self.url, content=body, headers=headers)

    def post_form(self, body: str, headers: dict[str, str] | None = None) -> httpx.Response:
        signed = headers if headers is not None else sign(body, secret=self.secret)
        return self.http.post(
            self.url, content=body, headers={"Content-Type": "application/x-www-form-urlencoded", **signed}
        )


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Every button element in a message's blocks, in order."""
    found = []
    for block in message.get("blocks", []):
        if block.get("type") == "actions":
            found.extend(e for e in block["elements"] if e.get("type") == "button")
    return found


def button(message: dict[str, Any], label: str) -> dict[str, Any]:
    for element in buttons(message):
        if element["text"]["text"] == label:
            return element
    raise AssertionError(f"no button {label!r} in {[b['text']['text'] for b in buttons(message)]}")


def block_text(message: dict[str, Any], kinds: tuple[str, ...] = ("mrkdwn", "plain_text")) -> str:
    """All visible text of a Block Kit message (of the given text object kinds), for assertions."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in kinds and isinstance(node.get("text"), str):
                parts.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message.get("blocks", []))
    return "\n".join(parts)
