"""Commands, clicks and form submissions already carried out, so that a replayed or retried request
(the same signed body) acts once. The claim is written in the transaction of the request's own work,
after it and only when it changed something: it exists exactly when that work was committed, and a
concurrent replay waits on its unique key, then undoes its own work. A request that only read (a list,
a page) is not claimed: its replay is answered afresh, and costs no write."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Field, Session, SQLModel

from models.base import UTCDateTime, dialect_insert, utcnow

# Slack refuses a signature older than five minutes; Lark redelivers for hours.
KEEP_FOR = timedelta(days=2)


class RequestClaim(SQLModel, table=True):
    __tablename__ = "request_claim"

    platform: str = Field(primary_key=True, max_length=16)
    key: str = Field(primary_key=True, max_length=64)  # SHA-256 of the platform's ids for the request
    claimed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


def request_key(*parts: str) -> str:
    """One fixed-length key for the ids that name a request (some of them up to 255 characters)."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def claim_request(*, db: Session, platform: str, key: str) -> bool:
    """True the first time; False when the request was already carried out. On PostgreSQL a replay
    running at the same time waits here until the first commits (then False) or rolls back (then True)."""
    stmt = (
        dialect_insert(db, RequestClaim)
        .values(platform=platform, key=key, claimed_at=utcnow())
        .on_conflict_do_nothing(index_elements=["platform", "key"])
        .returning(RequestClaim.key)
    )
    return db.exec(stmt).first() is not None


def is_claimed(*, db: Session, platform: str, key: str) -> bool:
    """Whether the request was carried out and committed already (a replay that comes after it)."""
    return db.get(RequestClaim, (platform, key)) is not None


def prune_requests(*, db: Session, now: datetime | None = None) -> int:
    cutoff = (now or utcnow()) - KEEP_FOR
    result = db.exec(delete(RequestClaim).where(RequestClaim.claimed_at < cutoff))  # type: ignore[arg-type]
    return result.rowcount
