"""The approval card and approval notices, as plain data for the templates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from handlers.core.reply import Button, Reply, Text, Visibility
from handlers.requirements.cards import people
from handlers.scoring import cards as scoring_view
from models.approvals.approval import Loaded, State
from models.requirements.requirement import RequirementView
from models.scoring import queries as score_queries
from models.scoring import score as score_model

APPROVE = "approval.approve"
REJECT = "approval.reject"
CHANGES = "approval.changes"
TRANSFER = "approval.transfer"
REMIND = "approval.remind"
REJECT_FORM = "approval.reject_form"
CHANGES_FORM = "approval.changes_form"
TRANSFER_FORM = "approval.transfer_form"
ENTITY = "approval"


def card(db: Session, loaded: Loaded, requirement: RequirementView | None, *, notice: Text | None = None) -> Reply:
    approval = loaded.approval
    assert approval.id is not None
    ids = [approval.requester_id, approval.decided_by]
    for step in loaded.steps:
        ids += [step.member_id, step.transferred_to]
    who = people(db, ids)
    current = score_model.current(db=db, requirement_id=approval.requirement_id)
    item = requirement.item if requirement else None
    data = {
        "approval": {
            "id": approval.id,
            "state": approval.state,
            "state_text": Text(f"approval.state.{approval.state}"),
            "mode_text": Text(f"approval.mode.{approval.mode}"),
            "requester": who.get(approval.requester_id),
            "created_at": approval.created_at,
            "decided_by": who.get(approval.decided_by) if approval.decided_by else None,
            "decided_at": approval.decided_at,
            "reason": approval.reason,
        },
        "item": {
            "key": item.key if item else "",
            "title": item.title if item else "",
            "status": item.status if item else "",
            "markets": list(requirement.markets) if requirement else [],
        },
        "score": scoring_view.score_data(score_queries.of(db=db, workspace_id=approval.workspace_id, found=current)),
        "steps": [
            {
                "who": who.get(s.member_id),
                "vote": Text(f"approval.vote.{s.vote}"),
                "at": s.decided_at,
                "to": who.get(s.transferred_to) if s.transferred_to else None,
                "reason": s.reason,
            }
            for s in loaded.steps
        ],
        "open_to_approvers": approval.mode == "any",
        "notice": notice,
    }
    buttons = buttons_for(approval.id) if approval.state == State.PENDING else []
    return Reply("approval_card", data, buttons=buttons, visibility=Visibility.CHANNEL)


def buttons_for(approval_id: int) -> list[Button]:
    payload = {"id": approval_id}
    return [
        Button(Text("approval.button.approve"), APPROVE, payload, style="primary"),
        Button(Text("approval.button.reject"), REJECT, payload, style="danger"),
        Button(Text("approval.button.changes"), CHANGES, payload),
        Button(Text("approval.button.transfer"), TRANSFER, payload),
        Button(Text("approval.button.remind"), REMIND, payload),
    ]


def notice(
    db: Session,
    text: Text,
    *,
    who: int | None = None,
    at: datetime | None = None,
    reason: str | None = None,
) -> Reply:
    """A short message that may name one person and a time, with a quoted reason."""
    person: dict[str, Any] | None = people(db, [who]).get(who) if who else None
    return Reply("person_notice", {"text": text, "who": person, "at": at, "reason": reason})


def decided_text(state: str) -> str:
    return {
        State.APPROVED: "approval.already.approved",
        State.REJECTED: "approval.already.rejected",
        State.CHANGES: "approval.already.changes",
        State.VOID: "approval.already.void",
    }.get(State(state), "approval.already.void")
