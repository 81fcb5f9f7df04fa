"""Review cadence: `/risk review`, and the job that tells owners about overdue reviews, once per
overdue period (until the risk is reviewed and its next review date moves on)."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from sqlmodel import Session

from handlers.core.command import Actor, CommandInput
from handlers.core.fields import local_today
from handlers.core.jobs import Delivery, JobSpec
from handlers.core.reply import DirectMessage, Reply, UsageError
from handlers.risks import cards as view_of
from handlers.risks.input import find
from models import audit
from models.base import utcnow
from models.risks import queries
from models.risks import risk as risk_model
from models.risks.risk import RiskStatus, RiskView

NOTE_MAX = 500


def review(cmd: CommandInput, db: Session) -> Reply:
    """`/risk review RISK-3 [note]`: the owner (or anyone) has looked at it; the next review is scheduled."""
    if not cmd.args.words:
        raise UsageError("risk.need_key", "risk.review.usage")
    view = find(db, cmd.actor, cmd.args.words[0], "risk.review.usage")
    note = " ".join(cmd.args.words[1:]).strip() or None
    if note and len(note) > NOTE_MAX:
        raise UsageError("field.too_long", "risk.review.usage", max=NOTE_MAX, length=len(note))
    return mark_reviewed(db, view, cmd.actor, note=note, usage="risk.review.usage")


def mark_reviewed(db: Session, view: RiskView, actor: Actor, *, note: str | None, usage: str | None) -> Reply:
    item = view.item
    if item.status == RiskStatus.CLOSED:
        raise UsageError("risk.closed_already", usage, key=item.key)
    today = local_today(actor.tz)
    following = today + timedelta(days=item.review_every_days) if item.review_every_days else None
    fields = {"reviewed_at": utcnow(), "next_review": following, "review_reminded_for": None}
    risk_model.set_state(db=db, item=item, actor_id=actor.member_id, action="risk_review", **fields)
    if note:
        _note(db, item, actor.member_id, note)
    if following is None:
        reply = Reply.message("risk.reviewed_no_next", key=item.key)
    else:
        reply = Reply.message("risk.reviewed", key=item.key, date=following.isoformat())
    reply.effects.append(view_of.refreshed(db, view, today=today))
    return reply


def remind_overdue_reviews(db: Session, now: datetime) -> list[Delivery]:
    """DM each owner whose risk's review date has passed, once per overdue period."""
    deliveries: list[Delivery] = []
    zones: dict[int, str] = {}
    # A review date in the past anywhere on Earth; each workspace's own today decides.
    for item in risk_model.reviews_to_remind(db=db, before=(now + timedelta(days=1)).date()):
        if item.workspace_id not in zones:
            zones[item.workspace_id] = queries.workspace_tz(db=db, workspace_id=item.workspace_id)
        today = now.astimezone(_zone(zones[item.workspace_id])).date()
        if item.next_review is None or item.next_review >= today:
            continue
        risk_model.mark_review_reminded(db=db, item=item)
        owner = item.owner_id or item.reporter_id
        reply = view_of.review_due_reply(item, today=today)
        deliveries.append(Delivery(item.workspace_id, DirectMessage(owner, reply)))
    return deliveries


def _note(db: Session, item: risk_model.Risk, actor_id: int, note: str) -> None:
    assert item.id is not None
    audit.record(
        db=db,
        workspace_id=item.workspace_id,
        actor_id=actor_id,
        entity=risk_model.ENTITY,
        entity_id=item.id,
        action="risk_note",
        changes={"note": [None, note]},
    )


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


JOBS = (JobSpec("risk.overdue_reviews", timedelta(minutes=15), remind_overdue_reviews),)
