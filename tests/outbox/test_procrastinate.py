"""The outbox on procrastinate (PostgreSQL): a row's job is written with the row, in its transaction, and
a procrastinate worker delivers through the same code as the embedded loop, exactly once under faults."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.db import session_scope
from bot.effects import Where
from bot.outbox import jobs, queue
from bot.outbox.sink import OutboxSink
from bot.render.viewer import Viewer
from handlers.core.reply import DirectMessage, PostToChannel, RefreshProfile, Track, UpdateTracked
from models import chat_message
from tests.fakes.slack_api import Chaos, FakeSlack
from tests.outbox.support import card, count, job_worker, pending, put, put_with_job, team, until, worker


@pytest.fixture
def fake(fake_slack: FakeSlack) -> Iterator[FakeSlack]:
    fake_slack.reset()
    yield fake_slack
    fake_slack.reset()


@pytest.fixture
def pg(engine: Engine) -> Engine:
    if engine.dialect.name != "postgresql":
        pytest.skip("procrastinate runs on PostgreSQL only; SQLite keeps the embedded loop")
    return engine


def queued_jobs(engine: Engine) -> list[tuple[str, str, dict[str, object]]]:
    with engine.connect() as conn:
        found = conn.execute(text("SELECT task_name, queue_name, args FROM procrastinate_jobs ORDER BY id"))
        return [(str(task), str(queue_name), dict(args)) for task, queue_name, args in found]


def outbox_rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM outbox")).scalar_one())


class Rollback(Exception):
    pass


def test_the_job_is_written_with_the_row_and_rolled_back_with_it(pg: Engine, fake: FakeSlack) -> None:
    group = team(pg, ("U1", "en"))
    with pytest.raises(Rollback), session_scope(pg) as db:
        row_id = queue.add(
            db=db,
            effect=PostToChannel(card("never")),
            platform="slack",
            team_ref="T1",
            viewer=Viewer(),
            where=Where(workspace_id=group.workspace_id, user_ref="U1", channel_ref="C1"),
        )
        jobs.defer_in(db, row_id, "slack")
        raise Rollback
    assert outbox_rows(pg) == 0 and queued_jobs(pg) == []

    kept = put_with_job(pg, group, PostToChannel(card("kept")))
    assert queued_jobs(pg) == [(jobs.TASK, "outbox_slack", {"row_id": kept})]
    with job_worker(pg, worker(pg, fake)):
        until(lambda: pending(pg) == 0)
    assert count(fake, "never") == 0 and count(fake, "kept") == 1


def test_under_a_30_percent_fault_schedule_every_card_dm_and_update_arrives_once_through_jobs(
    pg: Engine, fake: FakeSlack
) -> None:
    group = team(pg, ("U1", "en"), ("U2", "zh-CN"), ("U3", "en"))
    fake.chaos = Chaos(seed=14, rate=0.3, hang_s=1.0)
    for i in range(12):
        effect = PostToChannel(card(f"card-{i:02d}"), channel_ref=f"C{i % 3 + 1}", track=Track("requirement", i))
        put_with_job(pg, group, effect)
    for i, user in enumerate(["U1", "U2", "U3", "U2"]):
        put_with_job(pg, group, DirectMessage(group.members[user], card(f"dm-{i:02d}")))
    with job_worker(pg, worker(pg, fake, seed=3), concurrency=4):
        until(lambda: pending(pg) == 0)
        for i in range(3):  # redraw three tracked cards once they are out
            put_with_job(pg, group, UpdateTracked(Track("requirement", i), card(f"updated-{i}")))
        until(lambda: pending(pg) == 0)

    assert len(fake.chaos.injected) >= 5, fake.chaos.injected
    assert {"hang", "reset_after"} & set(fake.chaos.injected)
    for i in range(12):
        assert count(fake, f"card-{i:02d}") == 1, f"card-{i:02d}"
    for i in range(4):
        assert count(fake, f"dm-{i:02d}") == 1, f"dm-{i:02d}"
    with session_scope(pg) as db:
        for i in range(3):
            [tracked] = chat_message.posted_about(
                db=db, workspace_id=group.workspace_id, entity="requirement", entity_id=i
            )
            updates = [c for c in fake.calls_to("chat.update") if c.body.get("ts") == tracked.message_ref]
            assert updates and all(f"updated-{i}" in str(c.body.get("text")) for c in updates)


def test_rows_without_a_job_are_swept_up_and_a_duplicate_job_posts_nothing_twice(pg: Engine, fake: FakeSlack) -> None:
    group = team(pg, ("U1", "en"))
    swept = put(pg, group, PostToChannel(card("swept")))  # written with no job (as before the workers ran)
    doubled = put_with_job(pg, group, PostToChannel(card("doubled")))
    with session_scope(pg) as db:
        jobs.defer_in(db, doubled, "slack")  # a stray second job for the same row
    with job_worker(pg, worker(pg, fake)):
        until(lambda: pending(pg) == 0)
    assert swept and count(fake, "swept") == 1
    assert count(fake, "doubled") == 1


def test_the_answer_posted_by_the_front_end_commits_with_its_job(pg: Engine, fake: FakeSlack) -> None:
    """What SlackEffects.submit does with `/req add`'s in-channel card on a web process with DELIVERY=worker."""
    group = team(pg, ("U1", "en"))
    sink = OutboxSink(pg, defer=jobs.defer_in)
    where = Where(workspace_id=group.workspace_id, user_ref="U1", channel_ref="C1")
    rest = sink.put(
        [PostToChannel(card("answer")), RefreshProfile(group.members["U1"], "U1")],
        platform="slack",
        team_ref="T1",
        viewer=Viewer(),
        where=where,
        tell_member_id=None,
    )
    assert [type(e) for e in rest] == [RefreshProfile]  # what belongs to the request stays with it
    with pg.connect() as conn:
        row_ids = [int(r) for r in conn.execute(text("SELECT id FROM outbox")).scalars()]
    assert queued_jobs(pg) == [(jobs.TASK, "outbox_slack", {"row_id": row_ids[0]})] and len(row_ids) == 1
    with job_worker(pg, worker(pg, fake)):
        until(lambda: pending(pg) == 0)
    assert count(fake, "answer") == 1


def test_the_sweep_closes_a_silent_worker_s_job_and_gives_its_row_a_new_one(pg: Engine, fake: FakeSlack) -> None:
    group = team(pg, ("U1", "en"))
    row_id = put(pg, group, PostToChannel(card("orphaned")))
    with pg.begin() as conn:  # as a worker killed mid-job leaves it: beating no more, its job in `doing`
        dead = conn.execute(
            text("INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - interval '5 min') RETURNING id")
        ).scalar_one()
        conn.execute(
            text(
                "INSERT INTO procrastinate_jobs (queue_name, task_name, args, status, worker_id) "
                "VALUES ('outbox_slack', :task, CAST(:args AS jsonb), 'doing', :worker)"
            ),
            {"task": jobs.TASK, "args": f'{{"row_id": {row_id}}}', "worker": dead},
        )
    with session_scope(pg) as db:
        assert jobs.sweep(db) == 1
    with pg.connect() as conn:
        found = conn.execute(text("SELECT status FROM procrastinate_jobs ORDER BY id")).scalars()
        assert [str(s) for s in found] == ["failed", "todo"]
