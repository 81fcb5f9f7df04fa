"""Approvals for the standup digest: the ones decided in a window and the ones still waiting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlmodel import Session

from models.approvals.approval import Approval, ApprovalStep, State, Vote

WAITING_READ = 2000  # the oldest pending approvals read for a digest; a team never has this many


@dataclass(frozen=True)
class Pending:
    id: int
    requirement_id: int
    requester_id: int
    mode: str
    created_at: datetime
    approvers: tuple[int, ...]  # named approvers who have not decided, in the card's order


@dataclass(frozen=True)
class Decided:
    id: int
    requirement_id: int
    state: str
    created_at: datetime
    decided_at: datetime | None


def waiting(*, db: Session, workspace_id: int) -> list[Pending]:
    """Pending approvals, oldest first, with the named approvers still to decide."""
    connection = db.connection()
    rows = connection.execute(_PENDING, {"workspace_id": workspace_id, "limit": WAITING_READ}).all()
    if not rows:
        return []
    named: dict[int, list[int]] = {}
    for step in connection.execute(_STEPS, {"ids": [r.id for r in rows]}):
        named.setdefault(step.approval_id, []).append(step.member_id)
    return [
        Pending(r.id, r.requirement_id, r.requester_id, r.mode, r.created_at, tuple(named.get(r.id, ()))) for r in rows
    ]


def by_id(*, db: Session, ids: list[int]) -> dict[int, Decided]:
    if not ids:
        return {}
    rows = db.connection().execute(_BY_ID, {"ids": ids})
    return {r.id: Decided(r.id, r.requirement_id, r.state, r.created_at, r.decided_at) for r in rows}


_PENDING = (
    select(Approval.id, Approval.requirement_id, Approval.requester_id, Approval.mode, Approval.created_at)
    .where(Approval.workspace_id == bindparam("workspace_id"), Approval.state == State.PENDING.value)
    .order_by(Approval.created_at, Approval.id)  # type: ignore[arg-type]
    .limit(bindparam("limit"))
)
_STEPS = (
    select(ApprovalStep.approval_id, ApprovalStep.member_id)
    .where(
        ApprovalStep.approval_id.in_(bindparam("ids", expanding=True)),  # type: ignore[attr-defined]
        ApprovalStep.vote == Vote.PENDING.value,
    )
    .order_by(ApprovalStep.approval_id, ApprovalStep.position)  # type: ignore[arg-type]
)
_BY_ID = select(Approval.id, Approval.requirement_id, Approval.state, Approval.created_at, Approval.decided_at).where(
    Approval.id.in_(bindparam("ids", expanding=True))
)  # type: ignore[union-attr]
