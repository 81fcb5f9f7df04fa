"""The neutral card every reply is drawn from: a few kinds of parts, written once per reply kind.

A view builds a `Card` from plain data; bot/render turns it into Block Kit, a Lark card or console
text, and only there are a platform's syntax, escaping and size limits known. Inside a card:

- a `str` is text a person typed (or a name, a number): every renderer shows it as it is, escaped
  for its platform, so it can never ping, link or format;
- a `Text` is a catalogue message; its string parameters are user text and escaped the same way;
- `Mention`, `When`, `Strong`, `Code` and `Link` are what the renderer draws in its own syntax.

A line is one of these or a sequence of them, drawn one after another.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class Text:
    """A message-catalogue key and its parameters, translated when the reply is drawn (in `lang` when
    given: a word to the viewer inside a reply drawn in a channel's language)."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)
    lang: str | None = None


@dataclass(frozen=True)
class Mention:
    """A person: a mention where the platform has them, @name in the console."""

    ref: str
    name: str | None = None


@dataclass(frozen=True)
class Channel:
    """A channel or group chat, by the platform's id: a link to it where the platform has one."""

    ref: str


@dataclass(frozen=True)
class When:
    """A moment (drawn in the viewer's time zone) or a calendar day."""

    at: datetime | date


@dataclass(frozen=True)
class Strong:
    content: Line


@dataclass(frozen=True)
class Faint:
    """An aside: italic where the platform has it."""

    content: Line


@dataclass(frozen=True)
class Code:
    """Inline code: a command to type, a key to copy."""

    content: Line


@dataclass(frozen=True)
class Link:
    """A link the bot made (a permalink): the url is ours, the label may be anyone's text."""

    url: str
    label: Line


Inline = str | Text | Mention | Channel | When | Strong | Faint | Code | Link
Line = Inline | Sequence[Inline]


def person(who: dict[str, Any] | Mention | None) -> Inline:
    """Someone from a people lookup ({"ref", "name"}), or a dash when nobody."""
    if who is None:
        return "—"
    if isinstance(who, Mention):
        return who
    return Mention(who["ref"], who.get("name"))


def joined(items: Sequence[Line], sep: Inline = " · ") -> list[Inline]:
    """Lines run together with a separator between them."""
    out: list[Inline] = []
    for i, item in enumerate(items):
        if i:
            out.append(sep)
        out.extend(flatten(item))
    return out


def flatten(line: Line) -> list[Inline]:
    if isinstance(line, str | Text | Mention | Channel | When | Strong | Faint | Code | Link):
        return [line]
    out: list[Inline] = []
    for part in line:
        out.extend(flatten(part))
    return out


# ---- parts ----------------------------------------------------------------------------------------

# Colours a header may carry; a renderer maps them to what its platform has (Lark header templates).
STATES = frozenset({"blue", "wathet", "turquoise", "green", "yellow", "orange", "red", "grey", "purple"})


@dataclass(frozen=True)
class Header:
    title: Line
    state: str | None = None  # one of STATES


@dataclass(frozen=True)
class Fields:
    """Label: value pairs, drawn side by side where there is room."""

    pairs: tuple[tuple[Line, Line], ...]


@dataclass(frozen=True)
class Section:
    """A paragraph of lines, with an optional bold title; `mark` flags it (warning, blocked, verdict)."""

    lines: tuple[Line, ...]
    title: Line | None = None
    mark: str | None = None  # "warning" | "blocked" | "verdict"


@dataclass(frozen=True)
class Note:
    """Small print: context, history, hints; a titled note lists its lines under the title."""

    lines: tuple[Line, ...]
    title: Line | None = None


@dataclass(frozen=True)
class Row:
    main: Line
    sub: Line | None = None  # a second, quieter line under the first


@dataclass(frozen=True)
class Rows:
    """A list; a renderer may split it between messages at row boundaries, never inside a row."""

    rows: tuple[Row, ...]
    title: Line | None = None
    empty: Line | None = None  # said instead when there are no rows
    more: Line | None = None  # said after the rows (how many more there are, and how to see them)
    numbered: bool = False


@dataclass(frozen=True)
class Mono:
    """Monospaced text (a grid, a table): shown as it is, in a code block where there is one."""

    text: str
    title: Line | None = None


@dataclass(frozen=True)
class Divider:
    pass


@dataclass(frozen=True)
class Image:
    url: str
    alt: Line


Part = Fields | Section | Note | Rows | Mono | Divider | Image


@dataclass(frozen=True)
class Card:
    """One reply's content. `summary` is the one line a notification or a preview shows."""

    summary: Line
    header: Header | None = None
    parts: tuple[Part, ...] = ()
    notice: tuple[Line, ...] = ()  # what just happened, above the header ("REQ-12 logged.")
    meta: dict[str, Any] = field(default_factory=dict, compare=False)  # front-end hints (e.g. "private")


def card(summary: Line, *parts: Part | None, header: Header | None = None, notice: Line | None = None) -> Card:
    """A Card from the parts that are there (None and empty parts are left out)."""
    kept = tuple(p for p in parts if p is not None and not _empty(p))
    notices: tuple[Line, ...] = () if notice is None else (notice,)
    return Card(summary=summary, header=header, parts=kept, notice=notices)


def section(title: Line | None, *lines: Line | None, mark: str | None = None) -> Section | None:
    kept = tuple(line for line in lines if line is not None and line != "" and line != [])
    return Section(kept, title=title, mark=mark) if kept else None


def note(*lines: Line | None) -> Note | None:
    kept = tuple(line for line in lines if line is not None and line != "" and line != [])
    return Note(kept) if kept else None


def fields(*pairs: tuple[Line, Line | None] | None) -> Fields:
    """Fields from the pairs that are there (a pair, or its value, may be None)."""
    return Fields(tuple((p[0], p[1]) for p in pairs if p is not None and p[1] is not None))


def _empty(part: Part) -> bool:
    if isinstance(part, Section | Note):
        return not part.lines
    if isinstance(part, Fields):
        return not part.pairs
    return False
