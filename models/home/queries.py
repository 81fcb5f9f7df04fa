"""The one query the dashboard needs: what is open for one person, a few of each kind and how many."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from models.approvals.approval import Approval, ApprovalStep, Mode, State, Vote
from models.experiments.experiment import Experiment, ExpStatus
from models.requirements.requirement import Requirement, Status
from models.risks.risk import ACTIVE, Risk

T = TypeVar("T")

OPEN_REQUIREMENTS = (Status.NEW, Status.TRIAGED, Status.APPROVED, Status.IN_PROGRESS)


@dataclass(frozen=True)
class Item:
    id: int
    key: str
    title: str
    status: str
    due: date | None = None  # a requirement's due date, a risk's next review
    score: int | None = None  # a risk's likelihood × impact
    decision: str | None = None  # an experiment's recorded verdict


@dataclass(frozen=True)
class Waiting:
    approval_id: int
    requirement: Item
    requester_id: int


@dataclass(frozen=True)
class Listed(Generic[T]):
    shown: tuple[T, ...]
    total: int


@dataclass(frozen=True)
class Dashboard:
    requirements: Listed[Item]  # open, owned or requested by me, soonest due first
    approvals: Listed[Waiting]  # pending, mine to decide, oldest first
    risks: Listed[Item]  # owned by me, review due by today, most overdue first
    experiments: Listed[Item]  # running, or decided in the last days, that I asked for


def dashboard(*, db: Session, workspace_id: int, member_id: int, decides: bool, on: date, limit: int) -> Dashboard:
    """`decides`: the person is an approver or admin, who may decide any approval open to approvers."""
    return Dashboard(
        requirements=_requirements(db, workspace_id, member_id, limit),
        approvals=_approvals(db, workspace_id, member_id, decides, limit),
        risks=_risks(db, workspace_id, member_id, on, limit),
        experiments=_experiments(db, workspace_id, member_id, limit),
    )


def _count(db: Session, query: object) -> int:
    return int(db.exec(select(func.count()).select_from(query.subquery())).one())  # type: ignore[attr-defined]


def _requirements(db: Session, workspace_id: int, member_id: int, limit: int) -> Listed[Item]:
    query = select(Requirement).where(
        Requirement.workspace_id == workspace_id,
        col(Requirement.status).in_([s.value for s in OPEN_REQUIREMENTS]),
        col(Requirement.archived_at).is_(None),
        or_(Requirement.owner_id == member_id, Requirement.requester_id == member_id),
    )
    ordered = query.order_by(col(Requirement.due).is_(None), col(Requirement.due), col(Requirement.number))
    rows = db.exec(ordered.limit(limit)).all()
    items = tuple(Item(r.id or 0, r.key, r.title, r.status, due=r.due) for r in rows)
    return Listed(items, _count(db, query))


def _approvals(db: Session, workspace_id: int, member_id: int, decides: bool, limit: int) -> Listed[Waiting]:
    named_me = (
        select(ApprovalStep.approval_id)
        .where(ApprovalStep.member_id == member_id, ApprovalStep.vote == Vote.PENDING)
        .scalar_subquery()
    )
    mine = col(Approval.id).in_(named_me)
    if decides:  # anyone who decides may decide an "any one approver" approval
        mine = or_(mine, Approval.mode == Mode.ANY)
    query = (
        select(Approval, Requirement)
        .join(Requirement, Requirement.id == Approval.requirement_id)  # type: ignore[arg-type]
        .where(
            Approval.workspace_id == workspace_id,
            Approval.state == State.PENDING,
            Approval.requester_id != member_id,
            mine,
        )
    )
    rows = db.exec(query.order_by(col(Approval.created_at), col(Approval.id)).limit(limit)).all()
    items = tuple(
        Waiting(a.id or 0, Item(r.id or 0, r.key, r.title, r.status, due=r.due), a.requester_id) for a, r in rows
    )
    return Listed(items, _count(db, query))


def _risks(db: Session, workspace_id: int, member_id: int, on: date, limit: int) -> Listed[Item]:
    query = select(Risk).where(
        Risk.workspace_id == workspace_id,
        Risk.owner_id == member_id,
        col(Risk.status).in_(ACTIVE),
        col(Risk.next_review).is_not(None),
        col(Risk.next_review) <= on,
    )
    rows = db.exec(query.order_by(col(Risk.next_review), col(Risk.score).desc(), col(Risk.number)).limit(limit)).all()
    items = tuple(Item(r.id or 0, r.key, r.title, r.status, due=r.next_review, score=r.score) for r in rows)
    return Listed(items, _count(db, query))


def _experiments(db: Session, workspace_id: int, member_id: int, limit: int) -> Listed[Item]:
    query = select(Experiment).where(
        Experiment.workspace_id == workspace_id,
        Experiment.requester_id == member_id,
        Experiment.status == ExpStatus.RUNNING,
    )
    rows = db.exec(query.order_by(col(Experiment.started_at), col(Experiment.number)).limit(limit)).all()
    items = tuple(Item(r.id or 0, r.key, r.name, r.status, decision=r.decision) for r in rows)
    return Listed(items, _count(db, query))
