"""/req submit and the approval card's buttons: approve, reject, request changes, transfer, remind.

Who may decide: in 或签 (mode=any, the default) any approver named on the card, or any workspace
approver or admin; in 会签 (mode=all) each named approver, all of whom must approve. Nobody decides
their own request. A click re-reads the approval; the decision itself is taken under the approval's
row lock (models/approval.py), so racing clicks record exactly one decision.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from handlers import approval_view as view
from handlers.core.args import normalise_word, parse_mention
from handlers.core.command import ActionInput, ActionSpec, Actor, CommandInput, CommandSpec
from handlers.core.reply import (
    DirectMessage,
    Effect,
    Form,
    FormField,
    OpenForm,
    PostToChannel,
    Reply,
    Text,
    Track,
    UpdateTracked,
    UsageError,
)
from handlers.core.roles import DECIDING_ROLES, can_decide
from handlers.requirement_input import find, status_text
from models import approval as approval_model
from models import requirement as req_model
from models.approval import APPROVERS_MAX, REASON_MAX, REMIND_EVERY, Loaded, Mode, State, Vote
from models.base import utcnow
from models.requirement import Requirement, Status
from models.workspace import Member, ensure_member

SUBMITTABLE = (Status.NEW, Status.TRIAGED)
MODE_WORDS = {
    "any": Mode.ANY,
    "or": Mode.ANY,
    "或签": Mode.ANY,
    "all": Mode.ALL,
    "and": Mode.ALL,
    "会签": Mode.ALL,
}
VOTE_OF_FORM = {view.REJECT_FORM: Vote.REJECTED, view.CHANGES_FORM: Vote.CHANGES}


def submit(cmd: CommandInput, db: Session) -> Reply:
    """`/req submit REQ-12 [@approver …] [mode=all]` posts an approval card in the channel."""
    usage = "req.submit.usage"
    actor = cmd.actor
    if not cmd.args.words:
        raise UsageError("req.show.need_key", usage)
    found = find(db, actor, cmd.args.words[0], usage)
    item = found.item
    assert isinstance(item, Requirement) and item.id is not None
    mode = _mode(cmd.args.options["mode"], usage) if "mode" in cmd.args.options else Mode.ANY
    approvers: list[int] = []
    for word in cmd.args.words[1:]:
        mention = parse_mention(word)
        if mention is None:
            if normalise_word(word) in MODE_WORDS:
                mode = MODE_WORDS[normalise_word(word)]
                continue
            raise UsageError("args.unexpected_word", usage, value=word)
        member, _ = ensure_member(
            db=db, workspace_id=actor.workspace_id, external_id=mention.user_ref, display_name=mention.name
        )
        assert member.id is not None
        if member.id == actor.member_id:
            raise UsageError("approval.self_named", usage)
        if member.id not in approvers:
            approvers.append(member.id)
    if len(approvers) > APPROVERS_MAX:
        raise UsageError("field.too_many", usage, max=APPROVERS_MAX)
    if mode is Mode.ALL and not approvers:
        raise UsageError("approval.all_needs_names", usage)
    if not approvers and not _workspace_deciders(db, actor.workspace_id, exclude=actor.member_id):
        raise UsageError("approval.nobody", usage)
    if approval_model.pending_for(db=db, workspace_id=actor.workspace_id, requirement_id=item.id):
        raise UsageError("approval.already_pending", usage, key=item.key)
    if Status(item.status) not in SUBMITTABLE:
        raise UsageError("approval.bad_status", usage, key=item.key, status=status_text(item.status))
    if item.status == Status.NEW:
        req_model.move(db=db, item=item, actor_id=actor.member_id, target=Status.TRIAGED)
    approval_id = approval_model.submit(
        db=db,
        workspace_id=actor.workspace_id,
        requirement_id=item.id,
        requester_id=actor.member_id,
        mode=mode,
        approvers=approvers,
        submitted_status=item.status,
        channel_ref=cmd.channel_ref,
    )
    if approval_id is None:  # submitted by someone else a moment ago
        raise UsageError("approval.already_pending", usage, key=item.key)
    loaded = _load(db, actor, approval_id)
    assert loaded is not None
    asked = Text("approval.dm.asked", {"key": item.key, "title": item.title})
    effects: list[Effect] = [PostToChannel(view.card(db, loaded, found), track=Track(view.ENTITY, approval_id))]
    effects += [DirectMessage(m, view.notice(db, asked, who=actor.member_id)) for m in approvers]
    key = "approval.submitted_all" if mode is Mode.ALL else "approval.submitted"
    return Reply("message", {"text": Text(key, {"key": item.key, "count": len(approvers)})}, effects=effects)


def on_approve(action: ActionInput, db: Session) -> Reply:
    return _decide(action, db, Vote.APPROVED, None)


def on_ask_reason(action: ActionInput, db: Session) -> Reply:
    """Reject and Request changes ask for the reason first; nothing is recorded until it is given."""
    checked = _checked(action, db)
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
    return _decide(action, db, VOTE_OF_FORM[action.action], reason)


def on_transfer(action: ActionInput, db: Session) -> Reply:
    checked = _checked(action, db)
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
    checked = _checked(action, db)
    if isinstance(checked, Reply):
        return checked
    target, _ = ensure_member(db=db, workspace_id=actor.workspace_id, external_id=ref)
    assert target.id is not None
    if target.id == checked.approval.requester_id:
        return Reply("silent", form_errors={"to": Text("approval.transfer_requester")})
    if target.id == actor.member_id or target.id in checked.named:
        return Reply("silent", form_errors={"to": Text("approval.transfer_already")})
    loaded = _lock(action, db)
    if isinstance(loaded, Reply):
        return loaded
    approval_model.transfer(db=db, loaded=loaded, from_id=actor.member_id, to_id=target.id, reason=note)
    approval_model.audit_event(db=db, loaded=loaded, actor_id=actor.member_id, action="transfer", to=target.id)
    loaded = _load(db, actor, loaded.approval.id or 0)
    assert loaded is not None
    requirement = _requirement(db, actor, loaded)
    key = requirement.item.key if requirement else ""
    handed = Text("approval.dm.transferred", {"key": key})
    return Reply(
        "silent",
        effects=[
            UpdateTracked(Track(view.ENTITY, loaded.approval.id or 0), view.card(db, loaded, requirement)),
            DirectMessage(target.id, view.notice(db, handed, who=actor.member_id, reason=note)),
        ],
    )


def on_remind(action: ActionInput, db: Session) -> Reply:
    """The requester nudges the approvers who have not decided, at most once an hour."""
    actor = action.actor
    loaded = _load(db, actor, _approval_id(action))
    if loaded is None:
        return Reply.message("approval.gone")
    approval = loaded.approval
    if approval.state != State.PENDING:
        return _already(db, loaded)
    if actor.member_id != approval.requester_id:
        return Reply.message("approval.remind_requester_only")
    now = utcnow()
    if not approval_model.claim_reminder(db=db, workspace_id=actor.workspace_id, approval_id=approval.id or 0, now=now):
        last = approval.reminded_at or now
        return view.notice(db, Text("approval.remind_wait"), at=last + REMIND_EVERY)
    waiting = sorted(loaded.named) or _workspace_deciders(db, actor.workspace_id, exclude=actor.member_id)
    requirement = _requirement(db, actor, loaded)
    key = requirement.item.key if requirement else ""
    nudge = Text("approval.dm.reminder", {"key": key})
    approval_model.audit_event(db=db, loaded=loaded, actor_id=actor.member_id, action="remind", to=waiting)
    effects: list[Effect] = [DirectMessage(m, view.notice(db, nudge, who=actor.member_id)) for m in waiting]
    return Reply("message", {"text": Text("approval.reminded", {"count": len(waiting)})}, effects=effects)


def after_move(db: Session, actor: Actor, item: Requirement) -> list[Effect]:
    """A requirement was moved by hand: a pending approval of it no longer applies; redraw its card."""
    voided = approval_model.void_pending(
        db=db, workspace_id=actor.workspace_id, requirement_id=item.id or 0, actor_id=actor.member_id
    )
    effects: list[Effect] = []
    for approval_id in voided:
        loaded = _load(db, actor, approval_id)
        if loaded is not None:
            requirement = _requirement(db, actor, loaded)
            effects.append(UpdateTracked(Track(view.ENTITY, approval_id), view.card(db, loaded, requirement)))
    return effects


def _decide(action: ActionInput, db: Session, vote: Vote, reason: str | None) -> Reply:
    actor = action.actor
    checked = _checked(action, db)
    if isinstance(checked, Reply):
        return checked
    loaded = _lock(action, db)
    if isinstance(loaded, Reply):
        return loaded
    approval = loaded.approval
    track = Track(view.ENTITY, approval.id or 0)
    requirement = _requirement(db, actor, loaded)
    if requirement is None or requirement.item.status != approval.submitted_status:
        approval_model.finish(db=db, loaded=loaded, state=State.VOID, actor_id=actor.member_id, reason=None)
        approval_model.audit_event(db=db, loaded=loaded, actor_id=actor.member_id, action="void")
        if requirement is None:
            return Reply.message("approval.gone")
        stale = Reply.message("approval.stale", key=requirement.item.key, status=status_text(requirement.item.status))
        stale.effects.append(UpdateTracked(track, view.card(db, loaded, requirement)))
        return stale
    approval_model.record_vote(db=db, loaded=loaded, member_id=actor.member_id, vote=vote, reason=reason)
    state = approval_model.outcome(approval.mode, loaded.steps, vote)
    key = requirement.item.key
    if state is State.PENDING:
        approval_model.audit_event(db=db, loaded=loaded, actor_id=actor.member_id, action="vote", vote=vote.value)
        voted = Reply.message("approval.voted", key=key, count=len(loaded.named))
        voted.effects.append(UpdateTracked(track, view.card(db, loaded, requirement)))
        return voted
    approval_model.finish(db=db, loaded=loaded, state=state, actor_id=actor.member_id, reason=reason)
    item = requirement.item
    assert isinstance(item, Requirement)
    if state is State.APPROVED:
        req_model.move(db=db, item=item, actor_id=actor.member_id, target=Status.APPROVED)
    elif state is State.REJECTED:
        req_model.move(db=db, item=item, actor_id=actor.member_id, target=Status.REJECTED)
    approval_model.audit_event(
        db=db, loaded=loaded, actor_id=actor.member_id, action="decide", state=[State.PENDING, state], reason=reason
    )
    told = Text(f"approval.dm.{state.value}", {"key": key, "title": item.title})
    return Reply(
        "silent",
        effects=[
            UpdateTracked(track, view.card(db, loaded, requirement)),
            DirectMessage(approval.requester_id, view.notice(db, told, who=actor.member_id, reason=reason)),
        ],
    )


def _checked(action: ActionInput, db: Session) -> Loaded | Reply:
    """The approval a click is about, if it is pending and the clicker may act on it; else the answer."""
    loaded = _load(db, action.actor, _approval_id(action))
    if loaded is None:
        return Reply.message("approval.gone")
    if loaded.approval.state != State.PENDING:
        return _already(db, loaded)
    refusal = _refusal(action.actor, loaded)
    return Reply.message(refusal) if refusal else loaded


def _lock(action: ActionInput, db: Session) -> Loaded | Reply:
    """Take the approval for this click and read it afresh; another click may have decided it meanwhile."""
    approval_id = _approval_id(action)
    locked = approval_model.lock(db=db, workspace_id=action.actor.workspace_id, approval_id=approval_id)
    loaded = _load(db, action.actor, approval_id)
    if loaded is None:
        return Reply.message("approval.gone")
    if not locked:
        return _already(db, loaded)
    refusal = _refusal(action.actor, loaded)
    if refusal:
        raise UsageError(refusal, None)  # rolls the lock back
    return loaded


def _refusal(actor: Actor, loaded: Loaded) -> str | None:
    approval = loaded.approval
    if actor.member_id == approval.requester_id:
        return "approval.not_own"
    step = loaded.step_of(actor.member_id)
    if step is not None and step.vote == Vote.APPROVED:
        return "approval.already_voted"
    if approval.mode == Mode.ALL:
        return None if actor.member_id in loaded.named else "approval.not_allowed"
    return None if can_decide(actor, named=loaded.named) else "approval.not_allowed"


def _already(db: Session, loaded: Loaded) -> Reply:
    approval = loaded.approval
    return view.notice(db, Text(view.decided_text(approval.state)), who=approval.decided_by, at=approval.decided_at)


def _load(db: Session, actor: Actor, approval_id: int) -> Loaded | None:
    return approval_model.load(db=db, workspace_id=actor.workspace_id, approval_id=approval_id)


def _requirement(db: Session, actor: Actor, loaded: Loaded) -> req_model.RequirementView | None:
    return req_model.get_by_id(db=db, workspace_id=actor.workspace_id, requirement_id=loaded.approval.requirement_id)


def _workspace_deciders(db: Session, workspace_id: int, *, exclude: int) -> list[int]:
    query = select(Member.id).where(
        Member.workspace_id == workspace_id,
        Member.role.in_([r.value for r in DECIDING_ROLES]),  # type: ignore[attr-defined]
        Member.id != exclude,
    )
    return sorted(i for i in db.exec(query).all() if i is not None)


def _approval_id(action: ActionInput) -> int:
    value = action.payload.get("id")
    return value if isinstance(value, int) else 0


def _mode(value: str, usage: str) -> Mode:
    mode = MODE_WORDS.get(normalise_word(value))
    if mode is None:
        raise UsageError("approval.bad_mode", usage, value=value)
    return mode


def _person_ref(value: Any) -> str | None:
    """A person picked in a form: a Slack user id, a mention, or @name typed in the console."""
    if not isinstance(value, str) or not value.strip():
        return None
    mention = parse_mention(value)
    ref = mention.user_ref if mention else value.strip().lstrip("@")
    return ref if ref and len(ref) <= 64 and not any(c.isspace() for c in ref) else None


COMMANDS = (CommandSpec("req submit", submit, "req.submit.usage", "req.submit.summary", keys=frozenset({"mode"})),)
ACTIONS = (
    ActionSpec(view.APPROVE, on_approve),
    ActionSpec(view.REJECT, on_ask_reason),
    ActionSpec(view.CHANGES, on_ask_reason),
    ActionSpec(view.TRANSFER, on_transfer),
    ActionSpec(view.REMIND, on_remind),
    ActionSpec(view.REJECT_FORM, on_reason),
    ActionSpec(view.CHANGES_FORM, on_reason),
    ActionSpec(view.TRANSFER_FORM, on_transfer_form),
)
JOBS = ()
