"""What the approval card draws, read in one call, and who may decide an approval nobody was named for."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from models.approvals.approval import Loaded
from models.requirements.requirement import RequirementView
from models.scoring import queries as score_queries
from models.scoring.queries import ScoreView
from models.workspace import DECIDING, member_ids_with_roles, names_of


@dataclass(frozen=True)
class ApprovalCard:
    loaded: Loaded
    requirement: RequirementView | None  # None when the requirement is gone
    people: dict[int, tuple[str, str | None]]  # everyone the card names: (platform ref, display name)
    score: ScoreView | None


def approval_card(*, db: Session, loaded: Loaded, requirement: RequirementView | None) -> ApprovalCard:
    approval = loaded.approval
    ids: list[int | None] = [approval.requester_id, approval.decided_by]
    for step in loaded.steps:
        ids += [step.member_id, step.transferred_to]
    score = score_queries.score_view(db=db, workspace_id=approval.workspace_id, requirement_id=approval.requirement_id)
    return ApprovalCard(loaded, requirement, names_of(db=db, member_ids=ids), score)


def deciders(*, db: Session, workspace_id: int, exclude: int) -> list[int]:
    """The workspace's approvers and admins, but not `exclude` (who asked)."""
    return [i for i in member_ids_with_roles(db=db, workspace_id=workspace_id, roles=DECIDING) if i != exclude]
