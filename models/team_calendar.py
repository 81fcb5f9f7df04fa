"""A team's working days: weekends, public holidays, and China's make-up workdays (调休).

CN follows the State Council's yearly notice as the `chinese_calendar` package records it; a year it has
no data for yet falls back to the statutory holidays `holidays` knows, without make-up days. The other
calendars are `holidays`' national ones (no regional holidays)."""

from __future__ import annotations

import logging
from datetime import date
from enum import StrEnum
from functools import cache

import chinese_calendar
import holidays

log = logging.getLogger(__name__)

CALENDARS = ("CN", "US", "DE", "JP", "GB")


class DayKind(StrEnum):
    WORKDAY = "workday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    MAKEUP = "makeup"  # a weekend day worked in exchange for a longer holiday (调休)


def day_kind(calendar: str | None, day: date) -> DayKind:
    """What `day` is for a team on `calendar` (None or unknown: weekends only)."""
    weekend = day.weekday() >= 5
    if calendar == "CN":
        known = _cn_kind(day)
        if known is not None:
            return known
    # Without the notice, China's statutory days only: which weekdays make up for a weekend holiday is
    # the notice's to say, not a rule's.
    if calendar in CALENDARS and day in _national(calendar, day.year, observed=calendar != "CN"):
        return DayKind.HOLIDAY
    return DayKind.WEEKEND if weekend else DayKind.WORKDAY


def holiday_name(calendar: str | None, day: date) -> str | None:
    if calendar not in CALENDARS:
        return None
    return _national(calendar, day.year, observed=calendar != "CN").get(day)


def has_official_days(calendar: str | None, year: int) -> bool:
    """Whether make-up workdays are known for `year` (only CN has them; only from the State Council's notice)."""
    return calendar == "CN" and _cn_kind(date(year, 12, 31)) is not None


def _cn_kind(day: date) -> DayKind | None:
    try:
        on, _ = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None  # the notice for this year is not in the package yet
    weekend = day.weekday() >= 5
    if weekend:
        return DayKind.WEEKEND if on else DayKind.MAKEUP
    return DayKind.HOLIDAY if on else DayKind.WORKDAY


@cache
def _national(calendar: str, year: int, *, observed: bool) -> holidays.HolidayBase:
    return holidays.country_holidays(calendar, years=year, observed=observed)
