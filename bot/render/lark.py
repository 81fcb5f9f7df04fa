"""Lark interactive cards (JSON 2.0) from templates/lark/<kind>.json.j2, checked before they are sent.

A template draws `{"text": summary, "header": {...} (optional), "elements": [...]}`; this module wraps
it into a card, adds the buttons, and checks structure and size (bot/render/lark_card.py).

Escaping: user data goes through `|esc` in templates, as on Slack. Text parameters that handlers put in
a Text are escaped here, since Lark's input is not escaped by the platform the way Slack's is, and
stray `<`/`>` in catalogue strings (`<title>` in usage lines) are escaped so that Lark's markdown does
not read them as HTML. People are drawn as `<at id=open_id></at>`, which Lark shows by name.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context

from bot.render.environment import Templates, Viewer, clip, loads_lenient
from bot.render.lark_card import MAX_INPUT_LENGTH, LarkCardError, check_card
from handlers.core.reply import Button, Form, Reply, Text

SUMMARY_MAX = 120
PACK_CHARS = 2990  # templates/lark/_card.j2 md() cuts an element's text at 3,000 characters
BUTTON_TEXT_MAX = 40
# Lark markdown's own escapes (numeric entities) for what could make a tag, a link or formatting.
MARKDOWN_ESCAPES = str.maketrans({c: f"&#{ord(c)};" for c in "&<>[]*~`"})
MENTION_TAG = re.compile(r"(<at id=[\w-]+></at>)")
BUTTON_TYPES = {"primary": "primary_filled", "danger": "danger"}
SUBMIT_PREFIX = "tw_submit__"
CHAT_ID = re.compile(r"oc_[0-9A-Za-z]+")


class RenderError(Exception):
    pass


class LarkRenderer(Templates):
    def __init__(self, applink: str | None = None) -> None:
        """`applink`: the origin of Lark's AppLinks (https://applink.feishu.cn), to link a chat by its id;
        without it a chat is named in words only."""
        super().__init__("lark")
        self.applink = applink
        self.env.filters["person"] = person
        self.env.filters["esc"] = escape
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
            return escape(value)

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

    def form(self, form: Form, viewer: Viewer, channel_ref: str | None) -> dict[str, Any]:
        """A Form as a card with a form container; its submit button carries what the submission needs."""
        submit = {
            "a": form.action,
            "p": form.metadata,
            "f": 1,
            "c": channel_ref,
            "d": [f.name for f in form.fields if f.kind == "date"],
            "l": {f.name: f.label.key for f in form.fields},
        }
        data = {"form": form, "submit": submit, "submit_name": submit_name(form.action), "max_input": MAX_INPUT_LENGTH}
        drawn = loads_lenient(self.draw("form.json.j2", viewer, data))
        return self._wrap(drawn, list(drawn["elements"]))

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


def submit_name(action: str) -> str:
    """The name of a form's submit button: it names the action, in the characters a name may hold
    (a fallback for reading a submission; bot/lark/inputs.py decode_action)."""
    return SUBMIT_PREFIX + action.replace(".", "__")


def fit(lines: list[str], budget: int) -> list[str]:
    """The first lines that take at most `budget` bytes in the card's JSON: a long list is cut where it
    would pass Lark's 30 KB, and the template says how many more there are."""
    used = 0
    for i, line in enumerate(lines):
        used += len(json.dumps(line, ensure_ascii=False).encode()) + 1
        if used > budget:
            return lines[:i]
    return lines


def pack(lines: list[str], limit: int = PACK_CHARS) -> list[str]:
    """Lines joined into as few markdown elements as hold them whole (each under the 3,000 characters the
    templates allow an element); a longer line is an element of its own, which the template cuts visibly."""
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


def escape(value: str | None) -> str:
    """User text for Lark markdown: no tags, links or formatting, shown exactly as typed."""
    return value.translate(MARKDOWN_ESCAPES) if value else ""


def plain(value: str) -> str:
    """Markdown-escaped text back to what a plain_text element shows as it is."""
    return html.unescape(value)


def person(who: dict[str, Any] | None) -> str:
    if not who:
        return "—"
    return f"<at id={who['ref']}></at>"


def _escape_param(value: Any) -> Any:
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, Text):
        return Text(value.key, {k: _escape_param(v) for k, v in value.params.items()})
    if isinstance(value, list | tuple):
        return [_escape_param(v) for v in value]
    return value


def _no_stray_angles(text: str) -> str:
    if "<" not in text and ">" not in text:
        return text
    parts = MENTION_TAG.split(text)  # odd positions are mentions drawn by |person: kept as they are
    return "".join(p if i % 2 else p.replace("<", "&#60;").replace(">", "&#62;") for i, p in enumerate(parts))
