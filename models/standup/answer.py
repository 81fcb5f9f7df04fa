"""Async standup answers: one per person per channel per day; a second answer updates the first."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, Text, UniqueConstraint, bindparam
from sqlalchemy import select as core_select
from sqlmodel import Field, Session, SQLModel, select

from models import audit
from models.base import UTCDateTime, dialect_insert, utcnow

ENTITY = "standup"
ANSWER_MAX = 1000
FIELDS = ("yesterday", "today", "blockers")


class StandupAnswer(SQLModel, table=True):
    __tablename__ = "standup_answer"
    __table_args__ = (
        UniqueConstraint("workspace_id", "channel_ref", "member_id", "day"),
        Index("ix_standup_answer_channel_updated", "workspace_id", "channel_ref", "updated_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), nullable=False))
    channel_ref: str = Field(max_length=64)
    member_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id"), nullable=False))
    day: date
    yesterday: str | None = Field(default=None, sa_column=Column(Text))
    today: str | None = Field(default=None, sa_column=Column(Text))
    blockers: str | None = Field(default=None, sa_column=Column(Text))
    # A channel's own questions: a JSON list of [question as asked, answer], in the order asked.
    custom: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


@dataclass(frozen=True)
class Answer:
    member_id: int
    day: date
    yesterday: str | None
    today: str | None
    blockers: str | None
    updated_at: datetime
    custom: tuple[tuple[str, str], ...] = ()


def get_answer(*, db: Session, workspace_id: int, channel_ref: str, member_id: int, day: date) -> StandupAnswer | None:
    return db.exec(
        select(StandupAnswer).where(
            StandupAnswer.workspace_id == workspace_id,
            StandupAnswer.channel_ref == channel_ref,
            StandupAnswer.member_id == member_id,
            StandupAnswer.day == day,
        )
    ).first()


def save_answer(
    *, db: Session, workspace_id: int, channel_ref: str, member_id: int, day: date, values: dict[str, str | None]
) -> tuple[StandupAnswer, bool]:
    """Store the fields given (others keep what an earlier answer that day said); returns (row, updated)."""
    before = get_answer(db=db, workspace_id=workspace_id, channel_ref=channel_ref, member_id=member_id, day=day)
    old = {name: getattr(before, name) if before else None for name in FIELDS}
    given = {name: value for name, value in values.items() if name in FIELDS}
    columns = {name: given.get(name) for name in FIELDS}
    changes = {name: [old[name], value] for name, value in given.items() if old[name] != value}
    key = (workspace_id, channel_ref, member_id, day)
    return _upsert(db, key, columns, updated=list(given), changes=changes, before=before)


def custom_pairs(stored: str | None) -> tuple[tuple[str, str], ...]:
    """The [question, answer] pairs of an answer to a channel's own questions, the unanswered left out."""
    if not stored:
        return ()
    return tuple((str(q), str(a)) for q, a in json.loads(stored) if a)


def save_custom(
    *,
    db: Session,
    workspace_id: int,
    channel_ref: str,
    member_id: int,
    day: date,
    questions: tuple[str, ...],
    values: dict[int, str | None],
) -> tuple[StandupAnswer, bool]:
    """Store answers to the channel's own questions (by position in `questions`), each kept with the
    question as asked; a question not answered again keeps what an earlier answer that day said."""
    before = get_answer(db=db, workspace_id=workspace_id, channel_ref=channel_ref, member_id=member_id, day=day)
    old = dict(custom_pairs(before.custom if before else None))
    pairs = [[q, values[i] if i in values else old.get(q)] for i, q in enumerate(questions)]
    stored = json.dumps(pairs, ensure_ascii=False)
    changes = {q: [old.get(q), a] for q, a in pairs if old.get(q) != a}
    key = (workspace_id, channel_ref, member_id, day)
    return _upsert(db, key, {"custom": stored}, updated=["custom"], changes=changes, before=before)


def _upsert(
    db: Session,
    key: tuple[int, str, int, date],
    columns: dict[str, str | None],
    *,
    updated: list[str],
    changes: dict[str, list[str | None]],
    before: StandupAnswer | None,
) -> tuple[StandupAnswer, bool]:
    """One person's answer for a channel and day, written with `columns` (only `updated` replace an
    earlier answer's) and audited with `changes`; returns (row, updated)."""
    workspace_id, channel_ref, member_id, day = key
    now = utcnow()
    stmt = dialect_insert(db, StandupAnswer).values(
        workspace_id=workspace_id,
        channel_ref=channel_ref,
        member_id=member_id,
        day=day,
        created_at=now,
        updated_at=now,
        **columns,
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["workspace_id", "channel_ref", "member_id", "day"],
        set_={**{name: stmt.excluded[name] for name in updated}, "updated_at": now},
    ).returning(StandupAnswer.id)
    answer_id = int(db.exec(stmt).one()[0])
    audit.record(
        db=db,
        workspace_id=workspace_id,
        actor_id=member_id,
        entity=ENTITY,
        entity_id=answer_id,
        action="edit" if before else "create",
        changes=changes,
        at=now,
    )
    saved = db.get(StandupAnswer, answer_id)
    assert saved is not None
    db.refresh(saved)
    return saved, before is not None


_LATEST = (
    core_select(
        StandupAnswer.member_id,
        StandupAnswer.day,
        StandupAnswer.yesterday,
        StandupAnswer.today,
        StandupAnswer.blockers,
        StandupAnswer.updated_at,
        StandupAnswer.custom,
    )
    .where(
        StandupAnswer.workspace_id == bindparam("workspace_id"),
        StandupAnswer.channel_ref == bindparam("channel_ref"),
        StandupAnswer.updated_at > bindparam("since"),
        StandupAnswer.updated_at <= bindparam("until"),
    )
    .order_by(StandupAnswer.updated_at)
)


def answers_between(
    *, db: Session, workspace_id: int, channel_ref: str, since: datetime, until: datetime
) -> list[Answer]:
    """Each person's newest answer given in (since, until], oldest first."""
    rows = db.connection().execute(
        _LATEST, {"workspace_id": workspace_id, "channel_ref": channel_ref, "since": since, "until": until}
    )
    newest: dict[int, Answer] = {}
    for row in rows:
        newest[row.member_id] = Answer(
            row.member_id, row.day, row.yesterday, row.today, row.blockers, row.updated_at, custom_pairs(row.custom)
        )
    return sorted(newest.values(), key=lambda a: a.updated_at)


def roster(*, db: Session, workspace_id: int, channel_ref: str, since: datetime) -> set[int]:
    """Everyone who has answered a standup in this channel since then: the people reminders go to."""
    return set(
        db.exec(
            select(StandupAnswer.member_id)
            .where(
                StandupAnswer.workspace_id == workspace_id,
                StandupAnswer.channel_ref == channel_ref,
                StandupAnswer.updated_at > since,
            )
            .distinct()
        ).all()
    )
