"""The supplier cards drawn on Slack, Lark and the console, in English and Chinese: user text stays text,
the list pages, and its largest page fits every platform."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from handlers.core.reply import Reply, Text
from handlers.suppliers import cards as view
from models.suppliers.queries import Compared, LinkTarget, Scored, SupplierCard, SupplierPage
from models.suppliers.supplier import CRITERIA, DEFAULT_WEIGHTS, Supplier, SupplierScore
from tests.support.console import ConsoleDriver
from tests.support.hostile import EVIL, LANGS, draw
from tests.support.hostile import assert_inert as assert_user_text_inert

AT = datetime(2026, 1, 2, 1, 30, tzinfo=UTC)
SCORES = {"quality": 4, "certification": 5, "capacity": 3, "lead_time": 4, "return_rate": 2, "service": 4}


def supplier(n: int = 1, name: str = EVIL, **facts: object) -> Supplier:
    values = {"category": EVIL, "city": "深圳", "lead_days": 25, "defects": 3, "batch": 200, "certs": ["CE"]}
    values |= facts
    return Supplier(id=n, workspace_id=1, name=name, name_key=f"{n}", **values)  # type: ignore[arg-type]


def scorecard(n: int = 1, note: str | None = None, **scores: int) -> SupplierScore:
    return SupplierScore(workspace_id=1, supplier_id=n, note=note, scored_by=7, scored_at=AT, **(SCORES | scores))  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", LANGS)
def test_a_supplier_card_shows_user_text_as_typed_everywhere(lang: str) -> None:
    data = SupplierCard(
        supplier(note=EVIL),
        dict(DEFAULT_WEIGHTS),
        [scorecard(quality=5, note=EVIL), scorecard()],
        {7: ("U7", "li")},
        [LinkTarget("REQ-1", None, "main", True), LinkTarget(None, EVIL, "backup", False)],
    )
    reply = Reply("supplier_card", card=view.supplier_card(data, notice=Text("supplier.added", {"name": EVIL})))
    drawn = draw(reply, lang)
    assert_user_text_inert(drawn, people=("U7",))
    score = "Weighted score 4.00 / 5" if lang == "en" else "加权得分 4.00 / 5"
    assert score in drawn.text and score in drawn.mrkdwn and score in drawn.lark_text
    assert "4.00 (5/5/3/4/2/4)" in drawn.text and "3.70 (4/5/3/4/2/4)" in drawn.text
    assert "<@U7>" in drawn.mrkdwn and "<at id=U7></at>" in drawn.lark_text and "@li" in drawn.text
    assert "REQ-1 · " in drawn.text and "2026-01-02 09:30" in drawn.text  # in the viewer's time zone


@pytest.mark.parametrize("lang", LANGS)
def test_a_supplier_without_scorecard_or_facts(lang: str) -> None:
    bare = Supplier(id=1, workspace_id=1, name=EVIL, name_key="x")
    drawn = draw(
        Reply("supplier_card", card=view.supplier_card(SupplierCard(bare, dict(DEFAULT_WEIGHTS), [], {}, []))), lang
    )
    assert_user_text_inert(drawn)
    assert ("no facts recorded yet" if lang == "en" else "尚未记录任何信息") in drawn.text
    assert "/supplier score" in drawn.text and "/supplier score" in drawn.mrkdwn


@pytest.mark.parametrize("lang", LANGS)
def test_the_weights_card(lang: str) -> None:
    """Only numbers and catalogue text: nothing anyone typed is shown."""
    reply = Reply(
        "supplier_weights", card=view.weights_card(dict(DEFAULT_WEIGHTS), notice=Text("supplier.weights.set"))
    )
    drawn = draw(reply, lang)
    quality = "Quality: 30%" if lang == "en" else "质量: 30%"
    assert quality in drawn.text and quality in drawn.mrkdwn and quality in drawn.lark_text
    assert "Σ" in drawn.text and ("Weights saved." if lang == "en" else "权重已保存。") in drawn.text


@pytest.mark.parametrize("lang", LANGS)
def test_a_comparison_shows_user_text_as_typed_everywhere(lang: str) -> None:
    found = Compared(
        [Scored(supplier(2, "星达", category=None), None), Scored(supplier(1), scorecard(1))], dict(DEFAULT_WEIGHTS)
    )
    drawn = draw(Reply("supplier_compare", card=view.compare_card(found)), lang)
    assert_user_text_inert(drawn, in_summary=False)
    first = drawn.text.index("1. " + EVIL)
    assert first < drawn.text.index("星达 · " + ("not scored yet" if lang == "en" else "尚未评分"))
    assert f"{EVIL} 4 ★ · 星达 —" in drawn.text  # quality: the best score starred, no score a dash
    assert drawn.mrkdwn.count("★") == len(CRITERIA)


def page_of(items: list[Scored], *, total: int, more: bool) -> SupplierPage:
    return SupplierPage(items, total, more, dict(DEFAULT_WEIGHTS))


@pytest.mark.parametrize("lang", LANGS)
def test_a_page_of_the_list_shows_user_text_as_typed_everywhere(lang: str) -> None:
    total = view.PAGE_SIZE + 2
    found = page_of([Scored(supplier(), scorecard()), Scored(supplier(2, "星达"), None)], total=total, more=False)
    reply = view.list_page(found, page=2)
    drawn = draw(reply, lang)
    assert_user_text_inert(drawn, in_summary=False)
    first = view.PAGE_SIZE + 1
    counted = f"{first}–{total} of {total}" if lang == "en" else f"第 {first}–{total} 条，共 {total} 条"
    assert counted in drawn.text and any(counted in m["text"] for m in drawn.slack)
    assert [b.action for b in reply.buttons] == [view.PAGE_ACTION] and reply.buttons[0].payload == {"p": 1}


@pytest.mark.parametrize("lang", LANGS)
def test_the_largest_page_fits_every_platform(lang: str) -> None:
    """PAGE_SIZE suppliers whose every field is at its longest, in characters each platform must escape."""
    items = [
        Scored(supplier(n, "<" * 120, category="*" * 60, city="[" * 60), scorecard(n)) for n in range(view.PAGE_SIZE)
    ]
    reply = view.list_page(page_of(items, total=10_000, more=True), page=3)
    drawn = draw(reply, lang)  # every Slack message passes check_blocks, every Lark card check_card
    assert len(drawn.slack) == 1 and len(drawn.lark) == 1  # a page is one message
    assert drawn.text.count("<" * 120) == view.PAGE_SIZE
    assert drawn.mrkdwn.count("&lt;" * 120) == view.PAGE_SIZE
    assert drawn.lark_text.count("&#60;" * 120) == view.PAGE_SIZE
    assert [b.payload for b in reply.buttons] == [{"p": 2}, {"p": 4}]


def test_an_empty_list() -> None:
    drawn = draw(view.list_page(page_of([], total=0, more=False), page=1), "en")
    assert "No suppliers yet" in drawn.text and "No suppliers yet" in drawn.mrkdwn


def test_the_list_pages_with_buttons(console: ConsoleDriver) -> None:
    for n in range(view.PAGE_SIZE + 5):
        console.send(f"/supplier add s{n:02}")
    first = console.send("/supplier list")
    assert f"1–{view.PAGE_SIZE} of {view.PAGE_SIZE + 5}" in first and "s00" in first
    assert f"s{view.PAGE_SIZE:02}" not in first and "[1] Next ›" in first
    second = console.send("1")
    assert f"{view.PAGE_SIZE + 1}–{view.PAGE_SIZE + 5} of {view.PAGE_SIZE + 5}" in second
    assert f"s{view.PAGE_SIZE:02}" in second and "s00" not in second and "[1] ‹ Previous" in second
    assert "1–" in console.send("1")
