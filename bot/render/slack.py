"""Block Kit drawing of replies and forms, validated against Slack's limits before anything is sent."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.views import View

from bot.render.block_kit import BlockKitError, check_blocks
from bot.render.environment import Templates, Viewer, clip, loads_lenient
from handlers.core.reply import Button, Form, Reply

log = logging.getLogger(__name__)

MAX_FALLBACK_TEXT = 3000
BUTTONS_PER_ROW = 5


class RenderError(Exception):
    pass


class SlackRenderer(Templates):
    def __init__(self) -> None:
        super().__init__("slack")
        self.env.filters["person"] = _person
        self.env.filters["esc"] = escape

    def message(self, reply: Reply, viewer: Viewer) -> dict[str, Any]:
        drawn = loads_lenient(self.draw(f"{reply.kind}.json.j2", viewer, reply.data))
        blocks = list(drawn["blocks"]) + self._button_rows(reply.buttons, viewer)
        return {"text": clip(drawn["text"], MAX_FALLBACK_TEXT), "blocks": validate_blocks(blocks)}

    def modal(self, form: Form, viewer: Viewer, metadata: dict[str, Any]) -> dict[str, Any]:
        drawn = loads_lenient(
            self.draw(
                "form.json.j2",
                viewer,
                {"form": form, "metadata": json.dumps(metadata, separators=(",", ":"))},
            )
        )
        try:
            return View(**drawn).to_dict()
        except (SlackObjectFormationError, TypeError) as err:
            raise RenderError(f"form {form.action}: {err}") from err

    def _button_rows(self, buttons: list[Button], viewer: Viewer) -> list[dict[str, Any]]:
        rows = []
        for start in range(0, len(buttons), BUTTONS_PER_ROW):
            elements = []
            for i, button in enumerate(buttons[start : start + BUTTONS_PER_ROW], start=start):
                element: dict[str, Any] = {
                    "type": "button",
                    "action_id": f"{button.action}:{i}",
                    "text": {
                        "type": "plain_text",
                        "text": clip(self.t(viewer, button.label), 75),
                        "emoji": True,
                    },
                    "value": encode_button(button),
                }
                if button.style:
                    element["style"] = button.style
                elements.append(element)
            rows.append({"type": "actions", "elements": elements})
        return rows


def validate_blocks(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    try:
        check_blocks(blocks)
    except BlockKitError as err:
        raise RenderError(str(err)) from err
    return blocks


def encode_button(button: Button) -> str:
    return json.dumps({"a": button.action, "p": button.payload}, separators=(",", ":"), ensure_ascii=False)


def decode_button(value: str) -> tuple[str, dict[str, Any]] | None:
    try:
        decoded = json.loads(value)
    except (TypeError, ValueError):
        return None
    if not isinstance(decoded, dict) or not isinstance(decoded.get("a"), str):
        return None
    payload = decoded.get("p")
    return decoded["a"], payload if isinstance(payload, dict) else {}


def escape(value: str | None) -> str:
    """Slack mrkdwn control characters as entities, so that user text cannot ping or link."""
    if not value:
        return ""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _person(who: dict[str, Any] | None) -> str:
    if not who:
        return "—"
    return f"<@{who['ref']}>"
