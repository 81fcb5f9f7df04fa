"""What a handler returns: a platform-neutral reply, forms, and the effects to run after the ack."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from handlers.core.card import Card, Line, Section, Text
from handlers.core.charts import Chart
from handlers.core.spreadsheet import CsvTable


class Visibility(StrEnum):
    EPHEMERAL = "ephemeral"  # only the person who asked sees it
    CHANNEL = "in_channel"


@dataclass(frozen=True)
class Button:
    label: Text
    action: str
    payload: dict[str, Any] = field(default_factory=dict)  # ids only; state is re-read on click
    style: str | None = None  # "primary" or "danger"


@dataclass(frozen=True)
class Choice:
    value: str
    label: Text | str


@dataclass(frozen=True)
class FormField:
    name: str
    label: Text
    # text | textarea | date | select | multiselect | user (a person picker) | file (its value: a list of FileRef)
    kind: str = "text"
    required: bool = False
    options: tuple[Choice, ...] = ()
    initial: Any = None
    max_length: int | None = None
    hint: Text | None = None
    accept: tuple[str, ...] = ()  # file: the file types it takes ("csv"), any when empty


@dataclass(frozen=True)
class Form:
    """A modal on Slack, a card form on Lark, a run of prompts in the console."""

    action: str  # the action that receives the submission
    title: Text
    fields: tuple[FormField, ...]
    submit: Text = Text("common.submit")  # noqa: RUF009 (Text is frozen)
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Track:
    """What a posted message is about, so that later changes can update it in place."""

    entity: str
    entity_id: int


@dataclass(frozen=True)
class PostToChannel:
    reply: Reply
    channel_ref: str | None = None  # None: the channel the request came from
    track: Track | None = None
    thread: tuple[Reply, ...] = ()  # posted in order as replies in the thread of this message


@dataclass(frozen=True)
class DirectMessage:
    """A private message to a member, drawn in their own language and time zone."""

    member_id: int
    reply: Reply


@dataclass(frozen=True)
class UpdateTracked:
    """Redraw every message posted earlier about this entity (e.g. an approval card after a decision)."""

    track: Track
    reply: Reply


Translate = Callable[[Text], str]


@dataclass(frozen=True)
class FileQuery:
    """A file built after the answer from the database, by the feature builder registered as `kind`
    (a module's FILES): work that grows with the backlog, such as an export, leaves the request."""

    kind: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BuiltFile:
    """What a FILES builder made: the bytes, and the comment to post with them (it may count rows)."""

    content: bytes
    comment: Text | None = None


@dataclass(frozen=True)
class UploadFile:
    filename: str
    # The bytes; a chart that bot/render/charts draws after the answer (off the request path); a table
    # drawn when it is sent; or a FileQuery, built after the answer — all in the viewer's language.
    content: bytes | Chart | CsvTable | FileQuery
    title: Text
    channel_ref: str | None = None
    comment: Text | None = None


@dataclass(frozen=True)
class FileRef:
    """A file someone attached on their platform, not yet fetched (a URL there; a path in the console)."""

    name: str
    url: str
    size: int | None = None


@dataclass(frozen=True)
class Attachment:
    """A fetched file."""

    name: str
    content: bytes


@dataclass(frozen=True)
class FetchFiles:
    """Fetch attached files after the ack, then run `action` with them (ActionInput.files) as the same
    person; its reply goes where the request came from (its thread, if any)."""

    files: tuple[FileRef, ...]
    action: str
    payload: dict[str, Any] = field(default_factory=dict)


def file_action(entity: str) -> str:
    """The action that receives files shared in the thread of a message tracked as `entity`."""
    return f"{entity}.file"


@dataclass(frozen=True)
class OpenForm:
    form: Form


@dataclass(frozen=True)
class RefreshProfile:
    """Ask the platform for a member's profile (time zone, locale) and store it."""

    member_id: int
    user_ref: str


Effect = PostToChannel | DirectMessage | UpdateTracked | UploadFile | OpenForm | RefreshProfile | FetchFiles


@dataclass
class Reply:
    kind: str  # what sort of reply: "message", "usage", "silent" (nothing to show), or a view's kind
    buttons: list[Button] = field(default_factory=list)
    visibility: Visibility = Visibility.EPHEMERAL
    replace_original: bool = False
    effects: list[Effect] = field(default_factory=list)
    form_errors: dict[str, Text] | None = None  # a form submission refused field by field
    lang: str | None = None  # draw in this language rather than the caller's
    card: Card | None = None  # what it shows (handlers/core/card.py)

    @classmethod
    def message(
        cls, message: str | Text, /, *, effects: list[Effect] | None = None, lang: str | None = None, **params: Any
    ) -> Reply:
        """A short message from the catalogue (a key and its parameters, or a Text)."""
        text = message if isinstance(message, Text) else Text(message, params)
        card = Card(summary=text, parts=(Section((text,)),))
        return cls("message", card=card, effects=effects or [], lang=lang)

    @property
    def headline(self) -> Line | None:
        """The line that says what this reply is about in a toast: its notice, or a short message's text."""
        if self.card is None:
            return None
        if self.card.notice:
            return self.card.notice[0]
        if self.kind in ("message", "usage", "notice"):
            return self.card.summary
        return None


class UsageError(Exception):
    """Bad input: shown to the user as a short message with the command's usage; nothing is stored."""

    def __init__(self, message: str, usage: str | None = None, /, **params: Any) -> None:
        super().__init__(message)
        self.text = Text(message, params)
        self.usage = usage


class FieldError(Exception):
    """One field of a command or form holds a bad value."""

    def __init__(self, field_name: str, message: str, /, **params: Any) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.text = Text(message, params)


class InvalidFields(Exception):
    """Several fields were checked and at least one is bad: every problem, by field name."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(", ".join(str(e) for e in errors))
        self.errors = errors

    def by_field(self) -> dict[str, Text]:
        return {e.field: e.text for e in self.errors}

    def usage_error(self, usage: str) -> UsageError:
        reasons = [Text("field.invalid", {"field": e.field, "reason": e.text}) for e in self.errors]
        return UsageError("field.invalid_many", usage, reasons=reasons)
