"""Archive with undo, due-date filters and the due reminder in the digest, driven through the console as
a person types, on SQLite and PostgreSQL (the fixtures run each test on both), in English and Chinese."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tests.support.console import ConsoleDriver


def keys(out: str) -> list[str]:
    return re.findall(r"^  (REQ-\d+) ", out, flags=re.MULTILINE)


def test_archive_hides_everywhere_and_undo_brings_it_back(console: ConsoleDriver) -> None:
    console.send("/req add 德国尺码表 market=DE due=+1d")
    console.send("/req add other")
    console.send("/score REQ-1 reach=1000 impact=2 confidence=80 effort=1")
    out = console.send("/req archive REQ-1")
    assert "REQ-1 (德国尺码表) archived" in out and "/req undo" in out
    assert keys(console.send("/req list")) == ["REQ-2"]
    assert keys(console.send("/req search 尺码")) == []
    assert "REQ-1" not in console.send("/score top")
    assert "REQ-1" not in console.send("/digest preview")
    shown = console.send("/req show REQ-1")  # still there, never deleted, and says so
    assert "Archived: hidden from lists" in shown and "archived" in shown.split("History:")[1]
    assert "already archived" in console.send("/req archive REQ-1")
    assert "Undone: REQ-1 (德国尺码表) is no longer archived." in console.send("/req undo")
    assert keys(console.send("/req list")) == ["REQ-2", "REQ-1"]
    assert "REQ-1" in console.send("/score top")
    assert "Nothing to undo" in console.send("/req undo")


def test_restore_and_undo_are_per_person_and_in_chinese(console: ConsoleDriver) -> None:
    console.send("/req add one")
    console.send("/req add two")
    console.send("/req archive REQ-1")
    sam = console.as_user("sam")
    assert "Nothing to undo" in sam.send("/req undo")  # Sam archived nothing
    sam.send("/req archive REQ-2")
    assert "REQ-2" in sam.send("/req undo")
    console.as_user("mei")
    console.send("/pm lang zh")
    assert "已恢复 REQ-1（one）" in console.send("/req restore REQ-1")
    assert "REQ-1 没有归档。" in console.send("/req restore REQ-1")
    assert "没有可撤销的操作" in console.send("/req undo")
    assert "已归档 REQ-2（two）" in console.send("/req archive 2")
    assert "已撤销：REQ-2（two）不再归档。" in console.send("/req undo")


def test_due_filters(console: ConsoleDriver) -> None:
    console.send("/req add late due=2020-01-01")
    console.send("/req add shipped_late due=2020-01-01")
    console.send("/req status REQ-2 rejected")
    console.send("/req add soon due=2026-12-20")
    console.send("/req add later due=2027-03-01")
    console.send("/req add none")
    assert keys(console.send("/req list overdue")) == ["REQ-1"]  # a rejected one is not late
    assert keys(console.send("/req list due<2026-12-31")) == ["REQ-3", "REQ-2", "REQ-1"]
    assert keys(console.send("/req list due>2026-12-31")) == ["REQ-4"]
    assert keys(console.send("/req list due>=2027-03-01")) == ["REQ-4"]
    assert keys(console.send("/req list due<=2026-12-20 due>2020-01-01")) == ["REQ-3"]
    assert keys(console.send("/req list due<2026-12-20")) == ["REQ-2", "REQ-1"]
    assert "bogus is not a date" in console.send("/req list due<bogus")
    console.send("/pm lang zh")
    assert keys(console.send("/req list 逾期")) == ["REQ-1"]
    assert keys(console.send("/req list due<2027年1月1日 status=new")) == ["REQ-3", "REQ-1"]


def test_overdue_filter_keeps_through_pages(console: ConsoleDriver) -> None:
    for n in range(12):
        console.send(f"/req add late{n} due=2020-01-0{1 + n % 9}")
    console.send("/req add fine")
    first = console.send("/req list overdue")
    assert "1–10 of 12" in first
    assert "11–12 of 12" in console.send("1")


def test_digest_reminds_of_what_is_due_soon_or_late(console: ConsoleDriver) -> None:
    today = datetime.now(UTC).date()  # the console person's zone is UTC
    console.send("/req add late due=2020-01-01")
    console.send(f"/req add soon due={(today + timedelta(days=2)).isoformat()}")
    console.send(f"/req add far due={(today + timedelta(days=3)).isoformat()}")
    console.send("/req add done due=2020-01-01")
    console.send("/req status REQ-4 rejected")
    out = console.send("/digest preview")
    section = out.split("Due soon or overdue:\n")[1].split("\n  Top")[0]
    assert "REQ-1 late — overdue since 2020-01-01" in section
    assert f"REQ-2 soon — due {(today + timedelta(days=2)).isoformat()}" in section
    assert "REQ-3" not in section and "REQ-4" not in section
    console.send("/digest lang zh")
    assert "• REQ-1 late — 已逾期（截止 2020-01-01）" in console.send("/digest preview")
