"""Parsers for the values users type into options and forms: dates, markets, people, text."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from handlers.core.args import normalise_word, parse_mention, split_list
from handlers.core.reply import FieldError, InvalidFields, Text
from models.market_codes import normalise_market, normalise_platform

CLEAR_WORDS = frozenset({"none", "-", "无", "清空", "clear"})
ISO_LIKE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
CN_FULL = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})[日号]?")
CN_SHORT = re.compile(r"(\d{1,2})月(\d{1,2})[日号]?")
RELATIVE = re.compile(r"\+(\d{1,3})([dw])")
MAX_ROW_ID = 2**31 - 1  # the largest id an INTEGER column holds on PostgreSQL (ids are INTEGER)
MAX_DRAWN_INT = MAX_ROW_ID  # no id, page or offset the bot draws on a button comes near it


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
    """At least one market code; `，` or `,,,` alone names none and is refused as a bad market."""
    codes = split_list(value) if isinstance(value, str) else list(value)
    if not codes:
        raise FieldError(name, "field.bad_market", value=value if isinstance(value, str) else "")
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
    """An IANA zone such as Asia/Shanghai, looked up in the zone list (never opened as a path: `America`
    is a directory of the database, `../../etc` is not a zone at all)."""
    cleaned = value.strip()
    if cleaned not in _zones() or ("/" not in cleaned and cleaned != "UTC"):
        raise FieldError(name, "field.bad_tz", value=cleaned)
    return cleaned


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def row_id(value: object) -> int | None:
    """The id a button or form carries, when it is one a table can hold (a positive whole number below
    2^31); None for anything else, which finds no row rather than overflowing the database."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ROW_ID:
        return None
    return value


def drawn_payload(value: Any) -> bool:
    """Whether a button's payload could have been drawn by the bot: every whole number in it within
    what an INTEGER column holds, so that no page, offset or id taken from it can overflow a query."""
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -MAX_DRAWN_INT <= value <= MAX_DRAWN_INT
    if isinstance(value, dict):
        return all(drawn_payload(v) for v in value.values())
    if isinstance(value, list):
        return all(drawn_payload(v) for v in value)
    return True


def without_nul(value: Any) -> Any:
    """`value` with NUL characters taken out of every string in it: no database column can hold them,
    and no person types them."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_nul(v) for v in value]
    return value


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
