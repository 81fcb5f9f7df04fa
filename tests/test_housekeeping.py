"""The scheduler's tidying job forgets event ids and claimed requests once no platform can still retry them."""

from __future__ import annotations

from datetime import timedelta

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
