"""Reading daily rows: what people export (Excel from a Chinese PC, semicolons, Chinese headers) is
read; every bad row is named by its line number (the header is line 1) and nothing is returned."""

from __future__ import annotations

from datetime import date

from bot.i18n import catalog
from handlers.experiments.csv_file import read_daily
from models.experiments.result import DailyRow

ARMS = ["control", "variant"]


def problems(content: bytes | str, *, arms=ARMS, lang: str = "en") -> list[str]:
    raw = content.encode() if isinstance(content, str) else content
    reading = read_daily(raw, arms=arms, default_market="")
    assert reading.rows == [] or reading.problems == []
    return [f"{p.line}: {catalog().t(lang, p.text)}" for p in reading.problems]


def test_a_clean_file_gives_one_row_per_line() -> None:
    reading = read_daily(
        b"date,variant,market,visitors,conversions\n2026-03-01,control,DE,1000,31\n2026-03-01,variant,de,1010,35\n",
        arms=ARMS,
        default_market="",
    )
    assert reading.problems == []
    assert reading.rows == [
        DailyRow(date(2026, 3, 1), "control", "DE", 1000, 31),
        DailyRow(date(2026, 3, 1), "variant", "DE", 1010, 35),
    ]


def test_excel_export_from_a_chinese_pc_gb18030_chinese_headers_and_aliases() -> None:
    text = '日期,分组,站点,访客数,转化数\n2026/3/1,对照组,JP,"1,200",36\n2026年3月2日,实验组,UK,980,40\n'
    reading = read_daily(text.encode("gb18030"), arms=ARMS, default_market="")
    assert reading.problems == []
    assert [(r.day, r.arm, r.market, r.visitors) for r in reading.rows] == [
        (date(2026, 3, 1), "control", "JP", 1200),
        (date(2026, 3, 2), "variant", "GB", 980),
    ]


def test_semicolons_bom_blank_lines_extra_columns_and_a_missing_market_column() -> None:
    text = "\ufeffDate;Arm;Visitors;Conversions;Revenue\n2026-03-01;A;100;3;9.90\n\n2026-03-01;B;100;4;12.00\n"
    reading = read_daily(text.encode(), arms=ARMS, default_market="DE")
    assert reading.problems == []
    assert [(r.arm, r.market, r.conversions) for r in reading.rows] == [("control", "DE", 3), ("variant", "DE", 4)]


def test_every_bad_row_is_reported_by_its_line_number() -> None:
    text = (
        "date,variant,market,visitors,conversions\n"
        "2026-03-01,control,DE,1000,30\n"
        "2026-02-30,control,DE,1000,30\n"
        "\n"
        "2026-03-02,treatment_x,DE,1000,30\n"
        "2026-03-02,variant,XX,1000,30\n"
        "2026-03-02,control,DE,-3,0\n"
        "2026-03-03,control,DE,100.5,2\n"
        "2026-03-03,variant,DE,100,130\n"
        "2026-03-01,control,de,900,20\n"
    )
    found = problems(text)
    assert found == [
        "3: `2026-02-30` is not a date (2026-01-05, 2026/1/5 or 2026年1月5日)",
        "5: `treatment_x` is not an arm of this experiment (control, variant)",
        "6: `XX` is not an ISO country code",
        "7: visitors `-3` is not a whole number of 0 or more",
        "8: visitors `100.5` is not a whole number of 0 or more",
        "9: 130 conversions out of 100 visitors",
        "10: 2026-03-01 · control · DE again (first on line 2)",
    ]


def test_whole_file_problems() -> None:
    assert problems("") == ["None: The file is empty."]
    assert problems("date,variant,market,visitors,conversions\n") == ["None: The file has a header but no rows."]
    assert problems(b"PK\x03\x04 spreadsheet bytes") == [
        "None: That is a spreadsheet file. Save it as CSV (File → Save as → CSV UTF-8) and send it again."
    ]
    assert problems("day,arm,orders\n2026-03-01,control,3\n") == [
        "1: missing columns: visitors. Expected: date, variant, market, visitors, conversions"
    ]
    assert problems("date,variant,visitors,conversions\n2026-03-01,control,1,0\n2026-03-02,control,1,0,7\n") == [
        "3: this row has a different number of fields from the header"
    ]


def test_three_arms_take_letters_and_reject_the_ambiguous_word_variant() -> None:
    text = "date,variant,visitors,conversions\n2026-03-01,b,10,1\n2026-03-01,variant,10,1\n"
    assert problems(text, arms=["control", "B", "C"]) == [
        "3: `variant` is not an arm of this experiment (control, B, C)"
    ]


def test_problems_in_chinese() -> None:
    text = "date,variant,visitors,conversions\n2026-03-01,control,10,11\n"
    assert problems(text, lang="zh-CN") == ["2: 10 个访客却有 11 个转化"]
