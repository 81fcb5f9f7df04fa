"""Digests and standups on Lark: the real scheduler (APScheduler, driven through time travel) posts a Lark
chat's digest exactly once, the summary in the chat and the details as replies to it, through the one
registry of platforms built from Lark settings; `/digest now`, `/digest preview` and `/standup` typed in a
Lark group through /lark/events; the scheduler process with only Lark configured."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from bot.db import make_engine
from bot.delivery import Platforms
from bot.lark.client import make_client
from bot.lark.notifier import LarkNotifier
from bot.render.lark import LarkRenderer
from bot.runtime import Caller, Outcome, Runtime
from bot.scheduler import Scheduler
from handlers import REGISTRY
from models.base import utcnow
from models.chat_message import ChatMessage
from models.standup.answer import StandupAnswer
from tests.digest.support import advance, backdate_schedule, runs
from tests.fakes.lark_api import APP_ID, APP_SECRET, Call, FakeLark
from tests.lark.conftest import lark_settings
from tests.support.lark_requests import LarkSender, buttons, card_text

CHAT = "oc_product"
SLOT = datetime(2026, 6, 2, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def say(runtime: Runtime, line: str, *, user: str = "ou_ana") -> Outcome:
    """A line typed in the Lark group, through the runtime the Lark front end uses."""
    root, _, rest = line.lstrip("/").partition(" ")
    return runtime.command(Caller("lark", "tenant_acme", user, channel_ref=CHAT), root, rest)


class LarkSchedulers:
    """Real schedulers, each with its own engine and its own registry built from Lark settings."""

    def __init__(self, database_url: str, fake: FakeLark) -> None:
        self.database_url = database_url
        self.fake = fake
        self.started: list[tuple[Scheduler, Engine]] = []

    def start(self) -> Scheduler:
        engine = make_engine(self.database_url)
        platforms = Platforms.from_settings(lark_settings(self.database_url, self.fake), engine)
        assert platforms.names == {"lark"}
        scheduler = Scheduler(engine, platforms, jobs=()).start()
        scheduler.wait_idle(0)
        self.started.append((scheduler, engine))
        return scheduler

    def stop(self) -> None:
        for scheduler, engine in self.started:
            scheduler.shutdown(wait=True)
            engine.dispose()


@pytest.fixture
def lark_runtime(engine: Engine) -> Runtime:
    return Runtime(engine, REGISTRY)


@pytest.fixture
def lark_schedulers(engine: Engine, database_url: str, fake_lark: FakeLark) -> Iterator[LarkSchedulers]:
    fake_lark.reset()
    started = LarkSchedulers(database_url, fake_lark)
    yield started
    started.stop()


def summaries(fake: FakeLark) -> list[Call]:
    """Digest summaries sent into the chat as messages of their own."""
    return [
        c
        for c in fake.calls_to("im.message.create")
        if c.body.get("receive_id") == CHAT and card_text(c.card).startswith(("站会日报", "Standup digest"))
    ]


def replies_to(fake: FakeLark, message_id: str) -> list[Call]:
    return [c for c in fake.calls_to("im.message.reply") if c.path_id == message_id]


def tracked_runs(engine: Engine) -> list[str]:
    with Session(engine) as db:
        return list(db.exec(select(ChatMessage.message_ref).where(ChatMessage.entity == "digest_run")).all())


def wait_until(check: Callable[[], list[Any]], timeout: float = 5.0) -> list[Any]:
    deadline = time.monotonic() + timeout
    while not (found := check()) and time.monotonic() < deadline:
        time.sleep(0.02)
    return found


def test_two_schedulers_post_a_lark_chats_digest_once_with_its_details_replying_to_it(
    lark_runtime, lark_schedulers, engine, fake_lark
):
    with time_machine.travel(utc(2026, 6, 1, 12, 0), tick=True) as clock:
        assert say(lark_runtime, "/digest schedule 09:30 Asia/Shanghai daily").reply.kind == "digest_settings"
        for n in range(3):
            say(lark_runtime, f"/req add 商品 {n} market=US")
        say(lark_runtime, "/standup y: 上架 t: 广告 b: 等供应商报价")
        first, second = lark_schedulers.start(), lark_schedulers.start()
        advance(clock, SLOT + timedelta(seconds=2), first, second)
        advance(clock, SLOT + timedelta(seconds=3), second, first)
        advance(clock, SLOT + timedelta(days=1, seconds=2), first, second)  # a quiet day: nothing
    [summary] = summaries(fake_lark)
    shown = card_text(summary.card)
    assert summary.query["receive_id_type"] == "chat_id"
    assert "站会日报 · 2026-06-02 周二" in shown and "新需求：3 个" in shown
    assert "⛔ <at id=ou_ana></at>: 等供应商报价" in shown
    message_id = summary.answer["data"]["message_id"]
    [page] = replies_to(fake_lark, message_id)
    assert "**REQ-1** 商品 0" in card_text(page.card) and "等供应商报价" in card_text(page.card)
    assert len(fake_lark.calls_to("im.message.create", "im.message.reply")) == 2  # posted once, not twice
    [posted, quiet] = runs(engine)
    assert (posted.state, posted.parts_done, posted.message_ref) == ("posted", 2, message_id)
    assert quiet.state == "empty"


def test_an_unreachable_lark_chat_fails_once_and_tells_who_set_the_schedule(
    lark_runtime, lark_schedulers, engine, fake_lark
):
    with time_machine.travel(utc(2026, 6, 1, 12, 0), tick=True) as clock:
        say(lark_runtime, "/digest schedule 09:30 Asia/Shanghai daily")
        say(lark_runtime, "/req add 商品 market=US")
        scheduler = lark_schedulers.start()
        fake_lark.script("im.message.create", 200, {"code": 230002, "msg": "Bot/User can NOT be out of the chat."})
        advance(clock, SLOT + timedelta(seconds=1), scheduler)
    [run] = runs(engine)
    assert run.state == "failed" and "unreachable" in run.note
    refused, told = fake_lark.calls_to("im.message.create")
    assert refused.body["receive_id"] == CHAT and told.body["receive_id"] == "ou_ana"
    assert "我不在这个群里" in card_text(told.card) and "/invite" not in card_text(told.card)


def test_a_digest_whose_answer_never_came_is_never_posted_again(lark_runtime, engine, database_url, fake_lark):
    """Lark may have the message when its answer is late: the run is marked interrupted, not retried."""
    fake_lark.reset()
    slow = make_engine(database_url)
    notifier = LarkNotifier(make_client(lark_settings(database_url, fake_lark), timeout=0.5), LarkRenderer())
    scheduler = Scheduler(slow, Platforms.of(slow, {"lark": notifier}), jobs=()).start()
    try:
        with time_machine.travel(utc(2026, 6, 1, 12, 0), tick=True) as clock:
            say(lark_runtime, "/digest schedule 09:30 Asia/Shanghai daily")
            say(lark_runtime, "/req add 商品 market=US")
            fake_lark.hold("im.message.create", 2.0)
            advance(clock, SLOT + timedelta(seconds=1), scheduler)
            advance(clock, SLOT + timedelta(minutes=10), scheduler)  # retries and take-overs would come by now
    finally:
        scheduler.shutdown(wait=True)
        slow.dispose()
    [run] = runs(engine)
    assert run.state == "interrupted" and "may have arrived" in run.note
    assert len(fake_lark.calls_to("im.message.create")) == 1


def test_digest_now_typed_in_lark_posts_the_summary_and_replies_the_details_to_it(
    lark: LarkSender, fake_lark: FakeLark, engine
):
    lark.message("/req add 德国站 A+ 页面 market=DE")
    lark.message("/standup y: 上架 t: 广告 b: none")
    assert lark.message("/digest now", message_id="om_ask_digest").status_code == 200
    # In a group the bot answers a command by replying to it; the details reply to the summary.
    [summary] = wait_until(lambda: replies_to(fake_lark, "om_ask_digest"))
    assert "新需求：1 个" in card_text(summary.card) and "站会回答：1 人（0 人有阻塞）" in card_text(summary.card)
    summary_id = summary.answer["data"]["message_id"]
    [page] = wait_until(lambda: replies_to(fake_lark, summary_id))
    assert "**REQ-1** 德国站 A+ 页面" in card_text(page.card) and "上架" in card_text(page.card)
    [run] = runs(engine)
    assert (run.kind, run.state, run.parts_done) == ("now", "posted", 2)
    assert wait_until(lambda: tracked_runs(engine)) == [summary_id]  # the next digest starts where this one ended


def test_standup_typed_in_lark_is_saved_and_a_preview_goes_one_to_one(lark: LarkSender, fake_lark: FakeLark, engine):
    lark.message("/standup y: 上架 <b>新品</b> t: 投放广告 b: 等 **供应商** 报价", message_id="om_standup")
    [saved] = fake_lark.sent()
    assert saved.path_id == "om_standup"
    shown = card_text(saved.card)
    assert "已保存你" in shown and "上架 &#60;b&#62;新品&#60;/b&#62;" in shown and "&#42;&#42;供应商&#42;&#42;" in shown
    with Session(engine) as db:
        row = db.exec(select(StandupAnswer)).one()
    assert (row.channel_ref, row.yesterday, row.blockers) == (CHAT, "上架 <b>新品</b>", "等 **供应商** 报价")
    lark.message("/digest preview")
    preview, notice = sorted(fake_lark.sent(count=3)[1:], key=lambda c: c.name)
    assert preview.body["receive_id"] == "ou_ana" and preview.query["receive_id_type"] == "open_id"
    assert "预览，仅你可见。" in card_text(preview.card) and "站会回答：1 人（1 人有阻塞）" in card_text(preview.card)
    assert card_text(notice.card) == "已私聊发给你。"


def test_standup_alone_opens_a_card_form_whose_submission_is_stored(lark: LarkSender, fake_lark: FakeLark, engine):
    lark.message("/standup")
    [sent] = fake_lark.sent()
    [form] = [e for e in sent.card["body"]["elements"] if e["tag"] == "form"]
    assert [e["name"] for e in form["elements"] if e.get("tag") == "input"] == ["yesterday", "today", "blockers"]
    refused = lark.submit(sent.card, {"yesterday": "", "today": "", "blockers": ""}, message_id="om_form").json()
    assert refused["toast"]["type"] == "error"
    done = lark.submit(sent.card, {"yesterday": "", "today": "给 3PL 打电话", "blockers": "无"}).json()
    assert done["toast"]["type"] == "success"
    assert "✅ 已保存你" in card_text(done["card"]["data"]) and "给 3PL 打电话" in card_text(done["card"]["data"])
    with Session(engine) as db:
        row = db.exec(select(StandupAnswer)).one()
    assert (row.channel_ref, row.today, row.yesterday, row.blockers) == (CHAT, "给 3PL 打电话", None, None)
    assert buttons(done["card"]["data"]) == []


def states_now(engine) -> list[str] | None:
    """The digest runs' states, or None while the scheduler process holds SQLite's write lock (it migrates
    and claims on start; on a loaded machine that can outlast the busy timeout of this poll)."""
    try:
        return [r.state for r in runs(engine)]
    except OperationalError:
        return None


def test_the_scheduler_process_with_only_lark_configured_posts_to_lark(lark_runtime, engine, database_url, fake_lark):
    fake_lark.reset()
    at = (utcnow() - timedelta(minutes=5)).strftime("%H:%M")
    say(lark_runtime, f"/digest schedule {at} UTC daily")
    say(lark_runtime, "/digest always on")
    backdate_schedule(engine, utcnow() - timedelta(days=1), ref=CHAT)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "LARK_", "DATABASE_URL"))}
    env |= {
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "INFO",
        "LARK_APP_ID": APP_ID,
        "LARK_APP_SECRET": APP_SECRET,
        "LARK_DOMAIN": fake_lark.domain,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "scheduler"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and states_now(engine) != ["posted"]:
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert [r.state for r in runs(engine)] == ["posted"]
    [summary] = summaries(fake_lark)
    assert summary.token == f"t-{APP_ID}"
    assert "platforms ['lark']" in proc.stderr.read()
