"""/req submit and the approval card's buttons: approve, reject, request changes, transfer, remind.

Who may decide: in 或签 (mode=any, the default) any approver named on the card, or any workspace
approver or admin; in 会签 (mode=all) each named approver, all of whom must approve. Nobody decides
their own request. Only people with the approver (or admin) role may be named, unless the workspace
allows ad-hoc approvers (`/pm settings adhoc_approvers=on`). A click re-reads the approval; the
decision itself is taken under the approval's row lock (models/approvals/approval.py), so racing
clicks record exactly one decision.
"""

from __future__ import annotations

from sqlmodel import Session

from handlers.approvals import cards as view
from handlers.approvals import digest as approval_digest
from handlers.core import fields
from handlers.core.args import normalise_word, parse_mention
from handlers.core.command import ActionInput, ActionSpec, Actor, CommandInput, CommandSpec
from handlers.core.reply import (
    DirectMessage,
    Effect,
    PostToChannel,
    Reply,
    Text,
    Track,
    UpdateTracked,
    UsageError,
)
from handlers.core.roles import can_decide, may_be_named_approver
from handlers.requirements.input import find, status_text
from models.approvals import approval as approval_model
from models.approvals import queries as approval_queries
from models.approvals.approval import APPROVERS_MAX, REMIND_EVERY, Loaded, Mode, State, Vote
from models.base import utcnow
from models.requirements import requirement as req_model
from models.requirements.requirement import Requirement, Status
from models.workspace import ensure_member

SUBMITTABLE = (Status.NEW, Status.TRIAGED)
MODE_WORDS = {
    "any": Mode.ANY,
    "or": Mode.ANY,
    "或签": Mode.ANY,
    "all": Mode.ALL,
    "and": Mode.ALL,
    "会签": Mode.ALL,
}


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
        if not may_be_named_approver(db, actor, member.role):
            raise UsageError("approval.not_an_approver", usage, who=mention.name or mention.user_ref)
        if member.id not in approvers:
            approvers.append(member.id)
    if len(approvers) > APPROVERS_MAX:
        raise UsageError("field.too_many", usage, max=APPROVERS_MAX)
    if mode is Mode.ALL and not approvers:
        raise UsageError("approval.all_needs_names", usage)
    if not approvers and not approval_queries.deciders(db=db, workspace_id=actor.workspace_id, exclude=actor.member_id):
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
    loaded = load(db, actor, approval_id)
    assert loaded is not None
    asked = Text("approval.dm.asked", {"key": item.key, "title": item.title})
    effects: list[Effect] = [PostToChannel(view.card(db, loaded, found), track=Track(view.ENTITY, approval_id))]
    effects += [DirectMessage(m, view.notice(db, asked, who=actor.member_id)) for m in approvers]
    key = "approval.submitted_all" if mode is Mode.ALL else "approval.submitted"
    return Reply.message(key, effects=effects, key=item.key, count=len(approvers))


def on_approve(action: ActionInput, db: Session) -> Reply:
    return decide(action, db, Vote.APPROVED, None)


def on_remind(action: ActionInput, db: Session) -> Reply:
    """The requester nudges the approvers who have not decided, at most once an hour."""
    actor = action.actor
    loaded = load(db, actor, _approval_id(action))
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
    waiting = sorted(loaded.named) or approval_queries.deciders(
        db=db, workspace_id=actor.workspace_id, exclude=actor.member_id
    )
    requirement = requirement_of(db, actor, loaded)
    key = requirement.item.key if requirement else ""
    nudge = Text("approval.dm.reminder", {"key": key})
    approval_model.audit_event(db=db, loaded=loaded, actor_id=actor.member_id, action="remind", to=waiting)
    effects: list[Effect] = [DirectMessage(m, view.notice(db, nudge, who=actor.member_id)) for m in waiting]
    return Reply.message("approval.reminded", effects=effects, count=len(waiting))


def after_move(db: Session, actor: Actor, item: Requirement) -> list[Effect]:
    """A requirement was moved by hand: a pending approval of it no longer applies; redraw its card."""
    voided = approval_model.void_pending(
        db=db, workspace_id=actor.workspace_id, requirement_id=item.id or 0, actor_id=actor.member_id
    )
    effects: list[Effect] = []
    for approval_id in voided:
        loaded = load(db, actor, approval_id)
        if loaded is not None:
            requirement = requirement_of(db, actor, loaded)
            effects.append(UpdateTracked(Track(view.ENTITY, approval_id), view.card(db, loaded, requirement)))
    return effects


def decide(action: ActionInput, db: Session, vote: Vote, reason: str | None) -> Reply:
    actor = action.actor
    loaded = take(action, db)
    if isinstance(loaded, Reply):
        return loaded
    approval = loaded.approval
    track = Track(view.ENTITY, approval.id or 0)
    requirement = requirement_of(db, actor, loaded)
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


def clicked(action: ActionInput, db: Session) -> Loaded | Reply:
    """The approval a click is about, if it is pending and the clicker may act on it; else the answer."""
    loaded = load(db, action.actor, _approval_id(action))
    if loaded is None:
        return Reply.message("approval.gone")
    if loaded.approval.state != State.PENDING:
        return _already(db, loaded)
    refusal = _refusal(action.actor, loaded)
    return Reply.message(refusal) if refusal else loaded


def take(action: ActionInput, db: Session) -> Loaded | Reply:
    """Lock the approval for this click, then read and check it once: a racing click waits for the lock
    and then finds it decided."""
    approval_id = _approval_id(action)
    locked = approval_model.lock(db=db, workspace_id=action.actor.workspace_id, approval_id=approval_id)
    loaded = load(db, action.actor, approval_id)
    if loaded is None:
        return Reply.message("approval.gone")
    if not locked or loaded.approval.state != State.PENDING:
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


def load(db: Session, actor: Actor, approval_id: int) -> Loaded | None:
    return approval_model.load(db=db, workspace_id=actor.workspace_id, approval_id=approval_id)


def requirement_of(db: Session, actor: Actor, loaded: Loaded) -> req_model.RequirementView | None:
    return req_model.get_by_id(db=db, workspace_id=actor.workspace_id, requirement_id=loaded.approval.requirement_id)


def _approval_id(action: ActionInput) -> int:
    return fields.row_id(action.payload.get("id")) or 0


def _mode(value: str, usage: str) -> Mode:
    mode = MODE_WORDS.get(normalise_word(value))
    if mode is None:
        raise UsageError("approval.bad_mode", usage, value=value)
    return mode


COMMANDS = (CommandSpec("req submit", submit, "req.submit.usage", "req.submit.summary", keys=frozenset({"mode"})),)
ACTIONS = (ActionSpec(view.APPROVE, on_approve), ActionSpec(view.REMIND, on_remind))
JOBS = ()
DIGEST_SECTIONS = approval_digest.SECTIONS
