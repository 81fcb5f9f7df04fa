"""The approval card's buttons that ask something first: a reason to reject or to request changes,
or whom to hand the decision to. Nothing is recorded until the form is submitted."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from handlers.approvals import cards as view
from handlers.approvals.commands import clicked, decide, load, requirement_of, take
from handlers.core.args import parse_mention
from handlers.core.command import ActionInput, ActionSpec
from handlers.core.reply import DirectMessage, Form, FormField, OpenForm, Reply, Text, Track, UpdateTracked
from handlers.core.roles import may_be_named_approver
from models.approvals import approval as approval_model
from models.approvals.approval import REASON_MAX, Vote
from models.workspace import ensure_member

VOTE_OF_FORM = {view.REJECT_FORM: Vote.REJECTED, view.CHANGES_FORM: Vote.CHANGES}


def on_ask_reason(action: ActionInput, db: Session) -> Reply:
    """Reject and Request changes ask for the reason first; nothing is recorded until it is given."""
    checked = clicked(action, db)
    if isinstance(checked, Reply):
        return checked
    rejecting = action.action == view.REJECT
    form = Form(
        action=view.REJECT_FORM if rejecting else view.CHANGES_FORM,
        title=Text("approval.form.reject_title" if rejecting else "approval.form.changes_title"),
        fields=(
            FormField("reason", Text("approval.form.reason"), kind="textarea", required=True, max_length=REASON_MAX),
        ),
        submit=Text("approval.button.reject" if rejecting else "approval.button.changes"),
        metadata={"id": checked.approval.id},
    )
    return Reply("silent", effects=[OpenForm(form)])


def on_reason(action: ActionInput, db: Session) -> Reply:
    reason = str((action.form or {}).get("reason") or "").strip()
    if not reason:
        return Reply("silent", form_errors={"reason": Text("field.required")})
    if len(reason) > REASON_MAX:
        return Reply(
            "silent", form_errors={"reason": Text("field.too_long", {"max": REASON_MAX, "length": len(reason)})}
        )
    return decide(action, db, VOTE_OF_FORM[action.action], reason)


def on_transfer(action: ActionInput, db: Session) -> Reply:
    checked = clicked(action, db)
    if isinstance(checked, Reply):
        return checked
    form = Form(
        action=view.TRANSFER_FORM,
        title=Text("approval.form.transfer_title"),
        fields=(
            FormField("to", Text("approval.form.transfer_to"), kind="user", required=True),
            FormField("reason", Text("approval.form.note"), kind="textarea", max_length=REASON_MAX),
        ),
        submit=Text("approval.button.transfer"),
        metadata={"id": checked.approval.id},
    )
    return Reply("silent", effects=[OpenForm(form)])


def on_transfer_form(action: ActionInput, db: Session) -> Reply:
    actor = action.actor
    form = action.form or {}
    ref = _person_ref(form.get("to"))
    if ref is None:
        return Reply("silent", form_errors={"to": Text("field.bad_person", {"value": form.get("to") or ""})})
    note = str(form.get("reason") or "").strip()[:REASON_MAX] or None
    checked = clicked(action, db)
    if isinstance(checked, Reply):
        return checked
    target, _ = ensure_member(db=db, workspace_id=actor.workspace_id, external_id=ref)
    assert target.id is not None
    if target.id == checked.approval.requester_id:
        return Reply("silent", form_errors={"to": Text("approval.transfer_requester")})
    if target.id == actor.member_id or target.id in checked.named:
        return Reply("silent", form_errors={"to": Text("approval.transfer_already")})
    if not may_be_named_approver(db, actor, target.role):
        return Reply("silent", form_errors={"to": Text("approval.transfer_not_approver")})
    loaded = take(action, db)
    if isinstance(loaded, Reply):
        return loaded
    approval_model.transfer(db=db, loaded=loaded, from_id=actor.member_id, to_id=target.id, reason=note)
    approval_model.audit_event(db=db, loaded=loaded, actor_id=actor.member_id, action="transfer", to=target.id)
    loaded = load(db, actor, loaded.approval.id or 0)
    assert loaded is not None
    requirement = requirement_of(db, actor, loaded)
    key = requirement.item.key if requirement else ""
    handed = Text("approval.dm.transferred", {"key": key})
    return Reply(
        "silent",
        effects=[
            UpdateTracked(Track(view.ENTITY, loaded.approval.id or 0), view.card(db, loaded, requirement)),
            DirectMessage(target.id, view.notice(db, handed, who=actor.member_id, reason=note)),
        ],
    )


def _person_ref(value: Any) -> str | None:
    """A person picked in a form: a Slack user id, a mention, or @name typed in the console."""
    if not isinstance(value, str) or not value.strip():
        return None
    mention = parse_mention(value)
    ref = mention.user_ref if mention else value.strip().lstrip("@")
    return ref if ref and len(ref) <= 64 and not any(c.isspace() for c in ref) else None


COMMANDS = ()
ACTIONS = (
    ActionSpec(view.REJECT, on_ask_reason),
    ActionSpec(view.CHANGES, on_ask_reason),
    ActionSpec(view.TRANSFER, on_transfer),
    ActionSpec(view.REJECT_FORM, on_reason),
    ActionSpec(view.CHANGES_FORM, on_reason),
    ActionSpec(view.TRANSFER_FORM, on_transfer_form),
)
JOBS = ()
