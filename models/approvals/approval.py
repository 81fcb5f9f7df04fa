"""Approvals: a requirement submitted for sign-off, the approvers it names, and their votes.

Exactly one decision is recorded however many clicks race: every click first bumps the approval's
version with `UPDATE … WHERE state = 'pending'`. On PostgreSQL the row lock makes the second click
wait for the first to commit and then find the approval decided (0 rows); on SQLite every
transaction already begins with BEGIN IMMEDIATE. A partial unique index keeps one pending approval
per requirement.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, Integer, Text, bindparam, or_, text, update
from sqlmodel import Field, Session, SQLModel, select

from models import audit
from models.base import UTCDateTime, dialect_insert, utcnow
from models.requirements.requirement import ENTITY as REQUIREMENT

REMIND_EVERY = timedelta(hours=1)
REASON_MAX = 1000
APPROVERS_MAX = 10


class State(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CHANGES = "changes"  # changes requested: back to the requester
    VOID = "void"  # the requirement moved on some other way


class Mode(StrEnum):
    ANY = "any"  # 或签: any one approver decides
    ALL = "all"  # 会签: every named approver must approve; one rejection rejects


class Vote(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CHANGES = "changes"
    TRANSFERRED = "transferred"


class Approval(SQLModel, table=True):
    __table_args__ = (
        Index(
            "uq_approval_pending",
            "requirement_id",
            unique=True,
            sqlite_where=text("state = 'pending'"),
            postgresql_where=text("state = 'pending'"),
        ),
        Index("ix_approval_requirement", "workspace_id", "requirement_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), nullable=False))
    requirement_id: int = Field(
        sa_column=Column(Integer, ForeignKey("requirement.id", ondelete="CASCADE"), nullable=False)
    )
    requester_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id"), nullable=False))
    mode: str = Field(default=Mode.ANY, max_length=8)
    state: str = Field(default=State.PENDING, max_length=16)
    submitted_status: str = Field(max_length=16)  # the requirement's status when it was submitted
    channel_ref: str | None = Field(default=None, max_length=64)
    decided_by: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("member.id")))
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reason: str | None = Field(default=None, sa_column=Column(Text))
    reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ApprovalStep(SQLModel, table=True):
    """One named approver of an approval and their vote."""

    __tablename__ = "approval_step"

    approval_id: int = Field(sa_column=Column(Integer, ForeignKey("approval.id", ondelete="CASCADE"), primary_key=True))
    member_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id"), primary_key=True))
    position: int = 0
    vote: str = Field(default=Vote.PENDING, max_length=16)
    reason: str | None = Field(default=None, sa_column=Column(Text))
    transferred_to: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("member.id")))
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


@dataclass(frozen=True)
class Loaded:
    approval: Approval
    steps: list[ApprovalStep]

    @property
    def named(self) -> frozenset[int]:
        """Approvers named on it who have not yet voted or handed it on."""
        return frozenset(s.member_id for s in self.steps if s.vote == Vote.PENDING)

    def step_of(self, member_id: int) -> ApprovalStep | None:
        return next((s for s in self.steps if s.member_id == member_id), None)


def submit(
    *,
    db: Session,
    workspace_id: int,
    requirement_id: int,
    requester_id: int,
    mode: Mode,
    approvers: list[int],
    submitted_status: str,
    channel_ref: str | None,
) -> int | None:
    """A new pending approval's id, or None when the requirement already has one pending."""
    now = utcnow()
    stmt = (
        dialect_insert(db, Approval)
        .values(
            workspace_id=workspace_id,
            requirement_id=requirement_id,
            requester_id=requester_id,
            mode=mode.value,
            state=State.PENDING.value,
            submitted_status=submitted_status,
            channel_ref=channel_ref,
            version=0,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["requirement_id"], index_where=text("state = 'pending'"))
        .returning(Approval.id)  # type: ignore[arg-type]
    )
    new_id = db.exec(stmt).first()
    if new_id is None:
        return None
    approval_id = int(new_id[0])
    for position, member_id in enumerate(approvers):
        db.add(ApprovalStep(approval_id=approval_id, member_id=member_id, position=position))
    db.flush()
    _audit(db, workspace_id, requirement_id, requester_id, "submit", approval_id, mode=mode.value, approvers=approvers)
    return approval_id


def load(*, db: Session, workspace_id: int, approval_id: int) -> Loaded | None:
    approval = db.exec(
        select(Approval)
        .where(Approval.id == approval_id, Approval.workspace_id == workspace_id)
        .execution_options(populate_existing=True)
    ).first()
    if approval is None:
        return None
    steps = db.exec(
        select(ApprovalStep)
        .where(ApprovalStep.approval_id == approval_id)
        .order_by(ApprovalStep.position)  # type: ignore[arg-type]
        .execution_options(populate_existing=True)
    ).all()
    return Loaded(approval, list(steps))


def pending_for(*, db: Session, workspace_id: int, requirement_id: int) -> Approval | None:
    return db.exec(
        select(Approval).where(
            Approval.workspace_id == workspace_id,
            Approval.requirement_id == requirement_id,
            Approval.state == State.PENDING,
        )
    ).first()


def lock(*, db: Session, workspace_id: int, approval_id: int) -> bool:
    """Take the approval for this click; False when it is no longer pending (or never was)."""
    result = db.connection().execute(_LOCK, {"aid": approval_id, "wid": workspace_id})
    return result.rowcount == 1


def record_vote(*, db: Session, loaded: Loaded, member_id: int, vote: Vote, reason: str | None) -> None:
    step = loaded.step_of(member_id)
    if step is None:  # a workspace approver who was not named: their vote is kept on the approval too
        step = ApprovalStep(approval_id=loaded.approval.id or 0, member_id=member_id, position=len(loaded.steps))
        loaded.steps.append(step)
    step.vote, step.reason, step.decided_at = vote, reason, utcnow()
    db.add(step)
    db.flush()


def outcome(mode: str, steps: Iterable[ApprovalStep], vote: Vote) -> State:
    """What the approval is after a vote: 或签 decides on the first vote; 会签 needs every approval."""
    if vote is Vote.REJECTED:
        return State.REJECTED
    if vote is Vote.CHANGES:
        return State.CHANGES
    if mode == Mode.ANY:
        return State.APPROVED
    votes = [s.vote for s in steps if s.vote != Vote.TRANSFERRED]
    return State.APPROVED if votes and all(v == Vote.APPROVED for v in votes) else State.PENDING


def finish(*, db: Session, loaded: Loaded, state: State, actor_id: int | None, reason: str | None) -> None:
    approval = loaded.approval
    approval.state, approval.decided_by, approval.decided_at, approval.reason = state, actor_id, utcnow(), reason
    db.add(approval)
    db.flush()


def transfer(*, db: Session, loaded: Loaded, from_id: int, to_id: int, reason: str | None) -> None:
    """Hand one approver's decision to someone else, who becomes a named approver."""
    step = loaded.step_of(from_id)
    if step is not None:
        step.vote, step.transferred_to, step.reason, step.decided_at = Vote.TRANSFERRED, to_id, reason, utcnow()
        db.add(step)
    target = loaded.step_of(to_id)
    if target is None:
        position = max((s.position for s in loaded.steps), default=-1) + 1
        db.add(ApprovalStep(approval_id=loaded.approval.id or 0, member_id=to_id, position=position))
    else:
        target.vote, target.reason, target.decided_at, target.transferred_to = Vote.PENDING, None, None, None
        db.add(target)
    db.flush()


def claim_reminder(*, db: Session, workspace_id: int, approval_id: int, now: datetime) -> bool:
    """Note a reminder being sent; False when one went out less than REMIND_EVERY ago."""
    result = db.connection().execute(
        _REMIND, {"aid": approval_id, "wid": workspace_id, "now": now, "cutoff": now - REMIND_EVERY}
    )
    return result.rowcount == 1


def void_pending(*, db: Session, workspace_id: int, requirement_id: int, actor_id: int) -> list[int]:
    """The requirement was moved by other means: its pending approval no longer applies."""
    found = pending_for(db=db, workspace_id=workspace_id, requirement_id=requirement_id)
    if found is None or found.id is None or not lock(db=db, workspace_id=workspace_id, approval_id=found.id):
        return []
    loaded = load(db=db, workspace_id=workspace_id, approval_id=found.id)
    assert loaded is not None
    finish(db=db, loaded=loaded, state=State.VOID, actor_id=actor_id, reason=None)
    _audit(db, workspace_id, requirement_id, actor_id, "void", found.id, state=[State.PENDING, State.VOID])
    return [found.id]


def audit_event(*, db: Session, loaded: Loaded, actor_id: int, action: str, **changes: object) -> None:
    approval = loaded.approval
    _audit(db, approval.workspace_id, approval.requirement_id, actor_id, action, approval.id or 0, **changes)


def _audit(
    db: Session, workspace_id: int, requirement_id: int, actor_id: int, action: str, approval_id: int, **changes: object
) -> None:
    audit.record(
        db=db,
        workspace_id=workspace_id,
        actor_id=actor_id,
        entity=REQUIREMENT,
        entity_id=requirement_id,
        action=action,
        changes={"approval": approval_id, **changes},
    )


_PENDING = Approval.state == State.PENDING.value
_LOCK = (
    update(Approval)
    .where(Approval.id == bindparam("aid"), Approval.workspace_id == bindparam("wid"), _PENDING)  # type: ignore[arg-type]
    .values(version=Approval.version + 1)
)
_REMIND = (
    update(Approval)
    .where(
        Approval.id == bindparam("aid"),  # type: ignore[arg-type]
        Approval.workspace_id == bindparam("wid"),  # type: ignore[arg-type]
        _PENDING,  # type: ignore[arg-type]
        or_(Approval.reminded_at.is_(None), Approval.reminded_at <= bindparam("cutoff")),  # type: ignore[union-attr, operator]
    )
    .values(reminded_at=bindparam("now"))
)
