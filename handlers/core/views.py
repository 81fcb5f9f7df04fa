"""Cards every feature shares: help pages, usage refusals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from handlers.core.card import Card, Code, Header, Note, Row, Rows, Section
from handlers.core.reply import Button, Reply, Text, UsageError


def help_reply(title: Text, lines: Sequence[Text]) -> Reply:
    """A feature's help: its title and one line per thing it does."""
    rows = tuple(Row(("• ", line)) for line in lines)
    return Reply("help", card=Card(summary=title, header=Header(title), parts=(Rows(rows),)))


def usage_reply(err: UsageError) -> Reply:
    """Bad input: what was wrong, and how the command is used."""
    parts: list[Section | Note] = [Section((err.text,), mark="warning")]
    if err.usage:
        parts.append(Note((Text("common.usage", {"usage": Code(Text(err.usage))}),)))
    return Reply("usage", card=Card(summary=err.text, parts=tuple(parts)))


def page_buttons(action: str, page: int, more: bool, **state: Any) -> list[Button]:
    """Previous / next buttons of a numbered page; `state` rides along in each (the list's filters)."""
    buttons = []
    if page > 1:
        buttons.append(Button(Text("common.prev_page"), action, {**state, "p": page - 1}))
    if more:
        buttons.append(Button(Text("common.next_page"), action, {**state, "p": page + 1}))
    return buttons


def page_note(page: int, size: int, shown: int, total: int | str) -> Text:
    """`11–20 of 43`: where a numbered page of `size` rows, showing `shown`, sits among `total`."""
    first = (page - 1) * size + 1
    return Text("common.page", {"first": first, "last": first + shown - 1, "total": total})
