"""Every feature's JOBS run in the scheduler process: each in its own transaction, its deliveries
carried out through the workspace's platform, channel posts drawn in the delivery's language."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import time_machine
from sqlmodel import Session, select

from handlers.core.jobs import Delivery, JobSpec
from handlers.core.reply import DirectMessage, PostToChannel, Reply
from models.requirements.requirement import Requirement
from models.workspace import Member, Workspace
from tests.digest.support import advance, say
from tests.support.slack_requests import block_text


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def announce_new(db: Session, now: datetime) -> list[Delivery]:
    """A job as a feature would write it: announce requirements logged in the last ten minutes."""
    found = db.exec(select(Requirement).where(Requirement.created_at > now - timedelta(minutes=10))).all()
    deliveries = []
    for item in found:
        reply = Reply.message("req.added", key=item.key)
        deliveries.append(Delivery(item.workspace_id, PostToChannel(reply, "C7"), lang="zh-CN"))
        deliveries.append(Delivery(item.workspace_id, DirectMessage(item.requester_id, reply)))
    return deliveries


ANNOUNCE = JobSpec("test.announce", timedelta(minutes=5), announce_new)


def test_a_features_job_runs_on_its_interval_and_its_deliveries_are_posted(
    slack_runtime, schedulers, engine, fake_slack
):
    with time_machine.travel(utc(2026, 6, 1, 8, 0), tick=True) as clock:
        scheduler = schedulers.start(jobs=(ANNOUNCE,))
        say(slack_runtime, "add 德国站A+页面", root="req", user="U5")
        clock.move_to(utc(2026, 6, 1, 8, 5, 1))
        scheduler.aps.wakeup()
        posts = fake_slack.wait_for("chat.postMessage", 2)
        advance(clock, utc(2026, 6, 1, 8, 5, 2), scheduler)
    channel_post, dm = sorted(posts, key=lambda c: c.body["channel"])
    assert channel_post.body["channel"] == "C7" and "已登记 REQ-1。" in block_text(channel_post.body)
    assert dm.body["channel"] == "U5" and "REQ-1 logged." in block_text(dm.body)  # the member's language


def test_a_refused_delivery_is_retried_and_one_without_a_platform_is_logged(
    slack_runtime, schedulers, engine, fake_slack, caplog
):
    with Session(engine) as db:
        console = Workspace(platform="console", external_id="console")
        db.add(console)
        db.commit()
        db.refresh(console)
    post = Delivery(console.id, PostToChannel(Reply.message("req.added", key="REQ-9"), "console"))
    say(slack_runtime, "me", root="pm", user="U5")
    with Session(engine) as db:
        slack_member = db.exec(select(Member).where(Member.external_id == "U5")).one()
    dm = Delivery(slack_member.workspace_id, DirectMessage(slack_member.id, Reply.message("req.added", key="REQ-9")))
    scheduler = schedulers.start(delivery_retries=(0.05,))
    fake_slack.script("chat.postMessage", 500, {"ok": False, "error": "internal_error"})
    with caplog.at_level(logging.WARNING, logger="bot.scheduler"):
        assert scheduler.deliver("test", dm) is True
        assert scheduler.deliver("test", post) is False
    assert len(fake_slack.calls_to("chat.postMessage")) == 2
    messages = [r.getMessage() for r in caplog.records]
    assert any("attempt 1 failed; retrying" in m for m in messages)
    assert any("no notifier for workspace" in m for m in messages)
