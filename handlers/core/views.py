"""Cards every feature shares: help pages, usage refusals."""

from __future__ import annotations

from collections.abc import Sequence

from handlers.core.card import Card, Code, Header, Note, Row, Rows, Section
from handlers.core.reply import Reply, Text, UsageError


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
