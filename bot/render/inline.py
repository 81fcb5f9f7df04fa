"""Drawing a card's inline content (user text, catalogue messages, people, dates) for one platform.

A `Drawer` knows one platform's syntax: how user text is escaped, how a catalogue message's own
markup is made safe, and how people, dates, bold, code and links are written. Each renderer has a
rich drawer (mrkdwn, Lark markdown) and a plain one (headers, buttons, toasts, the console).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n import Catalog
from handlers.core.card import Channel, Code, Faint, Inline, Line, Link, Mention, Strong, When
from handlers.core.reply import Text


class RenderError(Exception):
    """A reply that cannot be drawn for a platform."""


class Drawer:
    """Plain text: nothing escaped, people as @name, no markup."""

    def __init__(self, catalog: Catalog, lang: str, tz: str) -> None:
        self.catalog = catalog
        self.lang = lang
        self.tz = tz
        self.list_separator = "、" if lang.startswith("zh") else ", "

    # ---- what a platform changes -------------------------------------------------------------

    def escape(self, text: str) -> str:
        """Text a person typed, as the platform must receive it to show it exactly as typed."""
        return text

    def own(self, template: str) -> str:
        """A catalogue message's own text (its markup is ours; anything else is made inert). Plain text
        has no code spans: the catalogue's `backticks` are dropped, keeping what they enclose."""
        return template.replace("`", "")

    def mention(self, who: Mention) -> str:
        return f"@{who.name or who.ref}"

    def channel(self, chat: Channel) -> str:
        return f"#{chat.ref}"

    def strong(self, text: str) -> str:
        return text

    def faint(self, text: str) -> str:
        return text

    def code(self, text: str) -> str:
        return text

    def link(self, url: str, label: str) -> str:
        return f"{label} ({url})"

    # ---- the same everywhere ---------------------------------------------------------------------

    def line(self, line: Line | None) -> str:
        if line is None:
            return ""
        if isinstance(line, str):
            return self.escape(line)
        if isinstance(line, Text):
            return self.text(line)
        if isinstance(line, Inline):
            return self.inline(line)
        return "".join(self.line(part) for part in line)

    def inline(self, item: Inline) -> str:
        if isinstance(item, str):
            return self.escape(item)
        if isinstance(item, Text):
            return self.text(item)
        if isinstance(item, Mention):
            return self.mention(item)
        if isinstance(item, Channel):
            return self.channel(item)
        if isinstance(item, When):
            return self.when(item)
        if isinstance(item, Strong):
            return self.strong(self.line(item.content))
        if isinstance(item, Faint):
            return self.faint(self.line(item.content))
        if isinstance(item, Code):
            return self.code(self.line(item.content))
        if isinstance(item, Link):
            return self.link(item.url, self.line(item.label))
        raise TypeError(f"not inline content: {item!r}")

    def text(self, message: Text | str, /, **params: Any) -> str:
        """A catalogue message with its parameters drawn for this platform."""
        key, given = (message.key, {**message.params, **params}) if isinstance(message, Text) else (message, params)
        lang = message.lang if isinstance(message, Text) and message.lang else self.lang
        template = self.own(self.catalog.template(lang, key))
        if not given:
            return template
        return self.catalog.fill(key, template, {name: self.param(value) for name, value in given.items()})

    def param(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.escape(value)
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int | float | Decimal):
            return value
        if isinstance(value, datetime):
            return self.when(When(value))
        if isinstance(value, Text | Mention | Channel | When | Strong | Faint | Code | Link):
            return self.inline(value)
        if isinstance(value, list | tuple):
            return self.list_separator.join(str(self.param(v)) for v in value)
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return value

    def when(self, value: When) -> str:
        at = value.at
        if isinstance(at, datetime):
            return at.astimezone(zone(self.tz)).strftime("%Y-%m-%d %H:%M")
        return at.isoformat()


@cache
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def clip(value: str, limit: int) -> str:
    """Text cut to a limit, visibly (only where a platform gives no way to show it whole)."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def chunks(text: str, limit: int) -> list[str]:
    """Text in pieces of at most `limit` characters, broken at line ends where it can be."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:  # one line longer than a piece: broken where it must be
            if current:
                pieces.append(current)
                current = ""
            cut = _safe_cut(line, limit)
            pieces.append(line[:cut])
            line = line[cut:]
        if current and len(current) + 1 + len(line) > limit:
            pieces.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        pieces.append(current)
    return pieces


def _safe_cut(line: str, limit: int) -> int:
    """Where to break a line too long for one piece: not inside an escape (`&lt;`, `&#60;`)."""
    amp = line.rfind("&", max(0, limit - 10), limit)
    if amp > 0 and ";" not in line[amp:limit]:
        return amp
    return limit
