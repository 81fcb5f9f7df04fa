"""/req search and owner=: finding requirements by their words (Chinese too) and by their owner, on
SQLite and PostgreSQL (the fixtures run each test on both)."""

from __future__ import annotations

import re

from tests.support.console import ConsoleDriver


def keys(out: str) -> list[str]:
    return re.findall(r"^  (REQ-\d+) ", out, flags=re.MULTILINE)


def test_search_finds_every_word_in_title_description_or_acceptance(console: ConsoleDriver) -> None:
    console.send("/req add 德国服装尺码表减少退货 market=DE owner=@li")
    console.send('/req add "US size chart" desc="Returns from the wrong SIZE" ac="100% of SKUs measured"')
    console.send('/req add "JP free shipping" ac="满 3500 日元包邮；尺码不变"')
    console.send("/req add unrelated_thing")
    assert keys(console.send("/req search 尺码")) == ["REQ-3", "REQ-1"]
    assert keys(console.send("/req search size")) == ["REQ-2"]  # title and description, any case
    assert keys(console.send("/req search SIZE returns")) == ["REQ-2"]
    assert keys(console.send("/req search size 包邮")) == []  # every word must be there
    assert "No requirements match." in console.send("/req search nothing-like-it")
    assert keys(console.send("/req search 100%")) == ["REQ-2"]
    assert keys(console.send("/req search 0%")) == ["REQ-2"]
    assert keys(console.send("/req search _")) == ["REQ-4"]  # % and _ are the typed characters, not wildcards
    assert keys(console.send("/req search 尺码 market=DE")) == ["REQ-1"]
    assert keys(console.send("/req find 尺码 owner=@li")) == ["REQ-1"]


def test_search_pages_keep_the_words(console: ConsoleDriver) -> None:
    for n in range(12):
        console.send(f"/req add 退货 item {n}")
    console.send("/req add something else")
    first = console.send("/req search 退货")
    assert "1–10 of 12" in first and "[1] Next ›" in first
    second = console.send("1")
    assert "11–12 of 12" in second and keys(second) == ["REQ-2", "REQ-1"]


def test_owner_filter(console: ConsoleDriver) -> None:
    console.send("/req add one owner=@li")
    console.send("/req add two owner=@ana")
    console.send("/req add three")
    assert keys(console.send("/req list owner=@li")) == ["REQ-1"]
    assert "No requirements match." in console.send("/req list owner=@nobody")
    assert "bob is not a person" in console.send("/req list owner=bob")


def test_search_needs_words_in_both_languages(console: ConsoleDriver) -> None:
    assert "Search for what?" in console.send("/req search")
    assert "要搜什么？" in (console.send("/pm lang zh") and console.send("/req search"))
    assert "最多用 5 个关键词" in console.send("/req search a b c d e f")


def test_search_over_slack(slack) -> None:  # type: ignore[no-untyped-def]
    from tests.support.slack_requests import block_text

    slack.command("add 德国服装尺码表减少退货 market=DE")
    slack.command("add other")
    text = block_text(slack.command("search 尺码").json())
    assert "REQ-1" in text and "REQ-2" not in text


def test_open_requirements_past_their_due_date_are_marked_overdue(console: ConsoleDriver) -> None:
    console.send("/req add late due=2020-01-01")
    console.send("/req add done due=2020-01-01")
    console.send("/req status REQ-2 rejected")
    console.send("/req add fine due=+2w")
    out = console.send("/req list")
    assert "new · overdue since 2020-01-01" in out
    assert "rejected · due 2020-01-01" in out  # a closed one is not late
    assert out.count("overdue") == 1
    assert "已逾期（截止 2020-01-01）" in (console.send("/pm lang zh") and console.send("/req list"))
