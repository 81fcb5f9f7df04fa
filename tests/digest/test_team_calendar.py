"""Team calendars: China's 2026 holidays and make-up workdays as the State Council's notice gives them
(国办发明电〔2025〕7号, written out here by hand from the notice), 2027's statutory days until its notice
is in the data, and a US and a German holiday; and digest slots that follow them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from models.digest.schedule import Schedule
from models.team_calendar import DayKind, day_kind, has_official_days


def days(first: date, last: date) -> set[date]:
    return {first + timedelta(n) for n in range((last - first).days + 1)}


# The 2026 notice: 元旦 1月1日至3日, 1月4日（周日）上班; 春节 2月15日至23日, 2月14日（周六）、2月28日（周六）上班;
# 清明 4月4日至6日; 劳动节 5月1日至5日, 5月9日（周六）上班; 端午 6月19日至21日; 中秋 9月25日至27日;
# 国庆 10月1日至7日, 9月20日（周日）、10月10日（周六）上班.
CN_2026_OFF = (
    days(date(2026, 1, 1), date(2026, 1, 3))
    | days(date(2026, 2, 15), date(2026, 2, 23))
    | days(date(2026, 4, 4), date(2026, 4, 6))
    | days(date(2026, 5, 1), date(2026, 5, 5))
    | days(date(2026, 6, 19), date(2026, 6, 21))
    | days(date(2026, 9, 25), date(2026, 9, 27))
    | days(date(2026, 10, 1), date(2026, 10, 7))
)
CN_2026_MAKEUP = {
    date(2026, 1, 4),
    date(2026, 2, 14),
    date(2026, 2, 28),
    date(2026, 5, 9),
    date(2026, 9, 20),
    date(2026, 10, 10),
}
# 2027 by the statutory rules (全国年节及纪念日放假办法): 元旦 1 day; 春节 除夕 and 初一至初三 (2027-02-05..08);
# 清明 (04-05); 劳动节 05-01, 05-02; 端午 (06-09); 中秋 (09-15); 国庆 10-01..03.
CN_2027_STATUTORY = {
    date(2027, 1, 1),
    *days(date(2027, 2, 5), date(2027, 2, 8)),
    date(2027, 4, 5),
    date(2027, 5, 1),
    date(2027, 5, 2),
    date(2027, 6, 9),
    date(2027, 9, 15),
    *days(date(2027, 10, 1), date(2027, 10, 3)),
}


def working(calendar: str | None, day: date) -> bool:
    return day_kind(calendar, day) in (DayKind.WORKDAY, DayKind.MAKEUP)


def test_every_day_of_2026_in_china_follows_the_state_councils_notice() -> None:
    for day in days(date(2026, 1, 1), date(2026, 12, 31)):
        expected = day in CN_2026_MAKEUP or (day.weekday() < 5 and day not in CN_2026_OFF)
        assert working("CN", day) is expected, day
    assert {d for d in days(date(2026, 1, 1), date(2026, 12, 31)) if day_kind("CN", d) is DayKind.MAKEUP} == (
        CN_2026_MAKEUP
    )


def test_2027_without_its_notice_keeps_the_statutory_days_and_has_no_make_up_days() -> None:
    assert has_official_days("CN", 2026) and not has_official_days("CN", 2027)
    for day in days(date(2027, 1, 1), date(2027, 12, 31)):
        expected = day.weekday() < 5 and day not in CN_2027_STATUTORY
        assert working("CN", day) is expected, day


def test_us_and_german_holidays_and_no_calendar() -> None:
    assert day_kind("US", date(2026, 11, 26)) is DayKind.HOLIDAY  # Thanksgiving
    assert day_kind("US", date(2026, 7, 3)) is DayKind.HOLIDAY  # Independence Day (Saturday) observed on Friday
    assert day_kind("US", date(2026, 10, 1)) is DayKind.WORKDAY  # China's National Day is not America's
    assert day_kind("DE", date(2026, 4, 3)) is DayKind.HOLIDAY  # Karfreitag
    assert day_kind("DE", date(2026, 4, 6)) is DayKind.HOLIDAY  # Ostermontag
    assert day_kind("DE", date(2026, 11, 26)) is DayKind.WORKDAY
    assert day_kind(None, date(2026, 10, 1)) is DayKind.WORKDAY
    assert day_kind(None, date(2026, 2, 14)) is DayKind.WEEKEND


def slot_days(plan: Schedule, first: date, last: date) -> list[date]:
    start = datetime(first.year, first.month, first.day, tzinfo=UTC) - timedelta(days=1)
    end = datetime(last.year, last.month, last.day, 23, 59, tzinfo=UTC)
    return [d for d in (plan.day_of(s) for s in plan.slots(start, end)) if first <= d <= last]


def test_a_weekday_digest_in_china_skips_spring_festival_and_comes_on_the_make_up_saturdays() -> None:
    plan = Schedule("09:30", "Asia/Shanghai", "mon,tue,wed,thu,fri", "CN")
    assert slot_days(plan, date(2026, 2, 9), date(2026, 3, 2)) == [
        *sorted(days(date(2026, 2, 9), date(2026, 2, 14))),  # Saturday the 14th is worked
        *sorted(days(date(2026, 2, 24), date(2026, 2, 28))),  # and Saturday the 28th
        date(2026, 3, 2),
    ]
    assert plan.next_slot(datetime(2026, 2, 14, 2, 0, tzinfo=UTC)) == datetime(2026, 2, 24, 1, 30, tzinfo=UTC)
    # A schedule that names only some days keeps to them; a make-up Saturday is not one of them.
    mondays = Schedule("09:30", "Asia/Shanghai", "mon", "CN")
    assert slot_days(mondays, date(2026, 2, 9), date(2026, 3, 2)) == [date(2026, 2, 9), date(2026, 3, 2)]


def test_a_us_digest_skips_thanksgiving_and_a_german_one_easter() -> None:
    us = Schedule("09:00", "America/New_York", "mon,tue,wed,thu,fri", "US")
    assert slot_days(us, date(2026, 11, 23), date(2026, 11, 29)) == [
        date(2026, 11, 23),
        date(2026, 11, 24),
        date(2026, 11, 25),
        date(2026, 11, 27),
    ]
    de = Schedule("10:00", "Europe/Berlin", "mon,tue,wed,thu,fri", "DE")
    assert slot_days(de, date(2026, 3, 30), date(2026, 4, 10)) == [
        date(2026, 3, 30),
        date(2026, 3, 31),
        date(2026, 4, 1),
        date(2026, 4, 2),
        *sorted(days(date(2026, 4, 7), date(2026, 4, 10))),
    ]
    plain = Schedule("10:00", "Europe/Berlin", "mon,tue,wed,thu,fri")
    assert date(2026, 4, 3) in slot_days(plain, date(2026, 3, 30), date(2026, 4, 10))
