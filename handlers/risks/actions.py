"""Buttons on risk cards and alerts: Acknowledge, Start playbook, Accept risk, Raise likelihood, Reviewed.

Every click re-reads the risk; the answer is a short note to whoever clicked, and every card posted
about the risk is redrawn in place.
"""

from __future__ import annotations

from sqlmodel import Session

from handlers.core import fields
from handlers.core.command import ActionInput
from handlers.core.fields import local_today
from handlers.core.reply import Reply, Text, Track, UpdateTracked, UsageError
from handlers.core.roles import can_decide
from handlers.risks import cards as view_of
from handlers.risks.playbooks import started_reply
from handlers.risks.reviews import mark_reviewed
from models.base import utcnow
from models.risks import indicator as ind_model
from models.risks import risk as risk_model
from models.risks.grid import ALERT_BANDS, escalated
from models.risks.risk import RiskStatus, RiskView


def on_ack(action: ActionInput, db: Session) -> Reply:
    view = _risk(action, db)
    if view is None:
        return Reply.message("risk.gone")
    item = view.item
    if item.acknowledged_at is not None or item.status != RiskStatus.OPEN:
        return _stale(db, view, action)
    risk_model.set_state(
        db=db,
        item=item,
        actor_id=action.actor.member_id,
        action="risk_ack",
        acknowledged_by=action.actor.member_id,
        acknowledged_at=utcnow(),
    )
    return _noted(db, view, action, "risk.acked")


def on_playbook(action: ActionInput, db: Session) -> Reply:
    view = _risk(action, db)
    if view is None:
        return Reply.message("risk.gone")
    try:
        return started_reply(db, view, action.actor.member_id, action.actor.tz, usage=None)
    except UsageError as err:
        reply = Reply.message(err.text)
        reply.effects.append(view_of.refreshed(db, view, today=local_today(action.actor.tz)))
        return reply


def on_accept(action: ActionInput, db: Session) -> Reply:
    view = _risk(action, db)
    if view is None:
        return Reply.message("risk.gone")
    if not can_decide(action.actor):
        return Reply.message("risk.accept_not_allowed", key=view.item.key)
    item = view.item
    if item.status != RiskStatus.OPEN or item.band not in ALERT_BANDS:
        return _stale(db, view, action)
    risk_model.set_state(
        db=db,
        item=item,
        actor_id=action.actor.member_id,
        action="risk_accept",
        status=RiskStatus.ACCEPTED.value,
        decided_by=action.actor.member_id,
        decided_at=utcnow(),
    )
    return _noted(db, view, action, "risk.accepted")


def on_raise(action: ActionInput, db: Session) -> Reply:
    """Raise the likelihood by one from a threshold alert; the alert and the risk's cards are redrawn."""
    workspace_id = action.actor.workspace_id
    alert = ind_model.get_alert(db=db, workspace_id=workspace_id, alert_id=_int(action.payload.get("alert")))
    view = _risk(action, db)
    if alert is None or view is None or alert.risk_id != view.item.id:
        return Reply.message("risk.gone")
    item = view.item
    today = local_today(action.actor.tz)
    expected = action.payload.get("l")
    if (
        alert.raised_at is not None
        or item.likelihood != expected
        or item.likelihood >= 5
        or item.status == RiskStatus.CLOSED
    ):
        notice = Text("risk.raise_stale", {"key": item.key, "likelihood": item.likelihood})
        reply = view_of.alert_reply(db, alert, view, notice=notice)
        reply.replace_original = True
        return reply
    old = item.score
    risk_model.rescore(
        db=db, item=item, actor_id=action.actor.member_id, likelihood=item.likelihood + 1, impact=item.impact
    )
    ind_model.mark_raised(db=db, alert=alert, actor_id=action.actor.member_id)
    params = {
        "key": item.key,
        "likelihood": item.likelihood,
        "score": item.score,
        "band": Text(f"risk.band.{item.band}"),
    }
    reply = view_of.alert_reply(db, alert, view, notice=Text("risk.raised", params))
    reply.replace_original = True
    assert alert.id is not None
    reply.effects.append(UpdateTracked(Track(view_of.ALERT_TRACK, alert.id), view_of.alert_reply(db, alert, view)))
    reply.effects.append(view_of.refreshed(db, view, today=today))
    if escalated(old, item.score):
        reply.effects.append(view_of.posted_card(db, view, today=today, notice=Text("risk.escalated_alert", params)))
    return reply


def on_reviewed(action: ActionInput, db: Session) -> Reply:
    view = _risk(action, db)
    if view is None:
        return Reply.message("risk.gone")
    return mark_reviewed(db, view, action.actor, note=None, usage=None)


def _risk(action: ActionInput, db: Session) -> RiskView | None:
    return risk_model.get_by_id(db=db, workspace_id=action.actor.workspace_id, risk_id=_int(action.payload.get("id")))


def _int(value: object) -> int:
    return fields.row_id(value) or 0


def _noted(db: Session, view: RiskView, action: ActionInput, message: str) -> Reply:
    item = view.item
    reply = Reply.message(message, key=item.key)
    reply.effects.append(view_of.refreshed(db, view, today=local_today(action.actor.tz)))
    return reply


def _stale(db: Session, view: RiskView, action: ActionInput) -> Reply:
    """The card was drawn for an earlier state: say what it is now and redraw it."""
    item = view.item
    if item.status == RiskStatus.ACCEPTED:
        text = Text("risk.stale_accepted", {"key": item.key})
    elif item.status == RiskStatus.CLOSED:
        text = Text("risk.closed_already", {"key": item.key})
    elif item.acknowledged_at is not None:
        text = Text("risk.stale_acked", {"key": item.key})
    else:
        text = Text("risk.stale", {"key": item.key})
    reply = Reply.message(text)
    reply.effects.append(view_of.refreshed(db, view, today=local_today(action.actor.tz)))
    return reply
