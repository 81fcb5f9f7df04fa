"""A channel's own standup questions (at most five, as typed); a channel without them asks the three
default ones. Every change bumps `version`, so a form opened before the change is refused, not
stored against questions it did not show."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, Text, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, select

from models import audit
from models.base import UTCDateTime, utcnow

ENTITY = "standup_questions"
QUESTIONS_MAX = 5
QUESTION_MAX = 150


class StandupQuestions(SQLModel, table=True):
    __tablename__ = "standup_questions"
    __table_args__ = (UniqueConstraint("workspace_id", "channel_ref"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), nullable=False))
    channel_ref: str = Field(max_length=64)
    questions: str = Field(default="[]", sa_column=Column(Text, nullable=False))  # a JSON list; [] = defaults
    version: int = Field(default=1)
    updated_by: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("member.id"), nullable=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def _row(db: Session, workspace_id: int, channel_ref: str) -> StandupQuestions | None:
    return db.exec(
        select(StandupQuestions).where(
            StandupQuestions.workspace_id == workspace_id, StandupQuestions.channel_ref == channel_ref
        )
    ).first()


def channel_questions(*, db: Session, workspace_id: int, channel_ref: str) -> tuple[tuple[str, ...], int]:
    """The channel's own questions (empty: it asks the defaults) and their version (0: never set)."""
    row = _row(db, workspace_id, channel_ref)
    if row is None:
        return (), 0
    return tuple(str(q) for q in json.loads(row.questions)), row.version


def set_questions(
    *, db: Session, workspace_id: int, channel_ref: str, member_id: int, questions: tuple[str, ...]
) -> int:
    """Store the channel's questions (an empty tuple returns it to the defaults); returns the new version."""
    row = _row(db, workspace_id, channel_ref)
    before = json.loads(row.questions) if row else []
    if row is None:
        row = StandupQuestions(workspace_id=workspace_id, channel_ref=channel_ref, version=0)
    row.questions = json.dumps(list(questions), ensure_ascii=False)
    row.version += 1
    row.updated_by = member_id
    row.updated_at = utcnow()
    db.add(row)
    db.flush()
    assert row.id is not None
    audit.record(
        db=db,
        workspace_id=workspace_id,
        actor_id=member_id,
        entity=ENTITY,
        entity_id=row.id,
        action="edit",
        changes={"questions": [before, list(questions)]},
        at=row.updated_at,
    )
    return row.version
