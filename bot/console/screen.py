"""What the console prints of a card: only what changed when a command updates a card already on the
screen, and long cards a screenful at a time (`more` prints the next one, `full` the whole last card).

A card is known by its reply kind and the key in its header (REQ-1, EXP-2, SKU-…), else the header's
whole text. A reply that carries a notice ("REQ-1 updated: Title.") about a card printed earlier in the
session is an update: the notice, the lines that are new or changed (under the line they belong to),
and how many lines stayed as they were. A card asked for (no notice) is always printed whole."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

PAGE_LINES = 40  # a screenful of a usual terminal window
KEY = re.compile(r"\b[A-Z][A-Z0-9]*-\d+\b")


@dataclass(frozen=True)
class Drawn:
    """A card as the console draws it: notice lines, then the body (header first), then the buttons."""

    kind: str
    notice: tuple[str, ...]
    body: tuple[str, ...]
    buttons: str | None
    header: str | None


def identity(drawn: Drawn) -> tuple[str, str] | None:
    if drawn.header is None:
        return None
    found = KEY.search(drawn.header)
    return drawn.kind, found.group(0) if found else drawn.header


def changed_lines(before: tuple[str, ...], after: tuple[str, ...]) -> tuple[list[str], int]:
    """The lines of `after` that `before` did not have, each preceded (once) by the less indented line
    it sits under, such as its section's title; and how many lines of `after` stayed as they were."""
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    new = [
        i
        for tag, _, _, j1, j2 in matcher.get_opcodes()
        if tag in ("insert", "replace")
        for i in range(j1, j2)
        if after[i].strip()  # a new blank line (between parts) says nothing
    ]
    shown: list[int] = []
    for i in new:
        parent = _parent(after, i)
        if parent is not None and parent not in shown and parent not in new:
            shown.append(parent)
        shown.append(i)
    return [after[i] for i in shown], sum(1 for line in after if line.strip()) - len(new)


def _parent(lines: tuple[str, ...], i: int) -> int | None:
    """The nearest line above with less indent, unless that is the header (line 0)."""
    depth = _indent(lines[i])
    for j in range(i - 1, 0, -1):
        if _indent(lines[j]) < depth:
            return j
    return None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


@dataclass
class Screen:
    """What was printed: each card's last look, the last card in full, and the pages not yet printed."""

    looks: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    last_full: list[str] = field(default_factory=list)
    pending: list[list[str]] = field(default_factory=list)
    page_count: int = 0

    def remember(self, drawn: Drawn) -> tuple[str, ...] | None:
        """Store this look of the card; returns its previous look, if it was printed before."""
        key = identity(drawn)
        if key is None:
            return None
        before = self.looks.get(key)
        self.looks[key] = drawn.body
        return before

    def paged(self, lines: list[str]) -> list[str]:
        """The first screenful of `lines`; the rest waits for `more`."""
        self.last_full = lines
        pages = [lines[i : i + PAGE_LINES] for i in range(0, len(lines), PAGE_LINES)] or [[]]
        self.pending = pages[1:]
        self.page_count = len(pages)
        return pages[0]

    def next_page(self) -> tuple[list[str], int] | None:
        """The next page and its number, or None when nothing waits."""
        if not self.pending:
            return None
        page = self.pending.pop(0)
        return page, self.page_count - len(self.pending)
