"""Standup cards: an answer as it was saved, and the reminder sent before a channel's digest."""

from __future__ import annotations

from datetime import date

from handlers.core.card import Card, Channel, Header, Line, Row, Rows, Section, When, fields
from handlers.core.reply import Reply, Text
from models.standup.answer import FIELDS


def saved_reply(day: date, updated: bool, answer: dict[str, str | None]) -> Reply:
    return Reply("standup_saved", card=saved_card(day, updated, answer))


def saved_card(day: date, updated: bool, answer: dict[str, str | None]) -> Card:
    """`✅ Your standup for 2026-06-01 is saved.` and the three parts (a dash for one not given)."""
    title = Text("standup.updated" if updated else "standup.saved", {"date": When(day)})
    none = Text("common.none")
    parts = fields(*((Text(f"standup.field.{name}"), answer.get(name) or none) for name in FIELDS))
    return Card(summary=title, parts=(Section((["✅ ", title],)), parts))


def custom_saved_reply(
    day: date, updated: bool, answered: tuple[tuple[str, str], ...], asked: tuple[str, ...]
) -> Reply:
    """As saved_reply, for a channel's own questions: each question as typed, and its answer."""
    title = Text("standup.updated" if updated else "standup.saved", {"date": When(day)})
    given = dict(answered)
    none = Text("common.none")
    parts = fields(*((question_label(q), given.get(q) or none) for q in asked))
    return Reply("standup_saved", card=Card(summary=title, parts=(Section((["✅ ", title],)), parts)))


def reminder_reply(channel_ref: str, time: str, tz: str, minutes: int | None) -> Reply:
    return Reply("standup_reminder", card=reminder_card(channel_ref, time, tz, minutes))


def reminder_card(channel_ref: str, time: str, tz: str, minutes: int | None) -> Card:
    """Sent privately to someone who has not answered, `minutes` before the channel's digest at `time`."""
    params = {"channel": Channel(channel_ref), "time": time, "tz": tz, "minutes": minutes}
    return Card(
        summary=Text("standup.reminder_fallback", {"time": time}),
        parts=(Section((["⏰ ", Text("standup.reminder", params)],)),),
    )


def questions_reply(channel_ref: str, questions: tuple[str, ...], note: str) -> Reply:
    return Reply("standup_questions", card=questions_card(channel_ref, questions, note))


def questions_card(channel_ref: str, questions: tuple[str, ...], note: str) -> Card:
    """The questions a channel's standup asks, numbered: its own as typed, else the defaults in the
    reader's language. `note` says which (or that they were just saved or reset)."""
    title = Text("standup.questions.title", {"channel": Channel(channel_ref)})
    asked: tuple[Line, ...] = (
        tuple(question_label(q) for q in questions) if questions else tuple(Text(f"standup.field.{n}") for n in FIELDS)
    )
    rows = tuple(Row((f"{i}. ", q)) for i, q in enumerate(asked, start=1))
    return Card(summary=title, header=Header(title), parts=(Section((Text(note),)), Rows(rows)))


def question_label(question: str) -> Text:
    """A channel's own question, shown as typed (escaped by the renderer)."""
    return Text("standup.question", {"text": question})
