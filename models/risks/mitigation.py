"""Mitigation actions on risks, and the playbooks a workspace writes for its categories."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, Text, UniqueConstraint, func
from sqlmodel import Field, Session, SQLModel, select

from models import audit
from models.base import UTCDateTime, utcnow
from models.risks.risk import Category, Risk, id_of, touch

MITIGATIONS_MAX = 40


class RiskMitigation(SQLModel, table=True):
    __tablename__ = "risk_mitigation"
    __table_args__ = (UniqueConstraint("risk_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    risk_id: int = Field(sa_column=Column(Integer, ForeignKey("risk.id", ondelete="CASCADE"), nullable=False))
    position: int  # 1, 2, 3 ... within the risk, as users name them
    text: str | None = Field(default=None, sa_column=Column(Text))
    text_key: str | None = Field(
        default=None, max_length=80
    )  # a built-in playbook step, drawn in each reader's language
    owner_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("member.id")))
    due: date | None = None
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    done_by: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("member.id")))
    created_by: int = Field(sa_column=Column(Integer, ForeignKey("member.id"), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RiskPlaybook(SQLModel, table=True):
    """A workspace's own playbook for a category, replacing the built-in one."""

    __tablename__ = "risk_playbook"

    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), primary_key=True))
    category: str = Field(primary_key=True, max_length=16)
    steps: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    updated_by: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("member.id")))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def mitigations(*, db: Session, risk_id: int) -> list[RiskMitigation]:
    return list(
        db.exec(select(RiskMitigation).where(RiskMitigation.risk_id == risk_id).order_by(RiskMitigation.position)).all()  # type: ignore[arg-type]
    )


def mitigation_counts(*, db: Session, risk_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(all, done) actions per risk."""
    if not risk_ids:
        return {}
    rows = db.exec(
        select(RiskMitigation.risk_id, func.count(), func.count(RiskMitigation.done_at))
        .where(RiskMitigation.risk_id.in_(risk_ids))  # type: ignore[attr-defined]
        .group_by(RiskMitigation.risk_id)
    ).all()
    return {risk_id: (total, done) for risk_id, total, done in rows}


def add_mitigations(*, db: Session, item: Risk, actor_id: int, actions: list[dict[str, Any]]) -> list[RiskMitigation]:
    """Append actions ({text or text_key, owner_id, due}); raises TooManyActions past MITIGATIONS_MAX."""
    last = db.exec(select(func.max(RiskMitigation.position)).where(RiskMitigation.risk_id == id_of(item))).one() or 0
    count = db.exec(select(func.count()).where(RiskMitigation.risk_id == id_of(item))).one()
    if count + len(actions) > MITIGATIONS_MAX:
        raise TooManyActions(MITIGATIONS_MAX - count)
    added = [
        RiskMitigation(risk_id=id_of(item), position=last + n, created_by=actor_id, **action)
        for n, action in enumerate(actions, start=1)
    ]
    db.add_all(added)
    db.flush()
    touch(db, item, actor_id, "risk_mitigate", {"actions": [None, [a.position for a in added]]})
    return added


def mark_done(*, db: Session, item: Risk, actor_id: int, positions: list[int]) -> tuple[list[int], list[int]]:
    """Mark actions done; returns (marked now, already done). Unknown positions raise UnknownAction."""
    found = {m.position: m for m in mitigations(db=db, risk_id=id_of(item))}
    missing = [p for p in positions if p not in found]
    if missing:
        raise UnknownAction(missing)
    now = utcnow()
    marked, already = [], []
    for position in dict.fromkeys(positions):
        action = found[position]
        if action.done_at is not None:
            already.append(position)
            continue
        action.done_at, action.done_by = now, actor_id
        db.add(action)
        marked.append(position)
    if marked:
        touch(db, item, actor_id, "risk_done", {"actions": [None, marked]})
    return marked, already


class TooManyActions(Exception):
    def __init__(self, room: int) -> None:
        super().__init__(f"room for {room} more")
        self.room = max(room, 0)


class UnknownAction(Exception):
    def __init__(self, positions: list[int]) -> None:
        super().__init__(str(positions))
        self.positions = positions


def playbook_override(*, db: Session, workspace_id: int, category: str) -> RiskPlaybook | None:
    return db.get(RiskPlaybook, (workspace_id, category))


def set_playbook(
    *, db: Session, workspace_id: int, category: str, actor_id: int, steps: list[dict[str, Any]] | None
) -> None:
    """Replace the workspace's playbook for a category; None goes back to the built-in one."""
    found = playbook_override(db=db, workspace_id=workspace_id, category=category)
    old = found.steps if found else None
    if steps is None:
        if found is not None:
            db.delete(found)
    elif found is None:
        db.add(RiskPlaybook(workspace_id=workspace_id, category=category, steps=steps, updated_by=actor_id))
    else:
        found.steps, found.updated_by, found.updated_at = steps, actor_id, utcnow()
        db.add(found)
    audit.record(
        db=db,
        workspace_id=workspace_id,
        actor_id=actor_id,
        entity="risk_playbook",
        entity_id=list(Category).index(Category(category)),
        action="risk_playbook_edit",
        changes={"category": [category, category], "steps": [old, steps]},
    )
