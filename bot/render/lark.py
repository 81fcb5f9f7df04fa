"""Cards as Lark interactive cards (JSON 2.0), and forms as cards with a form container.

Lark's syntax, escaping and limits live here. User text is escaped for Lark markdown (numeric
entities for what could make a tag, a link or formatting); a catalogue message keeps its own markdown
but no stray `<`/`>`. People are `<at id=open_id></at>`, which Lark shows by name. A card over 30 KB or
200 elements is split into several cards, each whole, the later ones saying they continue the first.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from bot.i18n import Catalog, catalog
from bot.render.inline import Drawer, RenderError, chunks, clip
from bot.render.lark_card import MAX_CARD_BYTES, MAX_ELEMENTS, MAX_INPUT_LENGTH, LarkCardError, card_bytes, check_card
from bot.render.viewer import Viewer
from handlers.core.card import Card, Channel, Divider, Fields, Image, Mention, Mono, Note, Rows, Section
from handlers.core.reply import Button, Form, FormField, Reply, Text

SUMMARY_MAX = 120
HEADER_MAX = 150
ELEMENT_CHARS = 3000
BUTTON_TEXT_MAX = 40
PLACEHOLDER_MAX = 100
OPTION_MAX = 75
OPTIONS_MAX = 100
CARD_BUDGET = MAX_CARD_BYTES - 2048  # what a card is filled to, leaving room for the "continued" note
# Lark markdown's own escapes (numeric entities) for what could make a tag, a link or formatting.
MARKDOWN_ESCAPES = str.maketrans({c: f"&#{ord(c)};" for c in "&<>[]*~`"})
MENTION_TAG = re.compile(r"(<at id=[\w-]+></at>)")
BUTTON_TYPES = {"primary": "primary_filled", "danger": "danger"}
MARKS = {"warning": "⚠️ ", "blocked": "⛔ "}
SUBMIT_PREFIX = "tw_submit__"
CHAT_ID = re.compile(r"oc_[0-9A-Za-z]+")


class LarkMarkdown(Drawer):
    def __init__(self, messages: Catalog, lang: str, tz: str, applink: str | None) -> None:
        super().__init__(messages, lang, tz)
        self.applink = applink

    def escape(self, text: str) -> str:
        return escape(text)

    def own(self, template: str) -> str:
        return _no_stray_angles(template)

    def mention(self, who: Mention) -> str:
        return f"<at id={who.ref}></at>"

    def channel(self, chat: Channel) -> str:
        """Lark markdown cannot mention a group chat: a link that opens it, where its id allows one."""
        label = self.text("lark.chat")
        if not self.applink or not CHAT_ID.fullmatch(chat.ref or ""):
            return label
        return f"[{label}]({self.applink}/client/chat/open?openChatId={chat.ref})"

    def strong(self, text: str) -> str:
        return f"**{text}**" if text else ""

    def faint(self, text: str) -> str:
        return f"*{text}*" if text else ""

    def code(self, text: str) -> str:
        return f"`{text}`" if text else ""

    def link(self, url: str, label: str) -> str:
        return f"[{label}]({url.replace(')', '%29')})"


class LarkPlain(Drawer):
    """plain_text places (the header, buttons, the summary a notification shows, toasts): a person by
    name where it is known, since plain text cannot mention."""

    def mention(self, who: Mention) -> str:
        return f"@{who.name}" if who.name else self.text("lark.someone")

    def channel(self, chat: Channel) -> str:
        return self.text("lark.chat")


class LarkRenderer:
    def __init__(self, applink: str | None = None, messages: Catalog | None = None) -> None:
        """`applink`: the origin of Lark's AppLinks (https://applink.feishu.cn), to link a chat by its id;
        without it a chat is named in words only."""
        self.applink = applink
        self.catalog = messages or catalog()

    def t(self, viewer: Viewer, message: str | Text, /, **params: Any) -> str:
        """A catalogue message as plain text (toasts)."""
        return LarkPlain(self.catalog, viewer.lang, viewer.tz).text(message, **params)

    def markdown(self, viewer: Viewer, message: str | Text, /, **params: Any) -> str:
        return LarkMarkdown(self.catalog, viewer.lang, viewer.tz, self.applink).text(message, **params)

    def plain(self, viewer: Viewer, line: Any) -> str:
        return LarkPlain(self.catalog, viewer.lang, viewer.tz).line(line)

    def cards(self, reply: Reply, viewer: Viewer) -> list[dict[str, Any]]:
        """The reply as one or more cards, each within Lark's limits."""
        card = reply.card
        if card is None:
            raise RenderError(f"reply {reply.kind} has nothing to show")
        rich = LarkMarkdown(self.catalog, viewer.lang, viewer.tz, self.applink)
        plain = LarkPlain(self.catalog, viewer.lang, viewer.tz)
        header = self._header(card, plain)
        elements = self._elements(card, rich)
        buttons = [self.button_row(reply.buttons, plain)] if reply.buttons else []
        summary = clip(plain.line(card.summary), SUMMARY_MAX)
        parts = _split(elements, buttons, header, summary, rich)
        return [_checked(_wrap(summary, header if i == 0 else None, part)) for i, part in enumerate(parts)]

    def card(self, reply: Reply, viewer: Viewer) -> dict[str, Any]:
        """The reply as one card; one that Lark would need several for is an error."""
        drawn = self.cards(reply, viewer)
        if len(drawn) > 1:
            raise RenderError(f"reply {reply.kind} needs {len(drawn)} cards")
        return drawn[0]

    # ---- parts ------------------------------------------------------------------------------------

    def _header(self, card: Card, plain: LarkPlain) -> dict[str, Any] | None:
        if card.header is None:
            return None
        title = plain.line(card.header.title)
        return {
            "title": {"tag": "plain_text", "content": clip(title, HEADER_MAX)},
            "template": card.header.state or "blue",
        }

    def _elements(self, card: Card, rich: LarkMarkdown) -> list[dict[str, Any]]:
        elements: list[dict[str, Any]] = []
        if card.notice:
            elements.extend(_notes("\n".join(rich.line(line) for line in card.notice)))
        if card.header is not None and len(rich.line(card.header.title)) > HEADER_MAX:
            elements.extend(_markdown(rich.line(card.header.title)))  # the header shows what fits
        for part in card.parts:
            elements.extend(self._part(part, rich))
        return elements

    def _part(self, part: Any, rich: LarkMarkdown) -> list[dict[str, Any]]:
        if isinstance(part, Section):
            body = "\n".join(rich.line(line) for line in part.lines)
            if part.mark == "verdict":
                body = rich.strong(body)
            head = MARKS.get(part.mark or "", "")
            if part.title is not None:
                head += rich.strong(rich.line(part.title)) + "\n"
            return _markdown(head + body)
        if isinstance(part, Fields):
            return _columns([f"{rich.strong(rich.line(label))}\n{rich.line(value)}" for label, value in part.pairs])
        if isinstance(part, Note):
            head = [f"{rich.line(part.title)}:"] if part.title is not None else []
            return _notes("\n".join([*head, *(rich.line(line) for line in part.lines)]))
        if isinstance(part, Rows):
            return self._rows(part, rich)
        if isinstance(part, Mono):
            head = [*_markdown(rich.strong(rich.line(part.title)))] if part.title is not None else []
            text = part.text.replace("```", "'''")
            return head + [{"tag": "markdown", "content": f"```\n{p}\n```"} for p in chunks(text, ELEMENT_CHARS - 10)]
        if isinstance(part, Divider):
            return [{"tag": "hr"}]
        if isinstance(part, Image):
            return _markdown(rich.link(part.url, rich.line(part.alt)))
        raise TypeError(f"not a card part: {part!r}")

    def _rows(self, rows: Rows, rich: LarkMarkdown) -> list[dict[str, Any]]:
        lines = []
        for n, row in enumerate(rows.rows, start=1):
            text = (f"{n}. " if rows.numbered else "") + rich.line(row.main)
            if row.sub is not None:
                text += "\n" + rich.line(row.sub)
            lines.append(text)
        if rows.title is not None:
            lines.insert(0, rich.strong(rich.line(rows.title)))
        if not rows.rows and rows.empty is not None:
            lines.append(rich.line(rows.empty))
        elements = [{"tag": "markdown", "content": chunk} for chunk in pack(lines)]
        if rows.more is not None:
            elements.extend(_notes(rich.line(rows.more)))
        return elements

    def button_row(self, buttons: list[Button], plain: Drawer | Viewer) -> dict[str, Any]:
        if isinstance(plain, Viewer):
            plain = LarkPlain(self.catalog, plain.lang, plain.tz)
        columns = []
        for button in buttons:
            element = {
                "tag": "button",
                "text": {"tag": "plain_text", "content": clip(plain.line(button.label), BUTTON_TEXT_MAX)},
                "type": BUTTON_TYPES.get(button.style or "", "default"),
                "behaviors": [{"type": "callback", "value": {"a": button.action, "p": button.payload}}],
            }
            columns.append({"tag": "column", "width": "auto", "elements": [element]})
        return {"tag": "column_set", "flex_mode": "flow", "horizontal_spacing": "8px", "columns": columns}

    # ---- forms ------------------------------------------------------------------------------------

    def form(self, form: Form, viewer: Viewer, channel_ref: str | None) -> dict[str, Any]:
        """A Form as a card with a form container; its submit button carries what the submission needs.

        Lark cards have no file input: a file field asks for the file as a reply to this card instead
        (bot/lark/files.py), and a form of file fields only is a card without a form container."""
        rich = LarkMarkdown(self.catalog, viewer.lang, viewer.tz, self.applink)
        plain = LarkPlain(self.catalog, viewer.lang, viewer.tz)
        submit = {
            "a": form.action,
            "p": form.metadata,
            "f": 1,
            "c": channel_ref,
            "d": [f.name for f in form.fields if f.kind == "date"],
            # A label's catalogue key, or "=" and its text when it carries what someone typed (a
            # channel's own standup question): the toast of a refused field names it either way.
            "l": {f.name: f.label.key if not f.label.params else "=" + plain.line(f.label) for f in form.fields},
        }
        elements: list[dict[str, Any]] = []
        for field in form.fields:
            if field.kind != "file":
                continue
            elements.extend(_markdown(rich.strong(rich.line(field.label))))
            if field.hint is not None:
                elements.extend(_notes(rich.line(field.hint)))
            if field.accept:
                types = ", ".join("." + ("txt" if a == "text" else a) for a in field.accept)
                elements.extend(_markdown("📎 " + rich.text("lark.form.send_file", types=types)))
            else:
                elements.extend(_markdown("📎 " + rich.text("lark.form.send_any_file")))
        inputs = [f for f in form.fields if f.kind != "file"]
        if inputs:
            children: list[dict[str, Any]] = []
            for field in inputs:
                children.extend(_markdown(rich.strong(rich.line(field.label)) + (" *" if field.required else "")))
                if field.hint is not None:
                    children.extend(_notes(rich.line(field.hint)))
                children.append(_form_field(field, plain))
            children.append(
                {
                    "tag": "button",
                    "name": submit_name(form.action),
                    "type": "primary_filled",
                    "form_action_type": "submit",
                    "text": {"tag": "plain_text", "content": clip(plain.line(form.submit), BUTTON_TEXT_MAX)},
                    "behaviors": [{"type": "callback", "value": submit}],
                }
            )
            elements.append({"tag": "form", "name": "tradewind_form", "elements": children})
        title = plain.line(form.title)
        header = {"title": {"tag": "plain_text", "content": clip(title, HEADER_MAX)}, "template": "wathet"}
        return _checked(_wrap(clip(title, SUMMARY_MAX), header, elements))


def _form_field(field: FormField, plain: Drawer) -> dict[str, Any]:
    placeholder = {"tag": "plain_text", "content": clip(plain.line(field.label), PLACEHOLDER_MAX)}
    element: dict[str, Any] = {"name": field.name, "required": field.required, "placeholder": placeholder}
    if field.kind in ("text", "textarea"):
        element.update(tag="input", max_length=min(field.max_length or MAX_INPUT_LENGTH, MAX_INPUT_LENGTH))
        if field.kind == "textarea":
            element.update(input_type="multiline_text", rows=3, auto_resize=True)
        if field.initial:
            element["default_value"] = (
                plain.line(field.initial) if isinstance(field.initial, Text) else str(field.initial)
            )
    elif field.kind == "date":
        element["tag"] = "date_picker"
        if field.initial:
            element["initial_date"] = field.initial.isoformat()
    elif field.kind == "user":
        # Anyone in the chat can be picked (no options); its value, and the submitted one, is an open_id.
        element["tag"] = "select_person"
        if isinstance(field.initial, str) and field.initial.startswith("ou_"):
            element["initial_option"] = field.initial
    elif field.kind in ("select", "multiselect"):
        options = field.options[:OPTIONS_MAX]
        element["tag"] = "multi_select_static" if field.kind == "multiselect" else "select_static"
        element["options"] = [
            {"text": {"tag": "plain_text", "content": clip(plain.line(o.label), OPTION_MAX)}, "value": o.value}
            for o in options
        ]
        # Pre-selected only when the value is one of the options: Lark refuses a card that names another.
        values = [o.value for o in options]
        if field.kind == "select" and field.initial is not None and str(field.initial) in values:
            element["initial_option"] = str(field.initial)
        if field.kind == "multiselect" and field.initial:
            chosen = [str(v) for v in field.initial if str(v) in values]
            if chosen:
                element["selected_values"] = chosen
    return element


def _wrap(summary: str, header: dict[str, Any] | None, elements: list[dict[str, Any]]) -> dict[str, Any]:
    card: dict[str, Any] = {
        "schema": "2.0",
        "config": {"update_multi": True, "summary": {"content": summary}},
        "body": {"elements": elements},
    }
    if header is not None:
        card["header"] = header
    return card


def _checked(card: dict[str, Any]) -> dict[str, Any]:
    try:
        check_card(card)
    except LarkCardError as err:
        raise RenderError(str(err)) from err
    return card


def _split(
    elements: list[dict[str, Any]],
    buttons: list[dict[str, Any]],
    header: dict[str, Any] | None,
    summary: str,
    rich: LarkMarkdown,
) -> list[list[dict[str, Any]]]:
    """Elements (then the buttons) in as few cards as keep each within Lark's limits; later cards open
    with a note that they continue the first."""
    every = elements + buttons
    if _count(every) <= MAX_ELEMENTS and card_bytes(_wrap(summary, header, every)) <= CARD_BUDGET:
        return [every]
    base = card_bytes(_wrap(summary, header, []))
    parts: list[list[dict[str, Any]]] = [[]]
    size, count = base, 0
    tail = len(elements)
    for i, element in enumerate(every):
        cost = len(json.dumps(element, ensure_ascii=False, separators=(",", ":")).encode()) + 1
        need = cost if i < tail else sum(len(json.dumps(b, ensure_ascii=False).encode()) + 1 for b in every[i:])
        elements_in = _count([element])
        if parts[-1] and (count + elements_in > MAX_ELEMENTS - 1 or size + need > CARD_BUDGET):
            parts.append([])
            size, count = base, 0
        parts[-1].append(element)
        size += cost
        count += elements_in
    total = len(parts)
    for index, part in enumerate(parts[1:], start=2):
        part.insert(0, _notes(rich.text("common.continued", index=index, total=total))[0])
    return parts


def _count(elements: list[dict[str, Any]]) -> int:
    total = 0
    for element in elements:
        total += 1
        for column in element.get("columns") or ():
            total += _count(column.get("elements") or [])
        total += _count(element.get("elements") or []) if element.get("tag") == "form" else 0
    return total


def _markdown(text: str) -> list[dict[str, Any]]:
    return [{"tag": "markdown", "content": piece} for piece in chunks(text, ELEMENT_CHARS) if piece.strip()]


def _notes(text: str) -> list[dict[str, Any]]:
    return [
        {"tag": "markdown", "content": piece, "text_size": "notation"}
        for piece in chunks(text, ELEMENT_CHARS)
        if piece.strip()
    ]


def _columns(texts: list[str]) -> list[dict[str, Any]]:
    """Pairs of fields side by side, two to a row."""
    rows = []
    for start in range(0, len(texts), 2):
        columns = [
            {"tag": "column", "width": "weighted", "weight": 1, "elements": _markdown(text)[:1] or _markdown("—")}
            for text in texts[start : start + 2]
        ]
        rows.append({"tag": "column_set", "flex_mode": "none", "horizontal_spacing": "12px", "columns": columns})
    return rows


def submit_name(action: str) -> str:
    """The name of a form's submit button: it names the action, in the characters a name may hold
    (a fallback for reading a submission; bot/lark/inputs.py decode_action)."""
    return SUBMIT_PREFIX + action.replace(".", "__")


def pack(lines: list[str], limit: int = ELEMENT_CHARS) -> list[str]:
    """Lines joined into as few markdown elements as hold them whole; a longer line is broken."""
    out: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        for piece in chunks(line, limit):
            if current and size + 1 + len(piece) > limit:
                out.append("\n".join(current))
                current, size = [], 0
            size += len(piece) + (1 if current else 0)
            current.append(piece)
    if current:
        out.append("\n".join(current))
    return out


def escape(value: str | None) -> str:
    """User text for Lark markdown: no tags, links or formatting, shown exactly as typed."""
    return value.translate(MARKDOWN_ESCAPES) if value else ""


def plain(value: str) -> str:
    """Markdown-escaped text back to what a plain_text element shows as it is."""
    return html.unescape(value)


def _no_stray_angles(text: str) -> str:
    if "<" not in text and ">" not in text:
        return text
    parts = MENTION_TAG.split(text)  # odd positions are mentions: kept as they are
    return "".join(p if i % 2 else p.replace("<", "&#60;").replace(">", "&#62;") for i, p in enumerate(parts))
