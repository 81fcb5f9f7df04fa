"""The template drawing of replies not yet described as cards (templates/<front end>/<kind>.*.j2).

Transitional: each reply kind moves to one card in its feature's folder, drawn by bot/render/slack.py,
lark.py and text.py; this goes once none is left.
"""
# ruff: noqa

from __future__ import annotations

import html
import json
import re
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context

from bot.render.block_kit import BlockKitError, check_blocks
from bot.render.environment import Templates, Viewer, clip, loads_lenient
from bot.render.lark_card import LarkCardError, check_card
from handlers.core.reply import Button, Reply, Text

MAX_FALLBACK_TEXT = 3000
BUTTONS_PER_ROW = 5
SUMMARY_MAX = 120
PACK_CHARS = 2990
BUTTON_TEXT_MAX = 40
MARKDOWN_ESCAPES = str.maketrans({c: f"&#{ord(c)};" for c in "&<>[]*~`"})
MENTION_TAG = re.compile(r"(<at id=[\w-]+></at>)")
BUTTON_TYPES = {"primary": "primary_filled", "danger": "danger"}
CHAT_ID = re.compile(r"oc_[0-9A-Za-z]+")


from bot.render.inline import RenderError


def slack_escape(value: str | None) -> str:
    if not value:
        return ""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _person(who: dict[str, Any] | None) -> str:
    if not who:
        return "—"
    return f"<@{who['ref']}>"


def encode_button(button: Button) -> str:
    return json.dumps({"a": button.action, "p": button.payload}, separators=(",", ":"), ensure_ascii=False)


def validate_blocks(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    try:
        check_blocks(blocks)
    except BlockKitError as err:
        raise RenderError(str(err)) from err
    return blocks


class LegacySlack(Templates):
    def __init__(self) -> None:
        super().__init__("slack")
        self.env.filters["person"] = _person
        self.env.filters["esc"] = slack_escape

    def message(self, reply: Reply, viewer: Viewer) -> dict[str, Any]:
        drawn = loads_lenient(self.draw(f"{reply.kind}.json.j2", viewer, reply.data))
        blocks = list(drawn["blocks"]) + self._button_rows(reply.buttons, viewer)
        return {"text": clip(drawn["text"], MAX_FALLBACK_TEXT), "blocks": validate_blocks(blocks)}

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


class LegacyLark(Templates):
    def __init__(self, applink: str | None = None) -> None:
        """`applink`: the origin of Lark's AppLinks (https://applink.feishu.cn), to link a chat by its id;
        without it a chat is named in words only."""
        super().__init__("lark")
        self.applink = applink
        self.env.filters["person"] = person
        self.env.filters["esc"] = lark_escape
        self.env.filters["plain"] = plain

        @pass_context
        def t(ctx: Context, message: str | Text, /, **params: Any) -> str:
            return self.markdown(ctx["viewer"], message, **params)

        @pass_context
        def tr(ctx: Context, value: str | Text) -> str:
            return self.markdown(ctx["viewer"], value) if isinstance(value, Text) else value

        @pass_context
        def tx(ctx: Context, value: str | Text | None) -> str:
            """A line that is a catalogue message or the user's own text, ready for markdown."""
            if isinstance(value, Text):
                return self.markdown(ctx["viewer"], value)
            return lark_escape(value)

        @pass_context
        def chat(ctx: Context, chat_ref: str) -> str:
            """A group chat: Lark markdown cannot mention one, so it is a link that opens it."""
            label = self.markdown(ctx["viewer"], "lark.chat")
            if not self.applink or not CHAT_ID.fullmatch(chat_ref or ""):
                return label
            return f"[{label}]({self.applink}/client/chat/open?openChatId={chat_ref})"

        self.env.globals["t"] = t
        self.env.filters["tr"] = tr
        self.env.filters["tx"] = tx
        self.env.filters["fit"] = fit
        self.env.filters["pack"] = pack
        self.env.filters["chat"] = chat

    def markdown(self, viewer: Viewer, message: str | Text, /, **params: Any) -> str:
        """A catalogue message for a markdown element: handler parameters escaped, no stray tags."""
        if isinstance(message, Text):
            message = Text(message.key, {k: _escape_param(v) for k, v in message.params.items()})
        return _no_stray_angles(self.catalog.t(viewer.lang, message, **params))

    def card(self, reply: Reply, viewer: Viewer) -> dict[str, Any]:
        drawn = loads_lenient(self.draw(f"{reply.kind}.json.j2", viewer, reply.data))
        elements = list(drawn["elements"])
        if reply.buttons:
            elements.append(self.button_row(reply.buttons, viewer))
        return self._wrap(drawn, elements)

    def button_row(self, buttons: list[Button], viewer: Viewer) -> dict[str, Any]:
        columns = []
        for button in buttons:
            element = {
                "tag": "button",
                "text": {"tag": "plain_text", "content": clip(self.t(viewer, button.label), BUTTON_TEXT_MAX)},
                "type": BUTTON_TYPES.get(button.style or "", "default"),
                "behaviors": [{"type": "callback", "value": {"a": button.action, "p": button.payload}}],
            }
            columns.append({"tag": "column", "width": "auto", "elements": [element]})
        return {"tag": "column_set", "flex_mode": "flow", "horizontal_spacing": "8px", "columns": columns}

    def _wrap(self, drawn: dict[str, Any], elements: list[dict[str, Any]]) -> dict[str, Any]:
        card: dict[str, Any] = {
            "schema": "2.0",
            "config": {"update_multi": True, "summary": {"content": clip(plain(drawn["text"]), SUMMARY_MAX)}},
            "body": {"elements": elements},
        }
        if drawn.get("header"):
            card["header"] = drawn["header"]
        try:
            check_card(card)
        except LarkCardError as err:
            raise RenderError(str(err)) from err
        return card


def fit(lines: list[str], budget: int) -> list[str]:
    used = 0
    for i, line in enumerate(lines):
        used += len(json.dumps(line, ensure_ascii=False).encode()) + 1
        if used > budget:
            return lines[:i]
    return lines


def pack(lines: list[str], limit: int = PACK_CHARS) -> list[str]:
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        if current and size + 1 + len(line) > limit:
            chunks.append("\n".join(current))
            current, size = [], 0
        size += len(line) + (1 if current else 0)
        current.append(line)
    if current:
        chunks.append("\n".join(current))
    return chunks


def lark_escape(value: str | None) -> str:
    return value.translate(MARKDOWN_ESCAPES) if value else ""


def plain(value: str) -> str:
    return html.unescape(value)


def person(who: dict[str, Any] | None) -> str:
    if not who:
        return "—"
    return f"<at id={who['ref']}></at>"


def _escape_param(value: Any) -> Any:
    if isinstance(value, str):
        return lark_escape(value)
    if isinstance(value, Text):
        return Text(value.key, {k: _escape_param(v) for k, v in value.params.items()})
    if isinstance(value, list | tuple):
        return [_escape_param(v) for v in value]
    return value


def _no_stray_angles(text: str) -> str:
    if "<" not in text and ">" not in text:
        return text
    parts = MENTION_TAG.split(text)
    return "".join(p if i % 2 else p.replace("<", "&#60;").replace(">", "&#62;") for i, p in enumerate(parts))


class LegacyText(Templates):
    def __init__(self) -> None:
        super().__init__("text")
        self.env.filters["person"] = _text_person
        self.env.filters["esc"] = str

    def message(self, reply: Reply, viewer: Viewer) -> str:
        body = self.draw(f"{reply.kind}.txt.j2", viewer, reply.data).strip()
        if not reply.buttons:
            return body
        labels = "  ".join(f"[{i}] {self.t(viewer, b.label)}" for i, b in enumerate(reply.buttons, start=1))
        return f"{body}\n{labels}" if body else labels


def _text_person(who: dict[str, Any] | None) -> str:
    if not who:
        return "—"
    return f"@{who.get('name') or who['ref']}"
