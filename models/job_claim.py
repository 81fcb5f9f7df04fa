"""Periodic jobs claimed per (job, slot), so that two clocks run each slot of a job once. The claim is
inserted in the job's own transaction: it exists exactly when the job's work was committed, and a
clock that comes second (waiting on the unique key, then finding it taken) does nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Field, Session, SQLModel

from models.base import UTCDateTime, dialect_insert, utcnow

KEEP_FOR = timedelta(days=2)


class JobClaim(SQLModel, table=True):
    __tablename__ = "job_claim"

    job: str = Field(primary_key=True, max_length=64)
    slot: datetime = Field(primary_key=True, sa_type=UTCDateTime)
    owner: str = Field(max_length=128)
    claimed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


def slot_of(now: datetime, every: timedelta) -> datetime:
    """The start of the period of length `every` (counted from the Unix epoch) that `now` falls in."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return epoch + every * ((now - epoch) // every)


def claim_job(*, db: Session, job: str, slot: datetime, owner: str) -> bool:
    """True for the first clock to claim this slot of the job; False for every other."""
    stmt = (
        dialect_insert(db, JobClaim)
        .values(job=job, slot=slot, owner=owner, claimed_at=utcnow())
        .on_conflict_do_nothing(index_elements=["job", "slot"])
        .returning(JobClaim.job)
    )
    return db.exec(stmt).first() is not None


def prune_job_claims(*, db: Session, now: datetime | None = None) -> int:
    cutoff = (now or utcnow()) - KEEP_FOR
    result = db.exec(delete(JobClaim).where(JobClaim.claimed_at < cutoff))  # type: ignore[arg-type]
    return result.rowcount
