"""The approval card and the short notices that name a person (decided by, reminded by, role set for)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from handlers.core.card import Card, Fields, Header, Line, Mention, Note, Section, When, fields, joined, person
from handlers.core.reply import Button, Reply, Text, Visibility
from handlers.scoring import cards as scoring_view
from models.approvals import queries
from models.approvals.approval import Loaded, State
from models.approvals.queries import ApprovalCard
from models.requirements.requirement import RequirementView
from models.workspace import names_of

APPROVE = "approval.approve"
REJECT = "approval.reject"
CHANGES = "approval.changes"
TRANSFER = "approval.transfer"
REMIND = "approval.remind"
REJECT_FORM = "approval.reject_form"
CHANGES_FORM = "approval.changes_form"
TRANSFER_FORM = "approval.transfer_form"
ENTITY = "approval"
STATE_COLOURS = {
    State.PENDING: "yellow",
    State.APPROVED: "green",
    State.REJECTED: "red",
    State.CHANGES: "orange",
    State.VOID: "grey",
}


def card(db: Session, loaded: Loaded, requirement: RequirementView | None, *, notice: Text | None = None) -> Reply:
    approval = loaded.approval
    assert approval.id is not None
    data = queries.approval_card(db=db, loaded=loaded, requirement=requirement)
    buttons = buttons_for(approval.id) if approval.state == State.PENDING else []
    return Reply(
        "approval_card", card=approval_card(data, notice=notice), buttons=buttons, visibility=Visibility.CHANNEL
    )


def approval_card(data: ApprovalCard, *, notice: Text | None = None) -> Card:
    approval, steps = data.loaded.approval, data.loaded.steps
    item = data.requirement.item if data.requirement else None
    markets = list(data.requirement.markets) if data.requirement else []
    key, title = (item.key, item.title) if item else ("", "")
    state = Text(f"approval.state.{approval.state}")
    none = Text("common.none")

    def who(member_id: int | None) -> Line:
        if member_id is None or member_id not in data.people:
            return "—"
        ref, name = data.people[member_id]
        return Mention(ref, name)

    votes: list[Line] = []
    for step in steps:
        vote = Text(f"approval.vote.{step.vote}", {"to": who(step.transferred_to)})
        line: list[Line] = [[who(step.member_id), ": ", vote]]
        if step.decided_at:
            line.append(When(step.decided_at))
        votes.append(joined(line))
    if approval.mode == "any":
        votes.append(Text("approval.card.anyone"))
    score = scoring_view.score_data(data.score)
    parts: list[Fields | Section | Note] = [
        fields(
            (Text("approval.card.requester"), who(approval.requester_id)),
            (Text("approval.card.mode"), Text(f"approval.mode.{approval.mode}")),
            (Text("req.field.status"), Text(f"status.{item.status}") if item else none),
            (Text("req.field.market"), ", ".join(markets) or none),
            (Text("score.label"), scoring_view.score_line(score)),
        ),
        Section(tuple(votes), title=Text("approval.card.approvers")),
    ]
    if approval.state == State.PENDING:
        parts.append(Note((["⏳ ", state, " · ", When(approval.created_at)],)))
    else:
        at: Line = When(approval.decided_at) if approval.decided_at else "—"
        decided = Text("approval.card.decided", {"state": state, "who": who(approval.decided_by), "at": at})
        parts.append(Section((decided,), mark="verdict"))
        if approval.reason:
            parts.append(Section((approval.reason,), title=Text("approval.card.reason")))
    return Card(
        summary=Text("approval.card.fallback", {"key": key, "state": state}),
        header=Header(
            [Text("approval.card.title"), " · ", key, " · ", title], STATE_COLOURS.get(State(approval.state))
        ),
        parts=tuple(parts),
        notice=(notice,) if notice else (),
    )


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
    named = names_of(db=db, member_ids=[who]).get(who) if who else None
    person_ = Mention(*named) if named else None
    return Reply("person_notice", card=notice_card(text, who=person_, at=at, reason=reason))


def notice_card(text: Text, *, who: Mention | None, at: datetime | None, reason: str | None) -> Card:
    line = Text(text.key, {**text.params, "who": person(who), "at": When(at) if at else "—"})
    parts = [Section((line,))]
    if reason:
        parts.append(Section((reason,), title=Text("approval.card.reason")))
    return Card(summary=line, parts=tuple(parts))


def decided_text(state: str) -> str:
    return {
        State.APPROVED: "approval.already.approved",
        State.REJECTED: "approval.already.rejected",
        State.CHANGES: "approval.already.changes",
        State.VOID: "approval.already.void",
    }.get(State(state), "approval.already.void")
