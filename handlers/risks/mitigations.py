"""Mitigation actions: `/risk mitigate` adds one, `/risk done` marks them done."""

from __future__ import annotations

from sqlmodel import Session

from handlers.core import fields
from handlers.core.args import normalise_word, split_list
from handlers.core.command import CommandInput
from handlers.core.reply import FieldError, Reply, Text, UsageError
from handlers.risks import cards as view_of
from handlers.risks.input import field_usage, find, person
from models.risks import mitigation as mit_model
from models.risks import risk as risk_model
from models.risks.risk import RiskStatus


def mitigate(cmd: CommandInput, db: Session) -> Reply:
    usage = "risk.mitigate.usage"
    if not cmd.args.words:
        raise UsageError("risk.need_key", usage)
    view = find(db, cmd.actor, cmd.args.words[0], usage)
    item = view.item
    text = " ".join(cmd.args.words[1:]).strip()
    if not text:
        raise UsageError("risk.mitigate.no_action", usage)
    if item.status == RiskStatus.CLOSED:
        raise UsageError("risk.closed_already", usage, key=item.key)
    today = fields.local_today(cmd.actor.tz)
    options = cmd.args.options
    try:
        fields.text("action", text, max_length=risk_model.TEXT_MAX)
        owner = person(db, cmd.actor, "owner", options["owner"]) if "owner" in options else None
        due = fields.due_date("due", options["due"], today=today) if "due" in options else None
    except FieldError as err:
        raise field_usage(err, usage) from err
    action = {"text": text, "owner_id": owner or item.owner_id or item.reporter_id, "due": due}
    try:
        [added] = mit_model.add_mitigations(db=db, item=item, actor_id=cmd.actor.member_id, actions=[action])
    except mit_model.TooManyActions as err:
        raise UsageError("risk.mitigate.too_many", usage, key=item.key, room=err.room) from err
    notice = Text("risk.mitigate.added", {"key": item.key, "n": added.position})
    reply = view_of.card(db, view, today=today, notice=notice)
    reply.effects.append(view_of.refreshed(db, view, today=today))
    return reply


def done(cmd: CommandInput, db: Session) -> Reply:
    usage = "risk.done.usage"
    if len(cmd.args.words) < 2:
        raise UsageError("risk.done.need_both", usage)
    view = find(db, cmd.actor, cmd.args.words[0], usage)
    positions = []
    for part in split_list(" ".join(cmd.args.words[1:]).replace(" ", ",")):
        word = normalise_word(part).lstrip("#")
        if not word.isdigit():
            raise UsageError("risk.done.bad_number", usage, value=part)
        positions.append(int(word))
    try:
        marked, already = mit_model.mark_done(db=db, item=view.item, actor_id=cmd.actor.member_id, positions=positions)
    except mit_model.UnknownAction as err:
        raise UsageError("risk.done.unknown", usage, key=view.item.key, numbers=err.positions) from err
    today = fields.local_today(cmd.actor.tz)
    if not marked:
        return view_of.card(
            db, view, today=today, notice=Text("risk.done.already", {"key": view.item.key, "numbers": already})
        )
    reply = view_of.card(
        db, view, today=today, notice=Text("risk.done.marked", {"key": view.item.key, "numbers": marked})
    )
    reply.effects.append(view_of.refreshed(db, view, today=today))
    return reply
