"""The digest and standup cards drawn on every front end (Slack, Lark, console) in English and Chinese:
what someone typed comes out as typed and never pings, links or formats; a digest's pages each fit
one message on Slack and one card on Lark however much happened, and a card that cannot fit one
continues in more, nothing cut."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from slack_sdk.models.blocks import Block
from sqlmodel import Session

from bot.i18n import catalog
from bot.render.block_kit import check_blocks
from bot.render.lark import LarkRenderer
from bot.render.lark_card import MAX_CARD_BYTES, card_bytes, check_card
from bot.render.slack import SlackRenderer
from bot.render.text import TextRenderer
from bot.render.viewer import Viewer
from handlers.core.card import Mention
from handlers.core.digest import DigestItem, DigestScope, DigestSection
from handlers.core.reply import Reply, Text
from handlers.digest import cards
from handlers.digest.build import build
from handlers.standup import cards as standup_cards
from models.digest.queries import SettingsView
from models.digest.run import DigestRun
from models.digest.schedule import DigestChannel
from tests.support.console import ConsoleDriver
from tests.support.lark_requests import card_text
from tests.support.slack_requests import block_text

LANGS = ("en", "zh-CN")
EVIL = "<!channel> <https://evil.example|Approve here> *x* _y_ [a](http://b)"
SLACK_EVIL = "&lt;!channel&gt; &lt;https://evil.example|Approve here&gt;"
LARK_EVIL = "&#60;!channel&#62; &#60;https://evil.example|Approve here&#62; &#42;x&#42; _y_ &#91;a&#93;(http://b)"
LI = Mention("ou_li", "li")
DAY = date(2026, 6, 1)
SINCE = datetime(2026, 5, 31, 1, 30, tzinfo=UTC)


def summary(**changes: object) -> cards.Summary:
    values: dict[str, object] = {
        "day": DAY,
        "since": SINCE,
        "markets": ("DE", "US"),
        "counts": (Text("digest.req.new_count", {"n": 1}), Text("digest.standup.count", {"n": 1, "blocked": 1})),
        "blockers": (cards.Blocker(LI, EVIL),),
        "more_blockers": 2,
        "threaded": True,
        "nothing": False,
    }
    return cards.Summary(**{**values, **changes})  # type: ignore[arg-type]


def page(index: int = 1, total: int = 2) -> cards.Page:
    lines = cards.LinesSection(
        Text("digest.req.new_title"), (cards.DigestLine("REQ-1", EVIL, Text("status.new"), LI),), more=3
    )
    answers = cards.StandupSection(
        Text("digest.standup.title"), (cards.StandupEntry(LI, DAY - timedelta(days=1), EVIL, "ads", EVIL),)
    )
    return cards.Page(index, total, DAY, (lines, answers))


def settings_view() -> SettingsView:
    channel = DigestChannel(
        workspace_id=1,
        channel_ref="oc_product",
        enabled=True,
        at_time="09:30",
        tz="Asia/Shanghai",
        days="mon,wed,fri",
        markets="DE,US",
        remind_minutes=30,
        lang="zh-CN",
    )
    last = DigestRun(workspace_id=1, channel_ref="oc_product", kind="scheduled", state="posted", covers_until=SINCE)
    skips = tuple(DAY + timedelta(days=n) for n in range(1, 13))
    return SettingsView(channel, skips, last, datetime(2026, 6, 1, 1, 30, tzinfo=UTC))


# Each kind with the user text it carries (None: it shows nothing anyone typed).
REPLIES = {
    "digest_summary": (lambda: cards.summary_reply(summary(), lang=None), EVIL),
    "digest_page": (lambda: cards.page_reply(page(), lang=None), EVIL),
    "digest_preview": (lambda: cards.preview_reply(summary(), [page(1, 3), page(2, 3)], lang=None), EVIL),
    "digest_settings": (lambda: cards.settings_reply(settings_view(), notice=Text("digest.saved")), None),
    "digest_unreachable": (lambda: cards.unreachable_reply("oc_product", "lark"), None),
    "standup_saved": (
        lambda: standup_cards.saved_reply(DAY, True, {"yesterday": EVIL, "today": EVIL, "blockers": None}),
        EVIL,
    ),
    "standup_reminder": (lambda: standup_cards.reminder_reply("oc_product", "09:30", "Asia/Shanghai", 30), None),
}


def lark_markdown(card: dict) -> str:
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("tag") == "markdown":
                found.append(node["content"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card["body"])
    return "\n".join(found)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", sorted(REPLIES))
def test_each_kind_is_drawn_everywhere_and_user_text_stays_inert(kind: str, lang: str) -> None:
    make, typed = REPLIES[kind]
    reply = make()
    assert reply.kind == kind and reply.card is not None
    viewer = Viewer(lang, "Asia/Shanghai")

    messages = SlackRenderer().messages(reply, viewer)
    assert len(messages) == 1
    [message] = messages
    check_blocks(message["blocks"])
    assert Block.parse_all(message["blocks"])
    shown = block_text(message)
    for text in (shown, message["text"]):
        assert "<!channel>" not in text and "<https://evil.example" not in text
        assert not re.search(r"<@(?!ou_li>)", text)  # no mention but the person the card names
    if typed:
        assert SLACK_EVIL in shown

    cards_drawn = LarkRenderer().cards(reply, viewer)
    assert len(cards_drawn) == 1
    [card] = cards_drawn
    check_card(card)
    markdown = lark_markdown(card)
    assert set(re.findall(r"<at[^>]*>", markdown)) <= {"<at id=ou_li>"}
    assert "](http" not in markdown and "<!channel>" not in markdown and "**x**" not in markdown
    assert "/invite" not in card_text(card)  # Lark's own wording where it differs
    if typed:
        assert LARK_EVIL in markdown

    console = TextRenderer().message(reply, viewer)
    assert console.strip()
    if typed:
        assert EVIL in console  # as typed


def test_the_summary_and_a_page_read_in_order_on_the_console() -> None:
    viewer = Viewer("en", "Asia/Shanghai")
    assert TextRenderer().message(cards.summary_reply(summary(), lang=None), viewer).splitlines() == [
        "== Standup digest · Mon 2026-06-01 ==",
        "  Since 2026-05-31 09:30 · Markets: DE, US",
        "  • New requirements: 1",
        "  • Standup answers: 1 (1 with blockers)",
        "  Blockers:",
        f"    ⛔ @li: {EVIL}",
        "    …and 2 more in the thread",
        "  Details in the thread.",
    ]
    assert TextRenderer().message(cards.page_reply(page(), lang=None), viewer).splitlines() == [
        "Details 1/2",
        "New requirements:",
        f"  • REQ-1 {EVIL} — new · @li",
        "  …and 3 more",
        "Standup answers",
        f"@li ⛔ (answered 2026-05-31): Yesterday: {EVIL}",
        "  Today: ads",
        f"  Blockers: {EVIL}",
    ]


def test_a_quiet_digest_says_nothing_happened() -> None:
    quiet = summary(counts=(), blockers=(), more_blockers=0, threaded=False, nothing=True, markets=())
    text = TextRenderer().message(cards.summary_reply(quiet, lang=None), Viewer("zh-CN", "Asia/Shanghai"))
    assert "上一期以来没有新变化。" in text and "阻塞" not in text and "话题" not in text


def test_settings_show_the_schedule_in_its_own_zone_and_count_skipped_dates_beyond_ten() -> None:
    text = TextRenderer().message(cards.settings_reply(settings_view()), Viewer("en", "Europe/Berlin"))
    assert "Schedule: 09:30 Asia/Shanghai, on Mon, Wed, Fri" in text
    assert "Next: Mon 2026-06-01 09:30 (Asia/Shanghai)" in text  # the schedule's zone, as it says
    assert "Skipped dates: 2026-06-02, " in text and "2026-06-11 (and 2 more)" in text
    assert "Last digest: 2026-05-31 03:30 (posted)" in text  # the viewer's zone
    assert "Language: zh-CN" in text and "Reminder: 30 min before" in text
    never = TextRenderer().message(cards.settings_reply(SettingsView(None, (), None, None)), Viewer("en"))
    assert "No schedule." in never and "Markets: all" in never and "Next:" not in never


def test_a_digest_that_cannot_be_posted_is_worded_for_the_platform() -> None:
    slack = SlackRenderer().message(cards.unreachable_reply("C42", "slack"), Viewer("en"))
    assert ":warning: I could not post the standup digest in <#C42>" in block_text(slack)
    assert "/invite @Tradewind" in block_text(slack) and "<#C42>" in slack["text"]
    lark = card_text(LarkRenderer().card(cards.unreachable_reply("oc_42", "lark"), Viewer("zh-CN")))
    assert "我不在这个群里" in lark and "/invite" not in lark
    console = TextRenderer().message(cards.unreachable_reply("C42", "console"), Viewer("en"))
    assert "in #C42:" in console


# ---- the largest pages ----------------------------------------------------------------------------

ANGLES = "<&> 很长的标题 [x] *y* " * 20


def crowded(db: Session, scope: DigestScope) -> list[DigestSection]:
    """Two sections at their largest, of titles that escaping makes several times longer."""
    items = tuple(DigestItem(f"REQ-{n}", f"{ANGLES}{n}", Text("status.new"), 1) for n in range(1, 201))
    count = Text("digest.req.new_count", {"n": 450})
    return [
        DigestSection("x.new", Text("digest.req.new_title"), items, count, total=450),
        DigestSection("x.moved", Text("digest.req.moved_title"), items[:120], order=20),
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_of_a_crowded_digest_fits_one_slack_message_and_one_lark_card(
    console: ConsoleDriver, engine, lang: str
) -> None:
    start = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=True):
        for n in range(40):
            long = "很长的回答 & <b> [x] " * 80
            console.as_user(f"p{n}").send(f"/standup y: {long[:990]} t: {long[:990]} b: {long[:990]}")
        with Session(engine) as db:
            scope = DigestScope(1, "console", (), start - timedelta(hours=1), datetime.now(UTC), 0, 0, "UTC")
            digest = build(db, scope, lang=lang, sections=[crowded])
    viewer = Viewer(lang, "Asia/Shanghai")
    assert len(digest.pages) > 5
    slack_text = ""
    for reply in [*digest.parts, digest.preview()]:
        [message] = SlackRenderer().messages(reply, viewer)  # each page is one message: never continued
        check_blocks(message["blocks"])
        assert Block.parse_all(message["blocks"])
        [card] = LarkRenderer().cards(reply, viewer)
        check_card(card)
        assert card_bytes(card) <= MAX_CARD_BYTES
        if reply.kind == "digest_page":
            slack_text += block_text(message) + "\n"
    assert all(slack_text.count(f"*REQ-{n}* ") == 2 for n in range(1, 121))  # new, then moved
    assert all(slack_text.count(f"*REQ-{n}* ") == 1 for n in range(121, 201))
    assert slack_text.count(catalog().t(lang, "digest.page.more", n=250)) == 1
    assert slack_text.count("⛔") == 40  # every answer, whole
    assert "&lt;&amp;&gt;" in slack_text and "<&>" not in slack_text


@pytest.mark.parametrize("lang", LANGS)
def test_a_page_too_big_for_one_card_continues_in_more_with_nothing_cut(lang: str) -> None:
    """Pages are sized to fit (above); one built by hand beyond that is drawn in several messages."""
    who = Mention("ou_" + "a" * 30, "ana")
    answers = tuple(cards.StandupEntry(who, DAY, "*" * 900, "<" * 900, "[" * 900) for _ in range(12))
    big = cards.Page(1, 1, DAY, (cards.StandupSection(Text("digest.standup.title"), answers),))
    crowded_summary = summary(blockers=(cards.Blocker(who, "<" * 1000),) * 5, more_blockers=7)
    viewer = Viewer(lang, "Asia/Shanghai")
    continued = catalog().t(lang, "common.continued", index=2, total=9)[:4]
    for reply in (cards.page_reply(big, lang=lang), cards.preview_reply(crowded_summary, [big, big], lang=lang)):
        drawn = LarkRenderer().cards(reply, viewer)
        assert len(drawn) > 1
        for card in drawn:
            check_card(card)
            assert card_bytes(card) <= MAX_CARD_BYTES
        text = "\n".join(card_text(card) for card in drawn)
        people = 12 + (5 if reply.kind == "digest_preview" else 0)  # every answer, every blocker shown
        assert text.count("<at id=ou_") == people
        for part in ("yesterday", "today", "blockers"):  # every part of every answer
            assert text.count(f"**{catalog().t(lang, f'standup.field.{part}')}:**") == 12
        assert all(card_text(card).startswith(continued) or i == 0 for i, card in enumerate(drawn))
        messages = SlackRenderer().messages(reply, viewer)
        for message in messages:
            check_blocks(message["blocks"])
            assert Block.parse_all(message["blocks"])
        assert "\n".join(block_text(m) for m in messages).count("<@ou_") == people


def test_no_digest_reply_is_left_on_the_template_path() -> None:
    reply: Reply = REPLIES["digest_page"][0]()
    assert reply.card is not None
