"""Every risk reply drawn from its card on Slack, Lark and the console, in English and Chinese: what
someone typed (a title, a reason, an action, a playbook step) is shown as typed and can never ping,
link or format; the register and the figures at their largest page fit every message."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from bot.i18n import catalog
from bot.render.block_kit import check_blocks
from bot.render.lark import LarkRenderer
from bot.render.lark_card import MAX_CARD_BYTES, card_bytes, check_card
from bot.render.slack import SlackRenderer
from bot.render.text import TextRenderer
from bot.render.viewer import Viewer
from handlers.core.reply import Reply, Text
from handlers.risks import cards as view_of
from handlers.risks.steps import Step
from models.audit import AuditEntry
from models.costs.fx import Converted, Rate
from models.risks.indicator import Figure, RiskAlert
from models.risks.mitigation import RiskMitigation
from models.risks.queries import AlertCard, Exposure, FigurePage, ListItem, RiskCard, RiskPage, Watch
from models.risks.risk import Risk, RiskView
from tests.fakes.slack_api import FakeSlack
from tests.support.lark_requests import card_text
from tests.support.slack_requests import SlackSender, block_text, button, buttons

TYPED = "<!channel> <https://evil.example|Approve here> *x* _y_ [a](http://b) <at id=all></at>"
LANGS = ("en", "zh-CN")
NOW = datetime(2026, 1, 2, 9, 30, tzinfo=UTC)
TODAY = date(2026, 1, 5)
PEOPLE = {1: ("U1", "ana"), 2: ("U2", "li")}


def risk(**values: Any) -> Risk:
    fields: dict[str, Any] = {
        "id": 1,
        "workspace_id": 1,
        "number": 3,
        "title": TYPED,
        "category": "logistics",
        "likelihood": 4,
        "impact": 4,
        "score": 16,
        "status": "open",
        "reporter_id": 1,
        "owner_id": 2,
        "exposure_amount": Decimal("120000"),
        "exposure_currency": "USD",
        "review_every_days": 7,
        "next_review": date(2026, 1, 1),
    }
    return Risk(**{**fields, **values})


def action(position: int, text: str, *, done: bool = False) -> RiskMitigation:
    return RiskMitigation(
        risk_id=1,
        position=position,
        text=text,
        owner_id=2,
        due=date(2026, 2, 1),
        done_at=NOW if done else None,
        created_by=1,
    )


def drawn(reply: Reply, lang: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str]:
    viewer = Viewer(lang, "Asia/Shanghai")
    slack = SlackRenderer().messages(reply, viewer)
    lark = LarkRenderer().cards(reply, viewer)
    for message in slack:
        check_blocks(message["blocks"])
    for card in lark:
        check_card(card)
        assert card_bytes(card) <= MAX_CARD_BYTES
    return slack, lark, TextRenderer().message(reply, viewer)


def lark_markdown(card: dict[str, Any]) -> str:
    """The markdown Lark parses (the header and summary are plain text and never parsed)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("tag") == "markdown":
                found.append(node["content"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card.get("body"))
    return "\n".join(found)


def assert_inert(reply: Reply, *, times: int = 1, in_summary: bool = False) -> None:
    """TYPED appears (at least `times` times outside a plain-text header) and stays text on every
    platform, in both languages."""
    for lang in LANGS:
        slack, lark, text = drawn(reply, lang)
        mrkdwn = "\n".join(block_text(m, ("mrkdwn",)) for m in slack)
        assert "<!channel>" not in mrkdwn and "<https://evil" not in mrkdwn
        assert mrkdwn.count("&lt;!channel&gt; &lt;https://evil.example|Approve here&gt;") >= times, mrkdwn
        for message in slack:
            assert "<!channel>" not in message["text"] and "<https://evil" not in message["text"]
        if in_summary:
            assert "&lt;!channel&gt;" in slack[0]["text"]
        markdown = "\n".join(lark_markdown(c) for c in lark)
        assert "<at id=all>" not in markdown and "[a](http://b)" not in markdown and "<https://" not in markdown
        assert "*x*" not in markdown and markdown.count("&#42;x&#42;") >= times
        assert markdown.count("&#60;at id=all&#62;") >= times, markdown
        assert text.count(TYPED) >= max(times, 1), text


def full_card(**values: Any) -> RiskCard:
    item = risk(acknowledged_by=2, playbook_started_at=NOW, close_reason=TYPED, **values)
    actions = [action(1, TYPED, done=True), action(2, "book a second forwarder")]
    history = [AuditEntry(workspace_id=1, actor_id=1, entity="risk", entity_id=1, action="risk_ack", at=NOW)]
    rate = Rate("USD", "CNY", Decimal("7.2"), date(2026, 1, 1), NOW)
    return RiskCard(
        RiskView(item, ("DE", "US")),
        actions,
        PEOPLE,
        Exposure("USD", Decimal("120000"), "CNY", Converted(Decimal("864000"), rate)),
        "REQ-1",
        detail=True,
        history=history,
        scores=[12, 16],
        watches=[Watch("fx.USDCNY", "above", Decimal("7.3"), Decimal("7.41"), True)],
        own_playbook=[{"text": TYPED, "days": 2}, {"text": "Tell CS", "days": None}],
    )


def test_the_risk_card_shows_typed_text_as_typed() -> None:
    data = full_card()
    reply = Reply("risk_card", card=view_of.risk_card(data, today=TODAY, notice=Text("risk.closed", {"key": "RISK-3"})))
    # The title (in the summary and the body when the header is plain text), the close reason, an
    # action, a step of the workspace's own playbook.
    assert_inert(reply, times=3, in_summary=True)
    slack, lark, _ = drawn(reply, "en")
    shown = block_text(slack[0])
    for expected in (
        "RISK-3 closed.",
        "4 × 4 = 16 (high)",
        "<@U2>",
        "CNY 864,000 (from USD 120,000 at 7.2 (the team's rate of 2026-01-01))",
        "every 7 days, next 2026-01-01 · overdue",
        "REQ-1",
        "Acknowledged by <@U2>",
        "Playbook started",
        "#1 ✓ ",
        "#2 book a second forwarder · <@U2> · due 2026-02-01",
        "fx.USDCNY above 7.3 · now 7.41 · past the threshold",
        "Score history: 12 → 16",
        "Playbook for logistics",
        "2. Tell CS",
        "History:\n2026-01-02 17:30 <@U1> acknowledged",
    ):
        assert expected in shown, expected
    assert lark[0]["header"]["template"] == "orange"
    zh = card_text(drawn(reply, "zh-CN")[1][0])
    assert "评分" in zh and "应对措施" in zh and "预警指标" in zh and "评分历史: 12 → 16" in zh


def test_an_unmitigated_grave_risk_is_flagged_and_the_fields_say_none() -> None:
    data = RiskCard(RiskView(risk(score=20, likelihood=5, exposure_amount=None), ()), [], PEOPLE, None, None)
    reply = Reply("risk_card", card=view_of.risk_card(data, today=date(2025, 12, 1)))
    assert_inert(reply, times=0, in_summary=True)  # the title is in the header (plain text) and the summary
    text = drawn(reply, "en")[2]
    assert "! No mitigation yet for a critical risk" in text
    assert "Markets: —" in text and "Exposure: —" in text and "Requirement: —" in text
    assert "overdue" not in text


def register(count: int, **values: Any) -> RiskPage:
    items = [
        ListItem(RiskView(risk(id=n, number=n, **values), tuple(f"{c}X"[:2] for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ")),
                 Exposure("USD", Decimal("123456789.12")), (40, 7))
        for n in range(1, count + 1)
    ]  # fmt: skip
    return RiskPage(items, total=count * 9, more=True, people=PEOPLE)


def test_the_register_shows_typed_titles_as_typed() -> None:
    found = register(2, status="accepted")
    reply = view_of.list_page(found, page=1, filters={"band": "high"}, today=TODAY)
    assert_inert(reply, times=2)
    text = drawn(reply, "en")[2]
    assert "1–2 of 18 · gravest first" in text
    assert "4 × 4 = 16 (high) · logistics · AX, BX" in text and "accepted · 7/40 actions done · Review overdue" in text
    assert [b.label.key for b in reply.buttons] == ["common.next_page"]
    assert "共 18 条" in card_text(drawn(reply, "zh-CN")[1][0])


def test_an_empty_register_says_so() -> None:
    reply = view_of.list_page(RiskPage([], 0, False, {}), page=1, filters={}, today=TODAY)
    for lang in LANGS:
        assert drawn(reply, lang)[2].strip()
    assert "No risks match." in drawn(reply, "en")[2] and reply.buttons == []


@pytest.mark.parametrize("lang", LANGS)
def test_the_largest_register_page_fits_every_message(lang: str) -> None:
    """Ten risks with the longest titles, escaped four or five times longer, each with 26 markets."""
    found = register(view_of.PAGE_SIZE, title="<" * 200, score=20, likelihood=5, impact=4)
    reply = view_of.list_page(found, page=2, filters={"status": "all"}, today=TODAY)
    slack, lark, _ = drawn(reply, lang)  # each message and card checked
    assert len(slack) == 1 and len(lark) == 1
    shown = card_text(lark[0])
    assert shown.count("**RISK-") == view_of.PAGE_SIZE
    assert ("11–20 of 90" if lang == "en" else "第 11–20 条，共 90 条") in shown
    assert [b.label.key for b in reply.buttons] == ["common.prev_page", "common.next_page"]


@pytest.mark.parametrize("lang", LANGS)
def test_the_largest_risk_card_is_sent_whole_in_as_many_messages_as_it_needs(lang: str) -> None:
    item_values = {"title": "<" * 200, "score": 25, "likelihood": 5, "impact": 5}
    data = full_card(**item_values)
    steps = [{"text": "*" * 300, "days": 3} for _ in range(12)]
    actions = [action(n, "<" * 1000, done=n % 2 == 1) for n in range(1, 41)]
    data = replace(data, actions=actions, own_playbook=steps)
    reply = Reply("risk_card", card=view_of.risk_card(data, today=TODAY))
    slack, lark, text = drawn(reply, lang)  # every message and card checked
    assert "#40 " in "\n".join(block_text(m) for m in slack)
    assert "#40 " in "\n".join(card_text(c) for c in lark)
    assert "#40 " + "<" * 1000 in text  # whole: a card too long for one message is split, never cut


def test_the_matrix_draws_every_band_and_count() -> None:
    cells = [(5, 5), (5, 5), (1, 3), (3, 4)]
    reply = view_of.matrix_reply(cells, effects=[])
    for lang in LANGS:
        slack, lark, text = drawn(reply, lang)
        assert "🟥 2" in block_text(slack[0]) and "🟥 2" in card_text(lark[0]) and "🟥 2" in text
    text = drawn(reply, "en")[2]
    assert "4 open or accepted risks" in text
    assert "🟥 critical (20–25): 2 · 🟧 high (10–16): 1 · 🟨 medium (5–9): 0 · 🟩 low (1–4): 1" in text
    assert "No open risks to draw." in drawn(view_of.matrix_reply([], effects=[]), "en")[2]
    assert "中 (5–9): 1" in drawn(view_of.matrix_reply([(1, 5)], effects=[]), "zh-CN")[2]


def test_a_playbook_shows_the_workspaces_own_steps_as_typed() -> None:
    reply = view_of.playbook_reply("fx", [Step(TYPED, 2), Step("Tell CS", None)], own=True)
    assert_inert(reply)
    text = drawn(reply, "en")[2]
    assert f"1. {TYPED} (+2d)" in text and "2. Tell CS\n" in text and "Edited by this workspace." in text
    built_in = view_of.playbook_reply("fx", [Step(Text("risk.playbook.fx.step1"), 1)], own=False)
    step = catalog().t("zh-CN", "risk.playbook.fx.step1")
    zh = drawn(built_in, "zh-CN")[2]
    assert (
        f"1. {step} ({catalog().t('zh-CN', 'risk.playbook.due_in', days=1)})" in zh
        and catalog().t("zh-CN", "risk.playbook.builtin", category="fx").replace("`", "") in zh
    )


def alert(**values: Any) -> AlertCard:
    found = RiskAlert(id=5, workspace_id=1, risk_id=1, figure_name="fx.USDCNY", direction="below",
                      threshold=Decimal("7.0"), value=Decimal("6.95"), at=NOW, **values)  # fmt: skip
    return AlertCard(found, RiskView(risk(likelihood=3, score=12), ()), PEOPLE)


def test_a_threshold_alert_shows_the_risk_title_as_typed() -> None:
    card = view_of.alert_card(
        alert(raised_by=1, raised_at=NOW), notice=Text("risk.raise_stale", {"key": "RISK-3", "likelihood": 3})
    )
    reply = Reply("risk_alert", card=card)
    assert_inert(reply)
    slack, lark, text = drawn(reply, "en")
    assert "Early warning: fx.USDCNY is 6.95, below 7.0" in text and "Likelihood raised by @ana" in text
    assert "Likelihood 3 × impact 4 = 12 (high) · owner <@U2>" in block_text(slack[0])
    assert lark[0]["header"]["template"] == "red"
    assert "预警：fx.USDCNY 为 6.95，低于 7.0" in drawn(reply, "zh-CN")[2]


def test_a_review_reminder_shows_the_title_as_typed() -> None:
    reply = view_of.review_due_reply(risk(next_review=date(2026, 1, 3)), today=TODAY)
    assert_inert(reply, in_summary=True)
    assert "The review of RISK-3" in drawn(reply, "en")[2] and "(2 days ago)" in drawn(reply, "en")[2]
    assert "*RISK-3*" in block_text(drawn(reply, "en")[0][0])
    assert "应于 2026-01-03 复盘（已逾期 2 天）" in drawn(reply, "zh-CN")[2]
    assert [b.label.key for b in reply.buttons] == ["risk.button.reviewed"]


def figures(count: int, name: str = "fx.USDCNY") -> list[Figure]:
    return [
        Figure(workspace_id=1, key=name.casefold(), name=name, value=Decimal("-12345678901234.123456"),
               source="http" if n % 2 else "command", updated_at=NOW)
        for n in range(count)
    ]  # fmt: skip


def test_the_figures_are_drawn_inert() -> None:
    """A figure's name is checked when it is stored; drawn, it is text all the same."""
    reply = view_of.figure_page_reply(FigurePage(figures(2, TYPED), 2, False), page=1)
    assert_inert(reply, times=2)
    text = drawn(reply, "en")[2]
    assert "1–2 of 2" in text and "= -12345678901234.123456 · 2026-01-02 17:30 · via HTTP" in text
    assert "经命令" in drawn(reply, "zh-CN")[2]
    empty = view_of.figure_page_reply(FigurePage([], 0, False), page=1)
    assert "No figures yet" in drawn(empty, "en")[2] and empty.buttons == []


@pytest.mark.parametrize("lang", LANGS)
def test_the_largest_page_of_figures_fits_every_message(lang: str) -> None:
    longest = "fx." + "A" * 77
    found = FigurePage(figures(view_of.FIGURE_PAGE_SIZE, longest), 400, True)
    reply = view_of.figure_page_reply(found, page=3, replace_original=True)
    slack, lark, _ = drawn(reply, lang)  # each message and card checked
    assert len(slack) == 1 and len(lark) == 1
    shown = card_text(lark[0])
    assert shown.count(f"`{longest}`") == view_of.FIGURE_PAGE_SIZE
    assert ("51–75 of 400" if lang == "en" else "第 51–75 条，共 400 条") in shown
    assert [(b.label.key, b.payload) for b in reply.buttons] == [
        ("common.prev_page", {"p": 2}),
        ("common.next_page", {"p": 4}),
    ]
    assert reply.replace_original


def test_the_push_token_is_code_to_copy() -> None:
    reply = view_of.token_reply(TYPED)
    assert_inert(reply)
    slack, lark, text = drawn(reply, "en")
    assert '`{"name": "fx.USDCNY", "value": 7.41}`' in block_text(slack[0])
    assert lark[0]["header"]["template"] == "orange"
    assert "Keep it secret" in text and "令牌只显示这一次" in drawn(reply, "zh-CN")[2]


def test_the_figures_page_with_buttons_that_replace_the_message(slack: SlackSender, fake_slack: FakeSlack) -> None:
    for n in range(view_of.FIGURE_PAGE_SIZE + 3):
        slack.command(f"figure fx.C{n:02} {n}", command="/pm")
    first = slack.command("figure", command="/pm").json()
    assert "1–25 of 28" in block_text(first) and "`fx.C00` = 0" in block_text(first)
    assert [b["text"]["text"] for b in buttons(first)] == ["Next ›"]
    assert slack.click(button(first, "Next ›")).status_code == 200
    [posted] = fake_slack.wait_for("response_url")
    assert posted.body["replace_original"] is True
    assert "26–28 of 28" in block_text(posted.body) and "`fx.C27` = 27" in block_text(posted.body)
    assert [b["text"]["text"] for b in buttons(posted.body)] == ["‹ Previous"]


def test_the_register_pages_with_buttons_that_replace_the_message(slack: SlackSender, fake_slack: FakeSlack) -> None:
    for n in range(view_of.PAGE_SIZE + 2):
        slack.command(f"add r{n} category=fx likelihood=2 impact=2", command="/risk")
    first = slack.command("list", command="/risk").json()
    assert "1–10 of 12 · gravest first" in block_text(first)
    slack.click(button(first, "Next ›"))
    [posted] = fake_slack.wait_for("response_url")
    assert posted.body["replace_original"] is True and "11–12 of 12" in block_text(posted.body)
