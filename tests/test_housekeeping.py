"""The scheduler's tidying jobs forget event ids and claimed requests once no platform can still retry
them, and the states of install attempts nobody finished."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import text
from sqlmodel import Session, select

from handlers import JOBS
from models.base import utcnow
from models.processed_event import ProcessedEvent
from models.request_claim import RequestClaim, request_key


def test_old_event_ids_are_pruned_and_recent_ones_kept(engine) -> None:
    now = utcnow()
    with Session(engine) as db:
        db.add(ProcessedEvent(platform="slack", event_id="old", received_at=now - timedelta(days=3)))
        db.add(ProcessedEvent(platform="lark", event_id="recent", received_at=now - timedelta(hours=7)))
        db.commit()
    [job] = [j for j in JOBS if j.name == "events.prune"]
    with Session(engine) as db:
        assert job.run(db, now) == []
        db.commit()
    with Session(engine) as db:
        assert db.exec(select(ProcessedEvent.event_id)).all() == ["recent"]


def test_old_request_claims_are_pruned_by_the_same_job(engine) -> None:
    now = utcnow()
    with Session(engine) as db:
        db.add(RequestClaim(platform="slack", key=request_key("command", "old"), claimed_at=now - timedelta(days=3)))
        db.add(RequestClaim(platform="lark", key=request_key("event", "recent"), claimed_at=now - timedelta(hours=7)))
        db.commit()
    [job] = [j for j in JOBS if j.name == "events.prune"]
    with Session(engine) as db:
        job.run(db, now)
        db.commit()
    with Session(engine) as db:
        assert db.exec(select(RequestClaim.key)).all() == [request_key("event", "recent")]


def test_states_of_unfinished_installs_are_pruned_once_expired_and_live_ones_kept(engine) -> None:
    """Issued by slack_sdk's own state store, as the install page does, ten minutes apart."""
    store = SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine)
    with time_machine.travel(utcnow() - timedelta(minutes=30)):
        abandoned = store.issue()
    live = store.issue()
    [job] = [j for j in JOBS if j.name == "slack_states.prune"]
    with Session(engine) as db:
        assert job.run(db, utcnow()) == []
        db.commit()
    assert store.consume(abandoned) is False
    assert store.consume(live) is True
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM slack_oauth_states")).scalar_one() == 0
