"""The outbox against a Slack that fails as Slack does: every post, DM and update arrives exactly once."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.db import session_scope
from handlers.core.reply import DirectMessage, PostToChannel, Track, UpdateTracked
from models import chat_message
from models.outbox import Outbox, RateSlot
from tests.fakes.slack_api import Chaos, FakeSlack, WorkspaceTier
from tests.outbox.support import card, count, drain, put, team, worker


@pytest.fixture
def fake(fake_slack: FakeSlack) -> Iterator[FakeSlack]:
    fake_slack.reset()
    yield fake_slack
    fake_slack.reset()


def rows(engine: Engine) -> list[Outbox]:
    with session_scope(engine) as db:
        found = list(db.execute(select(Outbox).order_by(Outbox.id)).scalars())  # type: ignore[arg-type]
        db.expunge_all()
        return found


def test_under_a_30_percent_fault_schedule_every_card_dm_and_update_arrives_once(
    engine: Engine, fake: FakeSlack
) -> None:
    group = team(engine, ("U1", "en"), ("U2", "zh-CN"), ("U3", "en"))
    fake.chaos = Chaos(seed=14, rate=0.3, hang_s=1.0)
    for i in range(12):
        effect = PostToChannel(card(f"card-{i:02d}"), channel_ref=f"C{i % 3 + 1}", track=Track("requirement", i))
        put(engine, group, effect)
    for i, user in enumerate(["U1", "U2", "U3", "U2"]):
        put(engine, group, DirectMessage(group.members[user], card(f"dm-{i:02d}")))
    work = worker(engine, fake, seed=3)
    drain(work)
    for i in range(3):  # redraw three tracked cards once they are out
        put(engine, group, UpdateTracked(Track("requirement", i), card(f"updated-{i}")))
    drain(work)

    assert len(fake.chaos.injected) >= 5, fake.chaos.injected  # the schedule did bite
    assert {"hang", "reset_after"} & set(fake.chaos.injected)  # including outcomes the bot could not see
    for i in range(12):
        assert count(fake, f"card-{i:02d}") == 1, f"card-{i:02d}"
    for i in range(4):
        assert count(fake, f"dm-{i:02d}") == 1, f"dm-{i:02d}"
    assert {r.status for r in rows(engine)} == {"sent"}
    with session_scope(engine) as db:
        for i in range(3):
            [tracked] = chat_message.posted_about(
                db=db, workspace_id=group.workspace_id, entity="requirement", entity_id=i
            )
            updates = [c for c in fake.calls_to("chat.update") if c.body.get("ts") == tracked.message_ref]
            assert updates and all(f"updated-{i}" in str(c.body.get("text")) for c in updates)
    # A DM is drawn in its recipient's language.
    [dm] = [m for m in fake.posted("DU2") if "dm-01" in str(m["text"])]
    assert dm["text"].startswith("用法")


def test_past_the_deadline_the_person_who_caused_it_is_told_once_in_their_language(
    engine: Engine, fake: FakeSlack
) -> None:
    group = team(engine, ("U1", "en"), ("U2", "zh-CN"))
    fake.fail("chat.postMessage", 500, times=2)
    put(engine, group, PostToChannel(card("lost-en")), tell=group.members["U1"], within=0.05)
    put(engine, group, PostToChannel(card("lost-zh")), tell=group.members["U2"], within=0.05)
    work = worker(engine, fake, backoff_s=1.0)
    drain(work)
    drain(work)

    assert count(fake, "lost-en") == count(fake, "lost-zh") == 0
    failed = [r for r in rows(engine) if r.status == "failed"]
    assert len(failed) == 2 and all(r.told for r in failed)
    [en] = fake.posted("DU1")
    [zh] = fake.posted("DU2")
    assert "could not be delivered" in en["text"]
    assert "未能" in zh["text"]


def test_a_429_reschedules_the_row_and_holds_the_channel_for_retry_after(engine: Engine, fake: FakeSlack) -> None:
    group = team(engine, ("U1", "en"))
    fake.script("chat.postMessage", 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "30"})
    put(engine, group, PostToChannel(card("later"), channel_ref="C7"))
    before = time.time()
    work = worker(engine, fake)
    assert work.run_once() == 1
    [row] = rows(engine)
    assert row.status == "pending" and row.attempts == 1
    assert row.next_attempt_at.timestamp() >= before + 30
    with session_scope(engine) as db:
        slot = db.get(RateSlot, f"slack:{group.workspace_id}:C7")
        assert slot is not None and slot.next_free >= before + 30
    assert work.run_once() == 0  # not due: nothing is claimed, and no thread slept
    assert count(fake, "later") == 0


def test_a_burst_on_one_channel_is_spread_one_a_second_not_refused(engine: Engine, fake: FakeSlack) -> None:
    group = team(engine, ("U1", "en"))
    fake.channel_pace_s = 0.9  # as strict as Slack: a second post within the second is a 429
    for i in range(3):
        put(engine, group, PostToChannel(card(f"burst-{i}"), channel_ref="C9"))
    work = worker(engine, fake, post_interval_s=1.0)
    assert work.run_once() == 3
    first, second, third = rows(engine)
    assert first.status == "sent"
    assert second.status == third.status == "pending" and second.attempts == third.attempts == 0
    assert third.next_attempt_at.timestamp() - second.next_attempt_at.timestamp() == pytest.approx(1.0, abs=0.01)
    drain(work)
    assert [count(fake, f"burst-{i}") for i in range(3)] == [1, 1, 1]
    assert all(r.attempts == 1 for r in rows(engine))  # no post was refused on the way


def test_thread_replies_keep_the_channel_pace(engine: Engine, fake: FakeSlack) -> None:
    group = team(engine, ("U1", "en"))
    fake.channel_pace_s = 0.5  # refuses a reply sent straight after the post; leaves room for a loaded machine
    thread = tuple(card(f"page-{i}") for i in range(1, 4))
    put(engine, group, PostToChannel(card("summary"), channel_ref="C4", thread=thread))
    work = worker(engine, fake, post_interval_s=1.0, workspace_interval_s=0.0)
    drain(work)
    assert [count(fake, m) for m in ("summary", "page-1", "page-2", "page-3")] == [1, 1, 1, 1]
    assert fake.paced_refusals == 0  # each reply waited for its slot instead of being refused
    [row] = rows(engine)
    assert row.status == "sent" and row.attempts == 1


def test_a_burst_across_one_workspace_keeps_under_its_cap(engine: Engine, fake: FakeSlack) -> None:
    group = team(engine, ("U1", "en"))
    fake.workspace_tier = WorkspaceTier(per_minute=600, burst=5)  # ten a second, five at once
    for i in range(20):
        put(engine, group, PostToChannel(card(f"wide-{i:02d}"), channel_ref=f"W{i}"))
    work = worker(engine, fake, post_interval_s=1.0, workspace_interval_s=0.1)
    drain(work)
    assert [count(fake, f"wide-{i:02d}") for i in range(20)] == [1] * 20
    assert fake.workspace_tier.refused == 0
    slots = sorted(r.slot_at for r in rows(engine) if r.slot_at is not None)
    assert len(slots) >= 15 and slots[-1] - slots[0] >= 1.5  # spread at the workspace's pace
