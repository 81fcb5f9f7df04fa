"""What a digest says: the changes since the channel's last digest (not a dump), the top of the
backlog for the channel's markets, standup answers with blockers first; paged within Block Kit."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import time_machine
from slack_sdk.models.blocks import Block
from sqlmodel import Session

from bot.render.block_kit import check_blocks
from bot.render.slack import SlackRenderer
from bot.render.viewer import Viewer
from handlers.core.digest import DigestItem, DigestScope, DigestSection
from handlers.core.reply import Text
from handlers.digest.build import build, registered_sections
from tests.digest.support import digest_now, slack_messages, text_of
from tests.support.console import ConsoleDriver
from tests.support.slack_requests import block_text

T0 = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)


def test_the_digest_says_what_changed_since_the_channels_last_one(console: ConsoleDriver, engine):
    with time_machine.travel(T0, tick=True) as clock:
        console.send("/digest market DE,US")
        console.send("/req add DE A+ page market=DE")
        console.send("/req add US listing market=US")
        console.send("/req add JP bundle market=JP")
        console.send("/req status REQ-1 triaged")
        clock.move_to(T0 + timedelta(hours=1))
        console.send("/digest now")  # the channel's last digest
        clock.move_to(T0 + timedelta(hours=2))
        console.send("/req status REQ-2 triaged")
        console.send("/req status REQ-2 approved")
        console.send("/req status REQ-3 parked")  # JP: not this channel's market
        console.send("/req add DE returns label market=DE,AT")
        console.send("/req status REQ-4 parked")
        console.send("/req status REQ-4 new")  # away and back: still new
        clock.move_to(T0 + timedelta(hours=3))
        digest = digest_now(engine)
    assert digest.news
    assert text_of(digest) == "\n".join(
        [
            "== Standup digest · Mon 2026-06-01 ==",
            "  Since 2026-06-01 10:00 · Markets: DE, US",
            "  • New requirements: 1",
            "  • Status changes: 1",
            "  Details in the thread.",
            "Details 1/1",
            "New requirements:",
            "  • REQ-4 DE returns label — new · AT, DE · @mei",
            "Status changes:",
            "  • REQ-2 US listing — new → approved (2 steps) · @mei",
            "Top 5 of the backlog by RICE:",  # nothing scored yet: open items of DE and US by key
            "  • REQ-1 DE A+ page — not scored · triaged · DE · @mei",
            "  • REQ-2 US listing — not scored · approved · US · @mei",
            "  • REQ-4 DE returns label — not scored · new · AT, DE · @mei",
        ]
    )


def test_standup_answers_come_with_blockers_first(console: ConsoleDriver, engine):
    with time_machine.travel(T0, tick=True) as clock:
        console.send("/standup y: shipped JP bundle t: review DE copy")
        clock.move_to(T0 + timedelta(days=1))
        console.as_user("li").send("/standup y: quotes t: carrier call b: waiting for the FBA label spec")
        console.as_user("ana").send("/standup 昨天：上架 今天：广告 阻塞：无")
        clock.move_to(T0 + timedelta(days=1, minutes=5))
        with Session(engine) as db:
            scope = DigestScope(1, "console", (), T0 - timedelta(hours=1), datetime.now(UTC), 0, 0, "Asia/Shanghai")
            digest = build(db, scope, lang="en", sections=[])
    text = text_of(digest)
    assert "• Standup answers: 3 (1 with blockers)" in text
    assert "  Blockers:\n    ⛔ @li: waiting for the FBA label spec" in text
    thread = text.split("\nDetails 1/1\n")[1]
    assert thread.index("@li ⛔") < thread.index("@mei") < thread.index("@ana")
    assert "@mei (answered 2026-06-01)" in thread  # an earlier day's answer says so
    assert "Yesterday: 上架" in thread and "Blockers: 无" not in thread
    summary = slack_messages(digest)[0]
    assert "<@li>: waiting for the FBA label spec" in block_text(summary)


def test_the_digest_is_drawn_in_chinese_for_a_chinese_channel(console: ConsoleDriver, engine):
    console.send("/req add 日本站包邮门槛 market=JP")
    console.send("/req status REQ-1 triaged")
    text = text_of(digest_now(engine, lang="zh-CN"), "zh-CN")
    assert "站会日报" in text and "• 新需求：1 个" in text
    assert "REQ-1 日本站包邮门槛 — 已评估 · JP · @mei" in text
    assert "需求池前 5 名（按 RICE）" in text
    assert "REQ-1 日本站包邮门槛 — 未评分 · 已评估 · JP · @mei" in text


def test_a_busy_window_is_paged_into_thread_messages_within_block_kit_limits(console: ConsoleDriver, engine):
    with time_machine.travel(T0, tick=True):
        for n in range(450):
            console.send(f"/req add {n:03d} {'<&> ' * 40}{'x' * 30} market=DE")
        for n in range(30):
            long = "很长的回答 & <b> " * 80
            console.as_user(f"p{n}").send(f"/standup y: {long[:990]} t: {long[:990]} b: {long[:990]}")
        digest = digest_now(engine)
    messages = slack_messages(digest)
    assert len(messages) >= 5
    for message in messages:
        check_blocks(message["blocks"])
        assert Block.parse_all(message["blocks"])
        assert len(message["blocks"]) <= 50
        assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in message["blocks"])
        assert len(json.dumps(message["blocks"], ensure_ascii=False).encode()) < 30_000  # a Lark card's limit
    thread = "\n".join(block_text(m) for m in messages[1:])
    news = thread.split("Top 5 of the backlog")[0]
    shown = [n for n in range(450) if f"*REQ-{n + 1}* {n:03d} " in news]
    assert shown == list(range(200))  # the first 200, each once, then a count of the rest
    assert all(news.count(f"*REQ-{n + 1}* ") == 1 for n in range(200))
    assert "…and 250 more" in thread
    assert thread.count("⛔") == 30  # every standup answer, each in full
    assert "&lt;&amp;&gt;" in thread and "<&>" not in thread.replace("&lt;&amp;&gt;", "")
    [preview] = [SlackRenderer().message(digest.preview(), Viewer("en", "UTC"))]
    check_blocks(preview["blocks"])
    assert Block.parse_all(preview["blocks"])


def test_features_add_sections_and_standing_lists_alone_are_no_news(console: ConsoleDriver, engine):
    def risks(db, scope: DigestScope) -> DigestSection:
        item = DigestItem("RISK-3", "EUR/CNY swing", Text("status.new"), None)
        return DigestSection(
            "risk.new", Text("digest.req.new_title"), (item,), Text("digest.req.new_count", {"n": 1}), order=15
        )

    def standing(db, scope: DigestScope) -> DigestSection:
        return DigestSection("x.top", Text("digest.req.moved_title"), (DigestItem("X-1", "t"),), news=False)

    console.send("/req add first market=US")
    console.send("/digest now")
    quiet = digest_now(engine, sections=[*registered_sections(), standing])
    assert not quiet.news
    busy = digest_now(engine, sections=[*registered_sections(), risks])
    assert busy.news
    text = text_of(busy)
    assert "RISK-3 EUR/CNY swing — new" in text
    assert text.index("RISK-3") < text.index("Top 5 of the backlog")
