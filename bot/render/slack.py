"""Cards as Block Kit, and forms as modals: Slack's syntax, escaping and limits live here.

User text is escaped (`& < >`) in blocks and in the top-level `text` Slack uses for notifications, so
that `<!channel>` or `<https://x|y>` typed by someone is shown as typed. A card that does not fit one
message (50 blocks, 3,000 characters a section, about 12,000 characters of text in all its blocks) is
split into several, each whole, the later ones saying they continue the first; nothing is cut.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.views import View

from bot.i18n import Catalog, catalog
from bot.render.block_kit import (
    BUTTON_TEXT_MAX,
    FIELD_MAX,
    FIELDS_MAX,
    HEADER_MAX,
    MAX_BLOCKS,
    MESSAGE_TEXT_BUDGET,
    SECTION_MAX,
    VIEW_MAX_BLOCKS,
    BlockKitError,
    check_blocks,
    text_size,
)
from bot.render.inline import Drawer, RenderError, chunks, clip
from bot.render.viewer import Viewer
from handlers.core.card import Card, Channel, Divider, Fields, Image, Mention, Mono, Note, Rows, Section
from handlers.core.reply import Button, Form, Reply, Text

log = logging.getLogger(__name__)

MAX_FALLBACK_TEXT = 3000
BUTTONS_PER_ROW = 5
ROWS_PER_SECTION = 10
MARKS = {"warning": ":warning: ", "blocked": ":no_entry: "}
MODAL_TITLE_MAX = 24
OPTION_MAX = 75
OPTIONS_MAX = 100


class Mrkdwn(Drawer):
    def escape(self, text: str) -> str:
        return escape(text)

    def own(self, template: str) -> str:
        return escape(template)

    def mention(self, who: Mention) -> str:
        return f"<@{who.ref}>"

    def channel(self, chat: Channel) -> str:
        return f"<#{chat.ref}>"

    def strong(self, text: str) -> str:
        return f"*{text}*" if text else ""

    def faint(self, text: str) -> str:
        return f"_{text}_" if text else ""

    def code(self, text: str) -> str:
        return f"`{text}`" if text else ""

    def link(self, url: str, label: str) -> str:
        return f"<{url.replace('|', '%7C').replace('>', '%3E')}|{label}>"


class SlackRenderer:
    def __init__(self, messages: Catalog | None = None) -> None:
        self.catalog = messages or catalog()

    def t(self, viewer: Viewer, message: str | Text, /, **params: Any) -> str:
        """A catalogue message as plain text (modal errors, labels)."""
        return Drawer(self.catalog, viewer.lang, viewer.tz).text(message, **params)

    def messages(self, reply: Reply, viewer: Viewer) -> list[dict[str, Any]]:
        """The reply as one or more messages ({"text", "blocks"}), each within Slack's limits."""
        card = reply.card
        if card is None:
            raise RenderError(f"reply {reply.kind} has nothing to show")
        rich = Mrkdwn(self.catalog, viewer.lang, viewer.tz)
        plain = Drawer(self.catalog, viewer.lang, viewer.tz)
        blocks = self._blocks(card, rich, plain)
        buttons = self._button_rows(reply.buttons, plain)
        text = clip(rich.line(card.summary), MAX_FALLBACK_TEXT)
        return [{"text": text, "blocks": validate_blocks(part)} for part in _split(blocks, buttons, rich)]

    def home(self, reply: Reply, viewer: Viewer) -> dict[str, Any]:
        """The reply as a Home tab view: all of it in one view of at most 100 blocks (a card that would
        need more is an error, never cut)."""
        card = reply.card
        if card is None:
            raise RenderError(f"reply {reply.kind} has no card to show in the Home tab")
        rich = Mrkdwn(self.catalog, viewer.lang, viewer.tz)
        plain = Drawer(self.catalog, viewer.lang, viewer.tz)
        blocks = self._blocks(card, rich, plain) + self._button_rows(reply.buttons, plain)
        check_blocks(blocks, limit=VIEW_MAX_BLOCKS)
        return {"type": "home", "blocks": blocks}

    def message(self, reply: Reply, viewer: Viewer) -> dict[str, Any]:
        """The reply as one message; one that Slack would need several for is an error."""
        drawn = self.messages(reply, viewer)
        if len(drawn) > 1:
            raise RenderError(f"reply {reply.kind} needs {len(drawn)} messages")
        return drawn[0]

    # ---- parts ------------------------------------------------------------------------------------

    def _blocks(self, card: Card, rich: Mrkdwn, plain: Drawer) -> list[dict[str, Any]]:
        blocks: list[dict[str, Any]] = []
        if card.notice:
            blocks.extend(_context("\n".join(rich.line(line) for line in card.notice)))
        if card.header is not None:
            title = plain.line(card.header.title)
            blocks.append(
                {"type": "header", "text": {"type": "plain_text", "text": clip(title, HEADER_MAX), "emoji": True}}
            )
            if len(title) > HEADER_MAX:  # the header shows what fits; the whole title follows it
                blocks.extend(_sections(rich.line(card.header.title)))
        for part in card.parts:
            blocks.extend(self._part(part, rich, plain))
        return blocks

    def _part(self, part: Any, rich: Mrkdwn, plain: Drawer) -> list[dict[str, Any]]:
        if isinstance(part, Section):
            body = "\n".join(rich.line(line) for line in part.lines)
            if part.mark == "verdict":
                body = rich.strong(body)
            head = MARKS.get(part.mark or "", "")
            if part.title is not None:
                head += rich.strong(rich.line(part.title)) + "\n"
            return _sections(head + body)
        if isinstance(part, Fields):
            return _fields([(rich.line(label), rich.line(value)) for label, value in part.pairs], rich)
        if isinstance(part, Note):
            head = [f"{rich.line(part.title)}:"] if part.title is not None else []
            return _context("\n".join([*head, *(rich.line(line) for line in part.lines)]))
        if isinstance(part, Rows):
            return self._rows(part, rich)
        if isinstance(part, Mono):
            head = rich.strong(rich.line(part.title)) + "\n" if part.title is not None else ""
            pieces = chunks(escape(part.text), SECTION_MAX - len(head) - 8)
            return [_section(f"{head if i == 0 else ''}```{piece}```") for i, piece in enumerate(pieces)]
        if isinstance(part, Divider):
            return [{"type": "divider"}]
        if isinstance(part, Image):
            return [{"type": "image", "image_url": part.url, "alt_text": clip(plain.line(part.alt), 2000)}]
        raise TypeError(f"not a card part: {part!r}")

    def _rows(self, rows: Rows, rich: Mrkdwn) -> list[dict[str, Any]]:
        lines = []
        for n, row in enumerate(rows.rows, start=1):
            text = (f"{n}. " if rows.numbered else "") + rich.line(row.main)
            if row.sub is not None:
                text += "\n" + rich.line(row.sub)
            lines.append(text)
        head = rich.strong(rich.line(rows.title)) + "\n" if rows.title is not None else ""
        blocks: list[dict[str, Any]] = []
        if not lines and rows.empty is not None:
            blocks.extend(_sections(head + rich.line(rows.empty)))
        group: list[str] = []
        size = len(head)
        for line in lines:
            if group and (len(group) >= ROWS_PER_SECTION or size + 1 + len(line) > SECTION_MAX):
                blocks.extend(_sections("\n".join(group)))
                group, size = [], 0
            if not group and not blocks and head:
                line = head + line
            group.append(line)
            size += len(line) + 1
        if group:
            blocks.extend(_sections("\n".join(group)))
        if rows.more is not None:
            blocks.extend(_context(rich.line(rows.more)))
        return blocks

    def _button_rows(self, buttons: list[Button], plain: Drawer) -> list[dict[str, Any]]:
        rows = []
        for start in range(0, len(buttons), BUTTONS_PER_ROW):
            elements = []
            for i, button in enumerate(buttons[start : start + BUTTONS_PER_ROW], start=start):
                element: dict[str, Any] = {
                    "type": "button",
                    "action_id": f"{button.action}:{i}",
                    "text": {
                        "type": "plain_text",
                        "text": clip(plain.line(button.label), BUTTON_TEXT_MAX),
                        "emoji": True,
                    },
                    "value": encode_button(button),
                }
                if button.style:
                    element["style"] = button.style
                elements.append(element)
            rows.append({"type": "actions", "elements": elements})
        return rows

    # ---- forms ------------------------------------------------------------------------------------

    def modal(self, form: Form, viewer: Viewer, metadata: dict[str, Any]) -> dict[str, Any]:
        plain = Drawer(self.catalog, viewer.lang, viewer.tz)
        view = {
            "type": "modal",
            "callback_id": form.action,
            "title": _plain(clip(plain.line(form.title), MODAL_TITLE_MAX)),
            "submit": _plain(clip(plain.line(form.submit), MODAL_TITLE_MAX)),
            "close": _plain(clip(plain.text("common.cancel"), MODAL_TITLE_MAX)),
            "private_metadata": json.dumps(metadata, separators=(",", ":")),
            "blocks": [self._input(field, plain) for field in form.fields],
        }
        try:
            return View(**view).to_dict()
        except (SlackObjectFormationError, TypeError) as err:
            raise RenderError(f"form {form.action}: {err}") from err

    def _input(self, field: Any, plain: Drawer) -> dict[str, Any]:
        block: dict[str, Any] = {
            "type": "input",
            "block_id": field.name,
            "optional": not field.required,
            "label": _plain(clip(plain.line(field.label), 2000)),
        }
        if field.hint is not None:
            block["hint"] = _plain(clip(plain.line(field.hint), 2000))
        element: dict[str, Any] = {"action_id": field.name}
        if field.kind in ("text", "textarea"):
            element.update(type="plain_text_input", multiline=field.kind == "textarea")
            if field.max_length:
                element["max_length"] = field.max_length
            if field.initial:
                element["initial_value"] = clip(_initial_text(field.initial, plain), 3000)
        elif field.kind == "file":
            element.update(type="file_input", max_files=10)
            if field.accept:
                element["filetypes"] = list(field.accept)
        elif field.kind == "date":
            element["type"] = "datepicker"
            if field.initial:
                element["initial_date"] = field.initial.isoformat()
        elif field.kind == "user":
            element["type"] = "users_select"
        elif field.kind in ("select", "multiselect"):
            options = [
                {"text": _plain(clip(plain.line(c.label), OPTION_MAX)), "value": c.value}
                for c in field.options[:OPTIONS_MAX]
            ]
            element.update(
                type="multi_static_select" if field.kind == "multiselect" else "static_select", options=options
            )
            if field.kind == "select" and field.initial is not None:
                chosen = [o for o in options if o["value"] == str(field.initial)]
                if chosen:
                    element["initial_option"] = chosen[0]
        block["element"] = element
        return block


def _initial_text(initial: Any, plain: Drawer) -> str:
    if isinstance(initial, list | tuple):
        return "\n".join(plain.line(v) for v in initial)
    if isinstance(initial, str | Text):
        return plain.line(initial)
    return str(initial)


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _sections(text: str) -> list[dict[str, Any]]:
    return [_section(piece) for piece in chunks(text, SECTION_MAX) if piece.strip()]


def _context(text: str) -> list[dict[str, Any]]:
    return [
        {"type": "context", "elements": [{"type": "mrkdwn", "text": piece}]}
        for piece in chunks(text, SECTION_MAX)
        if piece.strip()
    ]


def _fields(pairs: list[tuple[str, str]], rich: Mrkdwn) -> list[dict[str, Any]]:
    """Pairs side by side, ten to a section; a pair too long for a field becomes a section of its own."""
    blocks: list[dict[str, Any]] = []
    group: list[dict[str, Any]] = []
    for label, value in pairs:
        text = f"{rich.strong(label)}\n{value}"
        if len(text) > FIELD_MAX:
            if group:
                blocks.append({"type": "section", "fields": group})
                group = []
            blocks.extend(_sections(text))
            continue
        group.append({"type": "mrkdwn", "text": text})
        if len(group) == FIELDS_MAX:
            blocks.append({"type": "section", "fields": group})
            group = []
    if group:
        blocks.append({"type": "section", "fields": group})
    return blocks


def _split(blocks: list[dict[str, Any]], buttons: list[dict[str, Any]], rich: Mrkdwn) -> list[list[dict[str, Any]]]:
    """Blocks (then the buttons) in as few messages as keep each within Slack's limits; later messages
    open with a note that they continue the first."""
    every = blocks + buttons
    if len(every) <= MAX_BLOCKS and text_size(every) <= MESSAGE_TEXT_BUDGET:
        return [every]
    reserve = 200  # room for the "continued" note
    parts: list[list[dict[str, Any]]] = [[]]
    size = 0
    tail = len(blocks)
    for i, block in enumerate(every):
        cost = text_size([block])
        # Buttons stay together, in the last message.
        need = cost if i < tail else text_size(every[i:])
        count = 1 if i < tail else len(every) - i
        current = parts[-1]
        if current and (len(current) + count > MAX_BLOCKS - 1 or size + need > MESSAGE_TEXT_BUDGET - reserve):
            parts.append([])
            size = 0
        parts[-1].append(block)
        size += cost
    total = len(parts)
    for index, part in enumerate(parts[1:], start=2):
        part.insert(0, _context(rich.text("common.continued", index=index, total=total))[0])
    return parts


def validate_blocks(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    try:
        check_blocks(blocks)
    except BlockKitError as err:
        raise RenderError(str(err)) from err
    return blocks


def encode_button(button: Button) -> str:
    return json.dumps({"a": button.action, "p": button.payload}, separators=(",", ":"), ensure_ascii=False)


def escape(value: str | None) -> str:
    """Slack mrkdwn control characters as entities, so that user text cannot ping or link."""
    if not value:
        return ""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
