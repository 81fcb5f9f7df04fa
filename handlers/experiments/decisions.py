"""Ship / Stop / Extend: the decision on an experiment whose verdict is in, by an approver.

A button carries the experiment id, the data version and the number of extensions it was drawn
for; everything else is read again on click. If new results arrived or someone decided first, the
click changes nothing and the card is redrawn as it is now. A linked requirement follows the
decision along its lifecycle (ship → shipped, stop → parked) when that move is legal from where it
is; otherwise the card says so.
"""

from __future__ import annotations

import math

from sqlmodel import Session

from handlers.core import fields
from handlers.core.command import ActionInput
from handlers.core.reply import Reply, Text
from handlers.core.roles import can_decide
from handlers.experiments import cards as view_of
from models.experiments import experiment as exp_model
from models.experiments.experiment import Decision, Experiment
from models.experiments.readout import Verdict
from models.requirements import requirement as req_model
from models.requirements.requirement import IllegalTransition, Requirement, Status

EXTEND_BY = 1.5
REQUIREMENT_TARGET = {Decision.SHIP: Status.SHIPPED, Decision.STOP: Status.PARKED}


def on_decide(action: ActionInput, db: Session) -> Reply:
    payload = action.payload
    item = exp_model.get_by_id(
        db=db, workspace_id=action.actor.workspace_id, experiment_id=fields.row_id(payload.get("id")) or -1
    )
    if item is None:
        return Reply.message("exp.gone")
    if not can_decide(action.actor):
        return Reply.message("exp.decide.not_allowed", key=item.key)
    try:
        decision = Decision(str(payload.get("d")))
    except ValueError:
        return Reply.message("common.button_expired")
    seen = view_of.reading(db, item)
    drawn_for = (_int(payload.get("v")), _int(payload.get("x")))
    allowed = seen.readout.decidable and (decision is Decision.STOP or seen.readout.verdict is not Verdict.SRM)
    allowed = allowed and not (decision is Decision.SHIP and seen.ship_blocked)
    if item.decision is not None or drawn_for != (item.data_version, item.extensions) or not allowed:
        return view_of.card(seen, notice=Text("exp.decide.stale", {"key": item.key}), replace_original=True)
    needed = [math.ceil(n * EXTEND_BY) for n in item.needed]
    if not exp_model.decide(
        db=db,
        item=item,
        actor_id=action.actor.member_id,
        decision=decision,
        data_version=item.data_version,
        needed=needed,
    ):
        db.refresh(item)
        seen = view_of.reading(db, item)
        return view_of.card(seen, notice=Text("exp.decide.stale", {"key": item.key}), replace_original=True)
    notices = [Text(f"exp.decided_now.{decision.value}", {"key": item.key, "per_arm": f"{max(needed):,}"})]
    target = REQUIREMENT_TARGET.get(decision)
    if target is not None:
        moved = move_requirement(db, item, action.actor.member_id, target)
        if moved:
            notices.append(moved)
    return view_of.changed(db, item, notices, replace_original=True)


def move_requirement(
    db: Session, item: Experiment, actor_id: int, target: Status, *, only_from: Status | None = None
) -> Text | None:
    """Move the linked requirement to `target`; a line for the card saying what happened, if anything."""
    if item.requirement_id is None:
        return None
    found = req_model.get_by_id(db=db, workspace_id=item.workspace_id, requirement_id=item.requirement_id)
    if found is None or not isinstance(found.item, Requirement):
        return None
    requirement = found.item
    if requirement.status == target or (only_from is not None and requirement.status != only_from):
        return None
    try:
        req_model.move(db=db, item=requirement, actor_id=actor_id, target=target)
    except IllegalTransition as err:
        return Text(
            "exp.req.illegal",
            {
                "key": requirement.key,
                "current": Text(f"status.{err.current.value}"),
                "target": Text(f"status.{target.value}"),
            },
        )
    return Text("exp.req.moved", {"key": requirement.key, "status": Text(f"status.{target.value}")})


def _int(value: object) -> int:
    """A number the card was drawn with (a data version, a count of extensions): only compared."""
    return value if isinstance(value, int) and not isinstance(value, bool) else -1
