"""Platform event ids already handled, so that a retried delivery never acts twice."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Field, Session, SQLModel

from models.base import UTCDateTime, dialect_insert, utcnow

KEEP_FOR = timedelta(days=2)


class ProcessedEvent(SQLModel, table=True):
    __tablename__ = "processed_event"

    platform: str = Field(primary_key=True, max_length=16)
    event_id: str = Field(primary_key=True, max_length=128)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


def claim_event(*, db: Session, platform: str, event_id: str) -> bool:
    """True the first time an event id is seen, False for every retry of it."""
    stmt = (
        dialect_insert(db, ProcessedEvent)
        .values(platform=platform, event_id=event_id, received_at=utcnow())
        .on_conflict_do_nothing(index_elements=["platform", "event_id"])
        .returning(ProcessedEvent.event_id)
    )
    return db.exec(stmt).first() is not None


def prune_events(*, db: Session, now: datetime | None = None) -> int:
    cutoff = (now or utcnow()) - KEEP_FOR
    result = db.exec(delete(ProcessedEvent).where(ProcessedEvent.received_at < cutoff))  # type: ignore[arg-type]
    return result.rowcount
