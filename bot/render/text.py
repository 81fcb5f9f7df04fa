"""Cards as plain text for the console: nothing to escape, no limits, buttons as numbered choices."""

from __future__ import annotations

from typing import Any

from bot.i18n import Catalog, catalog
from bot.render.inline import Drawer
from bot.render.viewer import Viewer
from handlers.core.card import Card, Divider, Fields, Image, Mono, Note, Rows, Section
from handlers.core.reply import Reply, Text

MARKS = {"warning": "! ", "blocked": "[!] ", "verdict": ">> "}


class TextRenderer:
    def __init__(self, messages: Catalog | None = None) -> None:
        self.catalog = messages or catalog()

    def t(self, viewer: Viewer, message: str | Text, /, **params: Any) -> str:
        return Drawer(self.catalog, viewer.lang, viewer.tz).text(message, **params)

    def message(self, reply: Reply, viewer: Viewer) -> str:
        if reply.card is None:
            return ""
        draw = Drawer(self.catalog, viewer.lang, viewer.tz)
        body = "\n".join(self.lines(reply.card, draw))
        labels = self.buttons(reply, viewer)
        if labels is None:
            return body
        return f"{body}\n{labels}" if body else labels

    def buttons(self, reply: Reply, viewer: Viewer) -> str | None:
        """The reply's buttons as numbered choices on one line, or None when it has none."""
        if not reply.buttons:
            return None
        draw = Drawer(self.catalog, viewer.lang, viewer.tz)
        return "  ".join(f"[{i}] {draw.line(b.label)}" for i, b in enumerate(reply.buttons, start=1))

    def lines(self, card: Card, draw: Drawer) -> list[str]:
        out = [draw.line(line) for line in card.notice]
        indent = ""
        if card.header is not None:
            out.append(f"== {draw.line(card.header.title)} ==")
            indent = "  "
        for part in card.parts:
            out.extend(self._part(part, draw, indent))
        return out

    def _part(self, part: Any, draw: Drawer, indent: str) -> list[str]:
        deeper = indent + "  "
        if isinstance(part, Section):
            mark = MARKS.get(part.mark or "", "")
            body = [draw.line(line) for line in part.lines]
            if part.title is None:
                return [f"{indent}{mark}{line}" for line in body]
            title = draw.line(part.title)
            return [f"{indent}{mark}{title}: {body[0]}", *(f"{deeper}{line}" for line in body[1:])]
        if isinstance(part, Fields):
            return [f"{indent}{draw.line(label)}: {draw.line(value)}" for label, value in part.pairs]
        if isinstance(part, Note):
            if part.title is not None:
                return [f"{indent}{draw.line(part.title)}:", *(f"{deeper}- {draw.line(line)}" for line in part.lines)]
            return [f"{indent}{draw.line(line)}" for line in part.lines]
        if isinstance(part, Rows):
            out = [f"{indent}{draw.line(part.title)}:"] if part.title is not None else []
            rows_indent = deeper if part.title is not None else indent
            if not part.rows and part.empty is not None:
                out.append(f"{rows_indent}{draw.line(part.empty)}")
            for n, row in enumerate(part.rows, start=1):
                out.append(f"{rows_indent}{f'{n}. ' if part.numbered else ''}{draw.line(row.main)}")
                if row.sub is not None:
                    out.append(f"{rows_indent}    {draw.line(row.sub)}")
            if part.more is not None:
                out.append(f"{rows_indent}{draw.line(part.more)}")
            return out
        if isinstance(part, Mono):
            head = [f"{indent}{draw.line(part.title)}"] if part.title is not None else []
            return head + part.text.split("\n")
        if isinstance(part, Divider):
            return [""]
        if isinstance(part, Image):
            return [f"{indent}[{draw.line(part.alt)}] {part.url}"]
        raise TypeError(f"not a card part: {part!r}")
