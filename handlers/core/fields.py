"""Parsers for the values users type into options and forms: dates, markets, people, text."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from handlers.core.args import normalise_word, parse_mention, split_list
from handlers.core.reply import FieldError, InvalidFields, Text
from models.market_codes import normalise_market, normalise_platform

CLEAR_WORDS = frozenset({"none", "-", "无", "清空", "clear"})
ISO_LIKE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
CN_FULL = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})[日号]?")
CN_SHORT = re.compile(r"(\d{1,2})月(\d{1,2})[日号]?")
RELATIVE = re.compile(r"\+(\d{1,3})([dw])")


def is_clear(value: str) -> bool:
    return normalise_word(value) in CLEAR_WORDS


def text(name: str, value: str, *, max_length: int, required: bool = False) -> str | None:
    cleaned = value.strip()
    if not cleaned:
        if required:
            raise FieldError(name, "field.required")
        return None
    if len(cleaned) > max_length:
        raise FieldError(name, "field.too_long", max=max_length, length=len(cleaned))
    return cleaned


def due_date(name: str, value: str, *, today: date) -> date:
    """A date as people type it: 2026-12-01, 2026/12/1, 2026年12月1日, 12月1日, today, +2w."""
    raw = normalise_word(value)
    if raw in ("today", "今天"):
        return today
    if raw in ("tomorrow", "明天"):
        return today + timedelta(days=1)
    if m := RELATIVE.fullmatch(raw):
        amount, unit = int(m.group(1)), m.group(2)
        return today + timedelta(days=amount * (7 if unit == "w" else 1))
    try:
        if m := ISO_LIKE.fullmatch(raw) or CN_FULL.fullmatch(raw):
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if m := CN_SHORT.fullmatch(raw):
            candidate = date(today.year, int(m.group(1)), int(m.group(2)))
            return candidate if candidate >= today else candidate.replace(year=today.year + 1)
    except ValueError as err:
        raise FieldError(name, "field.bad_date", value=value) from err
    raise FieldError(name, "field.bad_date", value=value)


def due_note(typed: str | None, due: date | None, *, today: date) -> Text | None:
    """What to tell someone about the due date they typed: it is past, or a month and day with no year
    was read as next year's."""
    if not isinstance(typed, str) or due is None:
        return None
    if due < today:
        return Text("field.due_past", {"date": due})
    if CN_SHORT.fullmatch(normalise_word(typed)) and due.year > today.year:
        return Text("field.due_next_year", {"value": typed, "date": due})
    return None


def markets(name: str, value: str | list[str], *, limit: int) -> list[str]:
    codes = split_list(value) if isinstance(value, str) else list(value)
    found: set[str] = set()
    for code in codes:
        market = normalise_market(code)
        if market is None:
            raise FieldError(name, "field.bad_market", value=code)
        found.add(market)
    if len(found) > limit:
        raise FieldError(name, "field.too_many", max=limit)
    return sorted(found)


def platform(name: str, value: str, *, max_length: int) -> str | None:
    cleaned = text(name, value, max_length=max_length)
    return normalise_platform(cleaned) if cleaned else None


def member_ref(name: str, value: str) -> tuple[str, str | None]:
    """The platform user id (and name, when given) of a mention such as <@U123|ana>."""
    mention = parse_mention(value)
    if mention is None:
        raise FieldError(name, "field.bad_person", value=value)
    return mention.user_ref, mention.name


def time_zone(name: str, value: str) -> str:
    cleaned = value.strip()
    try:
        ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise FieldError(name, "field.bad_tz", value=cleaned) from err
    if "/" not in cleaned and cleaned != "UTC":
        raise FieldError(name, "field.bad_tz", value=cleaned)
    return cleaned


def local_today(tz: str, now: datetime | None = None) -> date:
    return (now or datetime.now(ZoneInfo(tz))).astimezone(ZoneInfo(tz)).date()


def field_values(
    raw: Mapping[str, Any], fields_of: Mapping[str, str], parse: Callable[[str, str, Any], Any]
) -> dict[str, Any]:
    """Each option's value parsed into its model field (`parse(option, field, value)`); InvalidFields
    naming every bad one, a field given twice (by two of its names) included."""
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for key, value in raw.items():
        field = fields_of[key]
        try:
            if field in values:
                raise FieldError(key, "args.duplicate_key", name=key)
            values[field] = parse(key, field, value)
        except FieldError as err:
            errors.append(err)
    if errors:
        raise InvalidFields(errors)
    return values
