"""What the bot is to say, stored with the change that caused it, until a worker has said it.

One row per outgoing effect. A worker claims due rows under a lease (`locked_until`), so that a worker
that dies mid-delivery lets another take the row when the lease runs out; PostgreSQL skips rows
another worker holds (FOR UPDATE SKIP LOCKED), SQLite has one writer at a time anyway.

`rate_slot` is the limiter every worker shares: the next free moment per key (a channel, a workspace's
method), moved on by one atomic UPDATE ... RETURNING, so that a burst is spread out, never refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Float, Index, Text, and_, or_, select, text, update
from sqlmodel import Field, Session, SQLModel

from models.base import UTCDateTime, dialect_insert, utcnow


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Outbox(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (
        Index(
            "ix_outbox_due",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=24)  # post | direct | update | upload | ...: the effect's type
    platform: str = Field(max_length=16)
    workspace_id: int | None = Field(default=None, index=True)
    target: str = Field(max_length=200)  # the channel (or person) it goes to: the per-channel limit's key
    payload: str = Field(sa_column=Column(Text, nullable=False))  # bot/outbox/codec.py JSON
    status: str = Field(default=OutboxStatus.PENDING, max_length=8)
    attempts: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    deadline: datetime = Field(sa_type=UTCDateTime)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    first_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    slot_at: float | None = Field(default=None, sa_column=Column(Float, nullable=True))  # a reserved post slot
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    result: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # JSON: progress, message ids
    error: str | None = Field(default=None, max_length=500)
    tell_member_id: int | None = None  # who caused it, told once if it cannot be delivered
    told: bool = False


class RateSlot(SQLModel, table=True):
    __tablename__ = "rate_slot"

    key: str = Field(primary_key=True, max_length=200)
    next_free: float = Field(sa_column=Column(Float, nullable=False))  # epoch seconds


@dataclass(frozen=True)
class Claimed:
    id: int
    kind: str
    platform: str
    workspace_id: int | None
    target: str
    payload: str
    attempts: int
    deadline: datetime
    first_attempt_at: datetime
    slot_at: float | None
    result: dict[str, Any]
    tell_member_id: int | None


def enqueue(
    *,
    db: Session,
    kind: str,
    platform: str,
    workspace_id: int | None,
    target: str,
    payload: str,
    within: timedelta,
    tell_member_id: int | None = None,
    not_before: datetime | None = None,
) -> int:
    """Store one effect in the caller's transaction; it goes out only if that transaction commits."""
    now = utcnow()
    row = Outbox(
        kind=kind,
        platform=platform,
        workspace_id=workspace_id,
        target=target[:200],
        payload=payload,
        next_attempt_at=not_before or now,
        deadline=(not_before or now) + within,
        tell_member_id=tell_member_id,
    )
    db.add(row)
    db.flush()
    assert row.id is not None
    return row.id


def claim_due(
    *,
    db: Session,
    lease: timedelta,
    platforms: frozenset[str],
    limit: int = 20,
    now: datetime | None = None,
) -> list[Claimed]:
    """Due rows for the platforms the caller can speak on that nobody holds, leased to the caller until
    `now + lease`; the caller commits."""
    now = now or utcnow()
    free = or_(Outbox.locked_until.is_(None), Outbox.locked_until < now)  # type: ignore[union-attr]
    due = (
        select(Outbox)
        .where(and_(Outbox.status == OutboxStatus.PENDING, Outbox.next_attempt_at <= now, free))
        .where(Outbox.platform.in_(sorted(platforms)))  # type: ignore[attr-defined]
        # Rows already begun first (a digest's thread after its summary), then by when they fell due.
        .order_by(Outbox.first_attempt_at.is_(None), Outbox.next_attempt_at, Outbox.id)  # type: ignore[union-attr,arg-type]
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = [_lease(row, now, lease) for row in db.execute(due).scalars()]
    db.flush()
    return claimed


def claim_one(
    *, db: Session, outbox_id: int, lease: timedelta, now: datetime | None = None
) -> Claimed | datetime | None:
    """Row `outbox_id` leased to the caller when it is due and nobody holds it, by the rules of
    `claim_due`; when it is not due yet, when to look at it again; None when there is nothing for the
    caller to do (sent, failed, gone, or held by another worker, who decides what comes next)."""
    now = now or utcnow()
    found = db.execute(
        select(Outbox).where(Outbox.id == outbox_id).with_for_update(skip_locked=True)  # type: ignore[arg-type]
    ).scalar_one_or_none()
    if found is None or found.status != OutboxStatus.PENDING:
        return None
    if found.locked_until is not None and found.locked_until >= now:
        return None
    if found.next_attempt_at > now:
        return found.next_attempt_at
    claimed = _lease(found, now, lease)
    db.flush()
    return claimed


def _lease(row: Outbox, now: datetime, lease: timedelta) -> Claimed:
    row.locked_until = now + lease
    row.attempts += 1
    row.first_attempt_at = row.first_attempt_at or now
    assert row.id is not None and row.first_attempt_at is not None
    return Claimed(
        id=row.id,
        kind=row.kind,
        platform=row.platform,
        workspace_id=row.workspace_id,
        target=row.target,
        payload=row.payload,
        attempts=row.attempts,
        deadline=row.deadline,
        first_attempt_at=row.first_attempt_at,
        slot_at=row.slot_at,
        result=json.loads(row.result) if row.result else {},
        tell_member_id=row.tell_member_id,
    )


def save_progress(*, db: Session, outbox_id: int, result: dict[str, Any]) -> None:
    """What has gone out so far (a post's message id, thread replies sent), kept for a retry."""
    db.execute(update(Outbox).where(Outbox.id == outbox_id).values(result=json.dumps(result)))  # type: ignore[arg-type]


def mark_sent(*, db: Session, outbox_id: int, result: dict[str, Any]) -> None:
    db.execute(
        update(Outbox)
        .where(Outbox.id == outbox_id)  # type: ignore[arg-type]
        .values(status=OutboxStatus.SENT, sent_at=utcnow(), locked_until=None, result=json.dumps(result), error=None)
    )


def reschedule(
    *, db: Session, outbox_id: int, at: datetime, error: str | None, slot_at: float | None = None, tried: bool = True
) -> None:
    """Try again at `at` (a back-off, a Retry-After, or, not `tried`, a rate slot reserved for it)."""
    values: dict[str, Any] = {"next_attempt_at": at, "locked_until": None, "slot_at": slot_at}
    if tried:
        values["error"] = (error or "")[:500] or None
    else:
        values["attempts"] = Outbox.attempts - 1  # waiting for its turn is no attempt
    db.execute(update(Outbox).where(Outbox.id == outbox_id).values(**values))  # type: ignore[arg-type]


def mark_failed(*, db: Session, outbox_id: int, error: str) -> bool:
    """Given up; True the one time the person who caused it is still to be told."""
    db.execute(
        update(Outbox)
        .where(Outbox.id == outbox_id)  # type: ignore[arg-type]
        .values(status=OutboxStatus.FAILED, locked_until=None, error=error[:500])
    )
    told = db.execute(
        update(Outbox)
        .where(and_(Outbox.id == outbox_id, Outbox.told.is_(False), Outbox.tell_member_id.is_not(None)))  # type: ignore[arg-type,union-attr,attr-defined]
        .values(told=True)
        .returning(Outbox.id)
    )
    return told.first() is not None


def pending_count(*, db: Session) -> int:
    return int(db.execute(text("SELECT count(*) FROM outbox WHERE status = 'pending'")).scalar_one())


def next_due(*, db: Session, platforms: frozenset[str]) -> datetime | None:
    found = db.execute(
        select(Outbox.next_attempt_at)
        .where(Outbox.status == OutboxStatus.PENDING, Outbox.platform.in_(sorted(platforms)))  # type: ignore[attr-defined]
        .order_by(Outbox.next_attempt_at)  # type: ignore[arg-type]
        .limit(1)
    ).first()
    return found[0] if found else None


def take_slot(*, db: Session, key: str, interval: float, now: float) -> float:
    """The moment the caller may send on `key`, reserved for it: `now` when the key is free, later when
    others took the slots before it. Atomic across workers (one UPDATE ... RETURNING per call)."""
    db.execute(
        dialect_insert(db, RateSlot).values(key=key, next_free=now).on_conflict_do_nothing(index_elements=["key"])
    )
    granted = db.execute(
        update(RateSlot)
        .where(RateSlot.key == key)  # type: ignore[arg-type]
        .values(
            next_free=text(
                "CASE WHEN next_free < :now THEN :now + :interval ELSE next_free + :interval END"
            ).bindparams(now=now, interval=interval)
        )
        .returning(RateSlot.next_free)
    ).scalar_one()
    return float(granted) - interval


def channel_key(platform: str, workspace_id: int | None, target: str) -> str:
    return f"{platform}:{workspace_id}:{target}"


def scope_key(platform: str, workspace_id: int | None) -> str:
    """Slack limits a workspace, Lark the app (one per deployment)."""
    return f"slack:{workspace_id}" if platform == "slack" else f"{platform}:app"


def reserve(
    *,
    db: Session,
    platform: str,
    workspace_id: int | None,
    target: str,
    interval: float,
    scope_interval: float,
    now: float,
) -> float:
    """The moment reserved for the next message on a channel, inside its wider scope too: the scope's
    first free moment at or after the channel's; the channel then waits a whole interval after that,
    so its posts stay apart and in order. Every sender (outbox workers, digest posters) shares it."""
    key = channel_key(platform, workspace_id, target)
    slot = take_slot(db=db, key=key, interval=interval, now=now)
    if scope_interval > 0:
        scoped = take_slot(db=db, key=scope_key(platform, workspace_id), interval=scope_interval, now=slot)
        if scoped > slot:
            hold_key(db=db, key=key, until=scoped + interval)
            slot = scoped
    return slot


def hold_key(*, db: Session, key: str, until: float) -> None:
    """The platform said wait (a 429 with Retry-After): nobody sends on `key` before `until`."""
    db.execute(
        dialect_insert(db, RateSlot).values(key=key, next_free=until).on_conflict_do_nothing(index_elements=["key"])
    )
    db.execute(
        update(RateSlot)
        .where(and_(RateSlot.key == key, RateSlot.next_free < until))  # type: ignore[arg-type]
        .values(next_free=until)
    )
