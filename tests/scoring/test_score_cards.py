"""The score card, score history, ranked backlog and market weights drawn from their cards on Slack,
Lark and the console, in English and Chinese: typed text stays inert, the largest pages fit."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from handlers.core.card import Card
from handlers.core.reply import Reply
from handlers.scoring import cards as view
from models.requirements.requirement import Requirement, RequirementView
from models.scoring.queries import HistoryPage, ScoreView
from models.scoring.ranking import By, Ranked, RankedPage
from models.scoring.rice import Budget, RiceInputs
from models.scoring.score import Current, ScoreEntry
from tests.support.console import ConsoleDriver
from tests.support.hostile import EVIL, LANGS, assert_inert, draw

NOW = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
LONG = "x" * 150  # longer than a header holds, so that the whole title is drawn in the card's body too


def requirement(title: str = f"{EVIL} {LONG}") -> RequirementView:
    return RequirementView(Requirement(id=1, workspace_id=1, number=1, title=title, requester_id=1), ("DE", "US"))


def full_score() -> ScoreView:
    rice = RiceInputs(4200, Decimal(2), 80, Decimal("1.5"), {"DE": 1200, "US": 3000})
    current = Current(
        rice=rice,
        rice_value=Decimal("4480"),
        weighted=Decimal("2000"),
        ice=(8, 7, 6),
        moscow="must",
    )
    return ScoreView(current, weighted_on=True)


def view_reply(kind: str, card: Card) -> Reply:
    return Reply(kind, card=card)


def test_the_score_card_shows_every_method_with_what_it_was() -> None:
    was = {"rice": "1,600", "ice": "6", "moscow": "should"}
    card = view.score_card(requirement("DE A+ page"), full_score(), was=was, notice=None)
    for lang in LANGS:
        drawn = draw(view_reply("score_card", card), lang)
        text = drawn.text
        assert "== REQ-1 · DE A+ page ==" in text
        assert "RICE 4,480 = 4,200 × 2 × 80% ÷ 1.5" in text and "ICE 336 = 8 × 7 × 6" in text
        assert "DE 1,200 · US 3,000" in text and "2,000" in text
        assert "*RICE 4,480* = 4,200 × 2 × 80% ÷ 1.5 _(" in drawn.mrkdwn
        assert "**MoSCoW**" in drawn.markdown
    english = draw(view_reply("score_card", card), "en").text
    assert "(was 1,600)" in english and "MoSCoW Must (was Should)" in english and "weighted RICE 2,000" in english
    chinese = draw(view_reply("score_card", card), "zh-CN").text
    assert "MoSCoW" in chinese and "1,600" in chinese


def test_the_score_card_keeps_typed_text_inert() -> None:
    assert_inert(view_reply("score_card", view.score_card(requirement(), full_score())), in_summary=False)
    assert_inert(view_reply("score_card", view.score_card(requirement(), None)), in_summary=False)  # not scored


def history_page(entries: int, *, name: str = "ana", total: int | None = None) -> HistoryPage:
    """Re-scores by turns RICE (reach split over 30 markets), ICE and MoSCoW."""
    split = {f"M{n:02}": 1000 for n in range(30)}
    kinds = [
        ("rice", {"reach": 30000, "impact": "2", "confidence": 80, "effort": "1.5", "by_market": split}, "40000"),
        ("ice", {"impact": 8, "confidence": 7, "ease": 6}, "336"),
        ("moscow", {}, "must"),
    ]
    rows = []
    for n in range(entries):
        method, inputs, value = kinds[n % 3]
        rows.append(
            ScoreEntry(
                id=n, workspace_id=1, requirement_id=1, actor_id=1, method=method, inputs=inputs, value=value, at=NOW
            )
        )
    return HistoryPage(rows, total=total or entries, offset=0, people={1: ("U" + "1" * 30, name)})


def test_score_history_keeps_typed_text_inert() -> None:
    # The history names people (a mention on Slack and Lark, the name as typed in the console).
    reply = view.history_reply(requirement(), history_page(3, name=EVIL))
    assert_inert(reply, typed=f"@{EVIL}", in_markup=False, in_summary=False)


@pytest.mark.parametrize("lang", LANGS)
def test_the_largest_history_page_fits_every_platform(lang: str) -> None:
    reply = view.history_reply(requirement(), history_page(view.HISTORY_PAGE_SIZE, total=5000))
    drawn = draw(reply, lang)  # every Slack message passes check_blocks, every Lark card check_card
    assert len(drawn.slack) == 1 and len(drawn.lark) == 1
    assert drawn.mrkdwn.count("M29 1,000") == 7  # every row of the page, whole
    assert ("1–20 of 5000" if lang == "en" else "第 1–20 条，共 5000 条") in drawn.text
    assert [b.action for b in reply.buttons] == [view.HISTORY_ACTION]


def ranked(title: str, count: int = 50, *, offset: int = 0) -> RankedPage:
    owner = ("U" + "2" * 30, "li")
    items = [
        Ranked(offset + n, n, f"REQ-{n}", title, "triaged", Decimal("1234567.8"), "must", owner)
        for n in range(1, count + 1)
    ]
    return RankedPage(items, 1000, True, True, Budget(Decimal(7), Decimal(10), 3), None)


def test_the_ranked_backlog_keeps_typed_text_inert() -> None:
    reply = view.top_reply(ranked(EVIL, 3), by=By.WEIGHTED, market="DE", size=3, offset=0)
    assert_inert(reply, in_summary=False)


@pytest.mark.parametrize("lang", LANGS)
def test_the_largest_ranked_page_fits_and_is_whole(lang: str) -> None:
    reply = view.top_reply(ranked("<" * 1000, offset=50), by=By.RICE, market=None, size=50, offset=50)
    drawn = draw(reply, lang)
    assert len(drawn.lark) == 1  # a page fits one card, its titles shortened
    assert drawn.markdown.count("**REQ-") == 50 and "100. **REQ-50**" in drawn.markdown
    assert drawn.mrkdwn.count("*REQ-") == 50 and "51. *REQ-1*" in drawn.mrkdwn  # split, never cut
    assert ("51–100 of 1000+" if lang == "en" else "51–100") in drawn.text
    assert [b.action for b in reply.buttons] == [view.TOP_ACTION, view.TOP_ACTION]  # back and on


def test_market_weights_keep_typed_text_inert() -> None:
    card = view.weights_card({EVIL: Decimal("0.5"), "DE": Decimal("0.5")}, notice=None)
    assert_inert(view_reply("market_weights", card), in_summary=False)
    assert "尚未设置市场权重" in draw(view_reply("market_weights", view.weights_card({})), "zh-CN").text


def test_history_pages_through_every_rescore(console: ConsoleDriver) -> None:
    console.send("/req add thing")
    for n in range(1, 26):
        console.send(f"/score REQ-1 reach={n * 100} impact=1 confidence=100 effort=1")
    first = console.send("/score history REQ-1")
    assert "1–20 of 25" in first and "RICE 2,500 = 2,500 × 1 × 100% ÷ 1" in first and "[1] Next ›" in first
    assert "RICE 500 =" not in first
    second = console.send("1")
    assert "21–25 of 25" in second and "RICE 100 = 100 × 1 × 100% ÷ 1" in second and "[1] ‹ Previous" in second
    assert "RICE 2,500 =" not in second
