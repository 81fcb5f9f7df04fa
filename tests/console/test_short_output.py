"""Short console output, driven as a user types: a command that updates a card already on the screen
prints its one-line confirmation and what changed, not the whole card again; `full` prints it whole;
a card longer than a screenful prints its first page and `more` the rest. Asking for a card (`show`)
always prints it whole."""

from __future__ import annotations

from bot.console.screen import PAGE_LINES
from tests.support.console import ConsoleDriver


def test_a_result_prints_only_what_changed_and_full_prints_the_card(console: ConsoleDriver) -> None:
    planned = console.send("/exp add checkout test metric=conversion baseline=3.2% mde=10%")
    assert "Plan:" in planned and "Needs 95,312 per arm" in planned
    console.send("/exp start EXP-1")
    first = console.send("/exp result EXP-1 control=1000/32 variant=1000/40")
    assert first.startswith("Results recorded for EXP-1")
    assert "control: 3.20%" in first and "Needs 95,312 per arm" not in first and "Plan:" not in first
    assert "lines unchanged; type full to see the whole card." in first
    second = console.send("/exp result EXP-1 control=2000/64 variant=2000/82")
    assert "64 / 2,000" in second and "32 / 1,000" not in second
    assert "Keep running." not in second  # the same advice as before: not printed again
    assert len(second.splitlines()) < len(planned.splitlines())
    whole = console.send("full")
    assert "== EXP-1 · checkout test ==" in whole and "Needs 95,312 per arm" in whole and "64 / 2,000" in whole
    shown = console.send("/exp status EXP-1")
    assert "lines unchanged" not in shown  # asked for: whole


def test_an_edit_prints_the_confirmation_and_the_changed_fields(console: ConsoleDriver) -> None:
    console.send("/req add DE A+ page market=DE")
    out = console.send('/req edit REQ-1 title="Better A+ page" due=2027-01-10')
    lines = out.splitlines()
    assert lines[0] == "REQ-1 updated: Title, Due date."
    assert "== REQ-1 · Better A+ page ==" in lines and "  Due date: 2027-01-10" in lines
    assert "Requested by" not in out and "Markets: DE" not in out
    assert lines[-1] == "[1] Triage  [2] Reject  [3] Park"  # the buttons stay pressable
    again = console.send("/req show REQ-1")
    assert "Requested by: @mei" in again and "Markets: DE" in again


def test_a_checklist_tick_prints_the_item_and_the_count(console: ConsoleDriver) -> None:
    console.send("/req add DE A+ page market=DE")
    card = console.send("/market check REQ-1 DE")
    assert "0 of 9 done" in card and "⬜ 3." in card
    ticked = console.send("1")
    assert "== Launch check · REQ-1 · DE · Germany ==" in ticked and "1 of 9 done" in ticked
    assert "✅ 1. Translation reviewed by a native speaker" in ticked
    assert "⬜ 3." not in ticked and "⬜ 2." not in ticked
    assert "[1] ↺ 1" in ticked
    assert len(ticked.splitlines()) <= 7


def test_a_long_cost_card_pages_and_more_prints_the_rest(console: ConsoleDriver) -> None:
    console.send("/pm fx EURCNY 7.8")
    console.send("/pm fx USDCNY 7.18")
    console.send("/cost add SKU-1 purchase=23.50 currency=CNY weight=0.42kg dims=30x20x5cm")
    console.send("/cost lane SKU-1 market=DE channel=sea freight=38/kg duty=4.7% price=24.99")
    console.send("/cost lane SKU-1 market=US channel=air freight=38/kg duty=4.7% price=24.99")
    first = console.send("/cost show SKU-1").splitlines()
    assert len(first) == PAGE_LINES + 1
    assert first[-1].startswith("… ") and first[-1].endswith("type more for page 2 of 2.")
    assert "Basis:" not in "\n".join(first)
    rest = console.send("more")
    assert "Basis: purchase cost as entered" in rest and "type more" not in rest
    assert "Nothing more to show" in console.send("more")


def test_short_output_and_pages_speak_chinese(console: ConsoleDriver) -> None:
    console.send("/pm lang zh")
    console.send("/req add 德国站 A+ 页面 market=DE")
    out = console.send("/req edit REQ-1 due=2027-01-10")
    assert "行未变；输入 full 查看整张卡片。" in out and "提出人" not in out
    console.send("/pm fx EURCNY 7.8")
    console.send("/pm fx USDCNY 7.18")
    console.send("/cost add SKU-1 purchase=23.50 currency=CNY weight=0.42kg dims=30x20x5cm")
    console.send("/cost lane SKU-1 market=DE channel=sea freight=38/kg duty=4.7% price=24.99")
    console.send("/cost lane SKU-1 market=US channel=air freight=38/kg duty=4.7% price=24.99")
    assert "输入 more 查看第 2/2 页。" in console.send("/cost show SKU-1")
    rest = console.send("更多")  # the console's `more`, in Chinese
    assert rest.strip() and "输入 more" not in rest and "没有更多内容了" in console.send("更多")
