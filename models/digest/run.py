"""Digest runs: each (workspace, channel, kind, local day) is claimed by inserting its row, so whoever
inserts it first posts that day's digest and nobody else ever does (a second scheduler, a restart,
a DST fold). The row then records how far the post got, its window, and why it was not posted."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, Integer, Text, UniqueConstraint, exists, func, update
from sqlmodel import Field, Session, SQLModel, select

from models.audit import AuditEntry
from models.base import UTCDateTime, dialect_insert, utcnow
from models.chat_message import ChatMessage

RUN_ENTITY = "digest_run"  # what a posted digest is remembered as (models/chat_message.py)


class RunKind(StrEnum):
    SCHEDULED = "scheduled"
    NOW = "now"  # /digest now
    REMIND = "remind"  # the reminder DMs before a scheduled digest


class RunState(StrEnum):
    CLAIMED = "claimed"  # owned by a scheduler; nothing sent for the current part yet
    POSTING = "posting"  # a message is on its way; if its owner dies now, nobody can know whether it arrived
    RETRY = "retry"  # the platform refused; tried again at next_attempt_at
    POSTED = "posted"
    EMPTY = "empty"  # nothing happened and the channel does not want a digest then
    SKIPPED = "skipped"  # a date the channel skips
    MISSED = "missed"  # the scheduler was down past the grace period
    FAILED = "failed"  # gave up after retries, or the channel is unreachable
    INTERRUPTED = "interrupted"  # its scheduler died mid-post; not posted again, to never post twice


ACTIVE = (RunState.CLAIMED, RunState.POSTING, RunState.RETRY)
COVERING = (RunState.POSTED, RunState.EMPTY)  # a later digest starts where these ended


class DigestRun(SQLModel, table=True):
    __tablename__ = "digest_run"
    __table_args__ = (
        UniqueConstraint("workspace_id", "channel_ref", "kind", "day"),
        Index("ix_digest_run_state", "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), nullable=False))
    channel_ref: str = Field(max_length=64)
    kind: str = Field(max_length=16)
    day: date | None = None  # the slot's local date; None for /digest now (any number a day)
    slot_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    state: str = Field(max_length=16)
    owner: str | None = Field(default=None, max_length=64)  # the scheduler instance working on it
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    since_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # the window it covers: (since, until]
    covers_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    audit_after: int | None = None  # audit entries with ids in (after, upto] are its changes
    audit_upto: int | None = None
    parts_total: int = 0  # the summary plus its thread pages
    parts_done: int = 0
    message_ref: str | None = Field(default=None, max_length=128)  # the summary message
    rate_slot_at: float | None = None  # a rate slot reserved for its next message (epoch seconds)
    note: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def claim_run(
    *,
    db: Session,
    workspace_id: int,
    channel_ref: str,
    kind: RunKind,
    day: date | None,
    slot_at: datetime | None,
    state: RunState,
    owner: str | None = None,
    lease: timedelta | None = None,
    note: str | None = None,
) -> int | None:
    """Insert the run row; its id when this call created it, None when someone else already had."""
    now = utcnow()
    stmt = (
        dialect_insert(db, DigestRun)
        .values(
            workspace_id=workspace_id,
            channel_ref=channel_ref,
            kind=kind.value,
            day=day,
            slot_at=slot_at,
            state=state.value,
            owner=owner,
            lease_until=now + lease if lease else None,
            attempts=0,
            parts_total=0,
            parts_done=0,
            note=note,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["workspace_id", "channel_ref", "kind", "day"])
        .returning(DigestRun.id)
    )
    created = db.exec(stmt).first()
    return int(created[0]) if created is not None else None


def runs_for_days(*, db: Session, workspace_id: int, channel_ref: str, kind: RunKind, days: list[date]) -> set[date]:
    if not days:
        return set()
    found = db.exec(
        select(DigestRun.day).where(
            DigestRun.workspace_id == workspace_id,
            DigestRun.channel_ref == channel_ref,
            DigestRun.kind == kind.value,
            DigestRun.day.in_(days),  # type: ignore[union-attr]
        )
    ).all()
    return {d for d in found if d is not None}


def last_slot(*, db: Session, workspace_id: int, channel_ref: str) -> datetime | None:
    return db.exec(
        select(func.max(DigestRun.slot_at)).where(
            DigestRun.workspace_id == workspace_id,
            DigestRun.channel_ref == channel_ref,
            DigestRun.kind == RunKind.SCHEDULED.value,
        )
    ).one()


def last_slots(*, db: Session) -> dict[tuple[int, str], datetime]:
    """Every channel's latest scheduled slot, by (workspace id, channel ref), in one query."""
    rows = db.exec(
        select(DigestRun.workspace_id, DigestRun.channel_ref, func.max(DigestRun.slot_at))
        .where(DigestRun.kind == RunKind.SCHEDULED.value)
        .group_by(DigestRun.workspace_id, DigestRun.channel_ref)  # type: ignore[arg-type]
    ).all()
    return {(w, c): last for w, c, last in rows if last is not None}


def last_covering(
    *, db: Session, workspace_id: int, channel_ref: str, before_id: int | None = None
) -> DigestRun | None:
    """The channel's latest digest (posted, or found empty), where the next one starts. A /digest now
    counts once the platform took it (its message is remembered), since it is posted after the answer."""
    delivered = exists().where(
        ChatMessage.entity == RUN_ENTITY,
        ChatMessage.entity_id == DigestRun.id,
        ChatMessage.workspace_id == DigestRun.workspace_id,
    )
    query = select(DigestRun).where(
        DigestRun.workspace_id == workspace_id,
        DigestRun.channel_ref == channel_ref,
        (DigestRun.kind == RunKind.SCHEDULED.value) | ((DigestRun.kind == RunKind.NOW.value) & delivered),
        DigestRun.state.in_([s.value for s in COVERING]),  # type: ignore[attr-defined]
        DigestRun.covers_until.is_not(None),  # type: ignore[union-attr]
    )
    if before_id is not None:
        query = query.where(DigestRun.id != before_id)
    return db.exec(query.order_by(DigestRun.covers_until.desc()).limit(1)).first()  # type: ignore[union-attr]


def audit_high_water(*, db: Session) -> int:
    """The newest audit entry id; entries after it belong to the next window."""
    return int(db.exec(select(func.coalesce(func.max(AuditEntry.id), 0))).one())


def audit_before(*, db: Session, workspace_id: int, at: datetime) -> int:
    """The last audit id written at or before `at` (for a channel's first digest)."""
    found = db.exec(
        select(func.min(AuditEntry.id)).where(AuditEntry.workspace_id == workspace_id, AuditEntry.at > at)
    ).one()
    return int(found) - 1 if found is not None else audit_high_water(db=db)


def set_window(
    *,
    db: Session,
    run_id: int,
    since: datetime,
    until: datetime,
    audit_after: int,
    audit_upto: int,
    parts: int,
    done: int = 0,
) -> None:
    """What the run covers, fixed at its first attempt so that a retry posts the same digest."""
    db.exec(
        update(DigestRun)
        .where(DigestRun.id == run_id)  # type: ignore[arg-type]
        .values(
            since_at=since,
            covers_until=until,
            audit_after=audit_after,
            audit_upto=audit_upto,
            parts_total=parts,
            parts_done=done,
            updated_at=utcnow(),
        )
    )


def take_over(*, db: Session, run_id: int, owner: str, lease: timedelta, states: tuple[RunState, ...]) -> bool:
    """Own a run that is in one of `states` and whose lease (if any) has run out; True if won."""
    now = utcnow()
    result = db.exec(
        update(DigestRun)
        .where(
            DigestRun.id == run_id,  # type: ignore[arg-type]
            DigestRun.state.in_([s.value for s in states]),  # type: ignore[attr-defined]
            _lease_over(now),
            (DigestRun.next_attempt_at.is_(None)) | (DigestRun.next_attempt_at <= now),  # type: ignore[union-attr,operator]
        )
        .values(owner=owner, lease_until=now + lease, state=RunState.CLAIMED.value, updated_at=now)
    )
    return bool(result.rowcount)


def finish(
    *,
    db: Session,
    run_id: int,
    state: RunState,
    note: str,
    owner: str | None = None,
    stale: bool = False,
    **values: Any,
) -> bool:
    """End a run that is still active: one `owner` holds, or (stale) one whose lease has run out."""
    now = utcnow()
    query = update(DigestRun).where(
        DigestRun.id == run_id,  # type: ignore[arg-type]
        DigestRun.state.in_([s.value for s in ACTIVE]),  # type: ignore[attr-defined]
    )
    if owner is not None:
        query = query.where(DigestRun.owner == owner)  # type: ignore[arg-type]
    if stale:
        query = query.where(_lease_over(now))
    result = db.exec(query.values(state=state.value, note=note, lease_until=None, updated_at=now, **values))
    return bool(result.rowcount)


def _lease_over(now: datetime) -> Any:
    return (DigestRun.lease_until.is_(None)) | (DigestRun.lease_until < now)  # type: ignore[union-attr,operator]


def set_state(*, db: Session, run_id: int, owner: str, state: RunState, **values: Any) -> bool:
    """Move a run this scheduler owns; False if it no longer owns it."""
    result = db.exec(
        update(DigestRun)
        .where(DigestRun.id == run_id, DigestRun.owner == owner)  # type: ignore[arg-type]
        .values(state=state.value, updated_at=utcnow(), **values)
    )
    return bool(result.rowcount)


def renew_leases(*, db: Session, owner: str, lease: timedelta) -> int:
    now = utcnow()
    result = db.exec(
        update(DigestRun)
        .where(
            DigestRun.owner == owner,  # type: ignore[arg-type]
            DigestRun.state.in_([RunState.CLAIMED.value, RunState.POSTING.value]),  # type: ignore[attr-defined]
        )
        .values(lease_until=now + lease)
    )
    return result.rowcount


def stale_runs(*, db: Session, now: datetime) -> list[DigestRun]:
    """Runs some scheduler should look at: due retries, and claims whose owner stopped renewing."""
    return list(
        db.exec(
            select(DigestRun).where(
                ((DigestRun.state == RunState.RETRY.value) & (DigestRun.next_attempt_at <= now))  # type: ignore[operator]
                | (
                    DigestRun.state.in_([RunState.CLAIMED.value, RunState.POSTING.value])  # type: ignore[attr-defined]
                    & (DigestRun.lease_until < now)  # type: ignore[operator]
                )
            )
        ).all()
    )
