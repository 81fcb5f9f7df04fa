"""Standup cards: an answer as it was saved, and the reminder sent before a channel's digest."""

from __future__ import annotations

from datetime import date

from handlers.core.card import Card, Channel, Section, When, fields
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


def reminder_reply(channel_ref: str, time: str, tz: str, minutes: int | None) -> Reply:
    return Reply("standup_reminder", card=reminder_card(channel_ref, time, tz, minutes))


def reminder_card(channel_ref: str, time: str, tz: str, minutes: int | None) -> Card:
    """Sent privately to someone who has not answered, `minutes` before the channel's digest at `time`."""
    params = {"channel": Channel(channel_ref), "time": time, "tz": tz, "minutes": minutes}
    return Card(
        summary=Text("standup.reminder_fallback", {"time": time}),
        parts=(Section((["⏰ ", Text("standup.reminder", params)],)),),
    )
