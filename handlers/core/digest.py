"""What a feature adds to a channel's standup digest: sections of short lines, one per changed thing.

A feature lists `DIGEST_SECTIONS = (fn, ...)`; each `fn(db, scope)` returns a `DigestSection`, a list
of them (when one read serves several), or None when it has nothing to say about the window `scope`
describes. Items carry ids and plain values only;
the digest builder (handlers/digest/build.py) resolves people, orders sections and pages them so
that each page fits one message; handlers/digest/cards.py draws a section as a card's rows, in the
channel's language.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from handlers.core.reply import Text


@dataclass(frozen=True)
class DigestScope:
    """One channel's digest window: what happened in (since, until]."""

    workspace_id: int
    channel_ref: str
    markets: tuple[str, ...]  # the channel's markets; empty means every market
    since: datetime
    until: datetime
    audit_after: int  # audit entries with ids in (audit_after, audit_upto] are the window's changes
    audit_upto: int
    tz: str

    def in_markets(self, markets: tuple[str, ...] | list[str]) -> bool:
        """True when an item with these markets belongs in this channel."""
        return not self.markets or any(m in self.markets for m in markets)


@dataclass(frozen=True)
class DigestItem:
    """One line: `KEY title — detail · @who` (a row of a digest page's card)."""

    key: str | None = None  # "REQ-12", so that people can /req show it
    title: str | None = None  # user text; each front end escapes it
    detail: Text | None = None  # what happened, from the catalogue (its string params are escaped as user text)
    who: int | None = None  # a member id, drawn as a mention


@dataclass(frozen=True)
class DigestSection:
    name: str  # e.g. "req.new"; unique across features
    title: Text
    items: tuple[DigestItem, ...]
    summary: Text | None = None  # its line in the channel message, e.g. "3 new requirements"
    news: bool = True  # False for standing lists (the top of the backlog): alone they never make a digest
    order: int = 50  # lower comes first
    total: int | None = None  # how many there were when items holds only the first ones


DigestSectionFn = Callable[[Session, DigestScope], DigestSection | Sequence[DigestSection] | None]
