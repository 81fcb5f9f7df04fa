"""Every feature's digest sections as they are posted: by the real scheduler to the Slack-like server,
drawn in the channel's language, within Block Kit limits however much happened, and nothing posted on
a day when only standing lists (the top five, requests still waiting, reviews still overdue) remain."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import time_machine
from slack_sdk.models.blocks import Block

from bot.render.block_kit import check_blocks
from tests.digest.support import advance, digest_now, runs, say, section, slack_messages, summaries, text_of
from tests.support.console import ConsoleDriver
from tests.support.slack_requests import block_text


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_the_scheduler_posts_every_features_news_in_chinese_and_stays_quiet_the_next_day(
    slack_runtime, schedulers, engine, fake_slack
):
    with time_machine.travel(utc(2026, 6, 1, 0, 0), tick=True) as clock:
        say(slack_runtime, "schedule 09:30 Asia/Shanghai daily market=DE")  # 01:30 UTC
        say(slack_runtime, "lang zh")
        scheduler = schedulers.start()
        advance(clock, utc(2026, 6, 1, 1, 30, 5), scheduler)  # nothing yet: not posted
        clock.move_to(utc(2026, 6, 1, 2, 0))
        say(slack_runtime, "add DE A+ page market=DE", root="req")
        say(slack_runtime, "REQ-1 reach=4000 impact=2 confidence=80 effort=1.5", root="score")
        say(slack_runtime, "add JP bundle market=JP", root="req")
        say(slack_runtime, "REQ-2 reach=90000 impact=3 confidence=100 effort=1", root="score")
        say(slack_runtime, "settings adhoc_approvers=on", root="pm")  # li is a plain member, named ad hoc
        say(slack_runtime, "submit REQ-1 <@U2|li>", root="req")
        say(
            slack_runtime,
            "add EUR/CNY swing category=fx likelihood=3 impact=4 market=DE review=2026-06-01",
            root="risk",
        )
        say(slack_runtime, "add JP recall category=quality likelihood=4 impact=4 market=JP", root="risk")
        say(slack_runtime, "add DE title test market=DE metric=cvr baseline=3% mde=10% method=fixed", root="exp")
        say(slack_runtime, "result EXP-1 control=44000/1320 variant=45000/1500", root="exp")
        advance(clock, utc(2026, 6, 2, 1, 30, 5), scheduler)
        [posted] = summaries(fake_slack)
        pages = [c for c in fake_slack.calls_to("chat.postMessage") if c.body.get("thread_ts")]
        advance(clock, utc(2026, 6, 3, 1, 30, 5), scheduler)  # nothing new: the lists still stand
        assert len(summaries(fake_slack)) == 1
    summary = block_text(posted.body)
    for count in ("待审批：1 项", "新增风险：1 个", "新启动的实验：1 个", "实验结果提醒：1 个"):
        assert count in summary
    thread = "\n".join(block_text(p.body) for p in pages)
    assert "*REQ-1* DE A+ page — 已等待 23 小时 30 分钟 · 还有 1 位审批人未处理 · <@U1>" in thread
    assert "*RISK-1* EUR/CNY swing — 高（12 分） · 汇率 · DE · <@U1>" in thread
    assert "*RISK-1* EUR/CNY swing — 应于 2026-06-01 复核，已逾期 1 天 · <@U1>" in thread
    assert "*EXP-1* DE title test — 已启动 · 2 组 · 计划样本 106,364 人 · DE · <@U1>" in thread
    assert "*EXP-1* DE title test — 样本比例失衡（SRM，p = 0.0008）" in thread
    assert "需求池前 5 名（按 RICE）" in thread and "*REQ-1* DE A+ page — RICE 评分 4,266.7 · 已评估 · DE" in thread
    assert "RISK-2" not in thread and "REQ-2" not in thread  # JP
    for page in pages:
        check_blocks(page.body["blocks"])
    assert [r.state for r in runs(engine) if r.kind == "scheduled"] == ["empty", "posted", "empty"]


def test_busy_sections_are_paged_within_block_kit_limits_in_both_languages(console: ConsoleDriver, engine):
    with time_machine.travel(utc(2026, 6, 1, 1, 0), tick=True) as clock:
        for n in range(1, 13):
            console.send(f"/req add scored {n} market=DE")
            console.send(f"/score REQ-{n} reach={100 * n} impact=1 confidence=100 effort=1")
        clock.move_to(utc(2026, 6, 1, 2, 0))
        console.send("/digest now")
        clock.move_to(utc(2026, 6, 1, 3, 0))
        for n in range(1, 13):  # the order turns round: every place in the top ten changes
            console.send(f"/score REQ-{n} reach={100 * (13 - n)}")
        long = "<&> 很长的标题 " * 15
        console.send("/pm settings adhoc_approvers=on")  # li is a plain member, named ad hoc
        for n in range(13, 143):  # 130 waiting for approval
            console.send(f"/req add {long}{n} market=DE")
            console.send(f"/req submit REQ-{n} @li")
        for n in range(1, 131):  # 130 new risks
            console.send(f"/risk add {long}{n} category=fx likelihood=3 impact=4 market=DE")
        for n in range(1, 41):  # 40 experiments started
            console.send(f"/exp add {long[:100]}{n} metric=cvr baseline=3% mde=10% market=DE")
            console.send(f"/exp start EXP-{n}")
        clock.move_to(utc(2026, 6, 1, 4, 0))
        digest = digest_now(engine, lang="zh-CN")
    assert digest.news
    for lang in ("en", "zh-CN"):
        messages = slack_messages(digest, lang)
        assert len(messages) >= 4
        for message in messages:
            check_blocks(message["blocks"])
            assert Block.parse_all(message["blocks"])
            assert len(message["blocks"]) <= 50
            assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in message["blocks"])
            assert len(json.dumps(message["blocks"], ensure_ascii=False).encode()) < 30_000
    thread = "\n".join(block_text(m) for m in slack_messages(digest, "en")[1:])
    assert "&lt;&amp;&gt;" in thread and "<&>" not in thread.replace("&lt;&amp;&gt;", "")
    assert thread.count("…and 30 more") == 2  # 100 waiting and 100 new risks are listed, then a count
    assert all(thread.count(f"*RISK-{n}* ") == 1 for n in range(1, 101)) and "*RISK-101* " not in thread
    assert all(thread.count(f"*EXP-{n}* ") == 1 for n in range(1, 41))
    text = text_of(digest, "zh-CN")
    assert "• 前十名变动：12 项" in text and "• 待审批：130 项" in text and "• 新增风险：130 个" in text
    assert "• 新启动的实验：40 个" in text
    summary = text.split("\n详情 1/")[0]
    counts = [
        "• 新需求：130 个",
        "• 待审批：130 项",
        "• 前十名变动：12 项",
        "• 新增风险：130 个",
        "• 新启动的实验：40 个",
    ]
    assert sorted(counts, key=summary.index) == counts  # in the order of the sections in the thread
    assert section(text, "前十名变动")[:2] == [
        "• REQ-1 scored 1 — 进入前十，排第 1 名 · RICE 评分 100 → 1,200 · @mei",
        "• REQ-2 scored 2 — 进入前十，排第 2 名 · RICE 评分 200 → 1,100 · @mei",
    ]
