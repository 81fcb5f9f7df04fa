"""Early-warning indicators: `/risk watch` ties a risk to a named figure and a threshold; figures are
fed by `/pm figure <name> <value>` or over HTTP with the workspace's token (`/pm figure token`). When a
figure crosses a threshold the risk's owner (by DM) and its channel are alerted, once per crossing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from handlers.core.args import normalise_word
from handlers.core.command import ActionInput, CommandInput
from handlers.core.fields import local_today
from handlers.core.jobs import Delivery
from handlers.core.reply import DirectMessage, Effect, FieldError, PostToChannel, Reply, Text, Track, UsageError
from handlers.core.roles import Guarded, is_admin, require_editor
from handlers.risks import cards as view_of
from handlers.risks.input import decimal_value, field_usage, find
from models import audit
from models.risks import indicator as ind_model
from models.risks import queries
from models.risks import risk as risk_model
from models.risks.grid import ABOVE, BELOW, beyond
from models.risks.risk import RiskStatus

FIGURE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*(?:\.[A-Za-z0-9_\-]+){1,4}")
DIRECTIONS = {
    "above": ABOVE,
    ">": ABOVE,
    "over": ABOVE,
    "高于": ABOVE,
    "超过": ABOVE,
    "大于": ABOVE,
    "below": BELOW,
    "<": BELOW,
    "under": BELOW,
    "低于": BELOW,
    "小于": BELOW,
}
MAX_RATE = Decimal(1_000_000)  # as /pm fx takes them
PUSH_MAX = 200  # figures in one HTTP push
TOKEN_WORDS = frozenset({"token", "令牌"})


def watch(cmd: CommandInput, db: Session) -> Reply:
    """`/risk watch RISK-3 fx.USDCNY above 7.3`."""
    usage = "risk.watch.usage"
    words = cmd.args.words
    if len(words) != 4:
        raise UsageError("risk.watch.shape", usage)
    view = find(db, cmd.actor, words[0], usage)
    item = view.item
    if item.status == RiskStatus.CLOSED:
        raise UsageError("risk.closed_already", usage, key=item.key)
    name = _name(words[1], usage)
    direction = DIRECTIONS.get(normalise_word(words[2]))
    if direction is None:
        raise UsageError("risk.watch.bad_direction", usage, value=words[2])
    try:
        threshold = decimal_value("threshold", words[3])
    except FieldError as err:
        raise field_usage(err, usage) from err
    current = ind_model.get_figure(db=db, workspace_id=cmd.actor.workspace_id, name=name)
    already = current is not None and beyond(current.value, direction, threshold)
    assert item.id is not None
    found, old = ind_model.add_watch(
        db=db,
        workspace_id=cmd.actor.workspace_id,
        risk_id=item.id,
        name=name,
        direction=direction,
        threshold=threshold,
        tripped=already,
        actor_id=cmd.actor.member_id,
    )
    audit.record(
        db=db,
        workspace_id=item.workspace_id,
        actor_id=cmd.actor.member_id,
        entity=risk_model.ENTITY,
        entity_id=item.id,
        action="risk_watch_set",
        changes={
            found.figure_name: [
                None if old is None else view_of.number(old),
                f"{direction} {view_of.number(threshold)}",
            ]
        },
    )
    params = {
        "key": item.key,
        "figure": found.figure_name,
        "direction": Text(f"risk.direction.{direction}"),
        "threshold": view_of.number(threshold),
    }
    if current is None:
        return Reply.message("risk.watch.set_no_value", **params)
    params["value"] = view_of.number(current.value)
    return Reply.message("risk.watch.set_already" if already else "risk.watch.set", **params)


def unwatch(cmd: CommandInput, db: Session) -> Reply:
    """`/risk unwatch RISK-3 fx.USDCNY`."""
    usage = "risk.unwatch.usage"
    if len(cmd.args.words) != 2:
        raise UsageError("risk.unwatch.shape", usage)
    view = find(db, cmd.actor, cmd.args.words[0], usage)
    name = _name(cmd.args.words[1], usage)
    assert view.item.id is not None
    removed = ind_model.remove_watches(db=db, risk_id=view.item.id, name=name)
    if not removed:
        raise UsageError("risk.unwatch.none", usage, key=view.item.key, figure=name)
    audit.record(
        db=db,
        workspace_id=view.item.workspace_id,
        actor_id=cmd.actor.member_id,
        entity=risk_model.ENTITY,
        entity_id=view.item.id,
        action="risk_unwatch",
        changes={name: [None, None]},
    )
    return Reply.message("risk.unwatch.done", key=view.item.key, figure=name)


def figure(cmd: CommandInput, db: Session) -> Reply:
    """`/pm figure fx.USDCNY 7.41` sets a figure; `/pm figure` alone lists them."""
    words = cmd.args.words
    usage = "pm.figure.usage"
    if not words:
        return figure_page(db, cmd.actor.workspace_id, 1)
    if len(words) != 2:
        raise UsageError("pm.figure.shape", usage)
    name = _name(words[0], usage)
    try:
        value = decimal_value("value", words[1])
    except FieldError as err:
        raise field_usage(err, usage) from err
    if ind_model.fx_pair(name) is not None:  # the team's exchange rate, the one /pm fx sets
        require_editor(db, cmd.actor, Guarded.FX, "fx.not_allowed")
        if not 0 < value < MAX_RATE:
            raise UsageError("pm.figure.bad_rate", usage, name=name, value=words[1])
    pushed = push(db, cmd.actor.workspace_id, {name: value}, source="command", actor_id=cmd.actor.member_id)
    reply = Reply.message(
        "pm.figure.set_alerts" if pushed.alerts else "pm.figure.set",
        name=name,
        value=view_of.number(value),
        alerts=len(pushed.alerts),
    )
    reply.effects.extend(d.effect for d in pushed.deliveries)
    return reply


def token(cmd: CommandInput, db: Session) -> Reply:
    """`/pm figure token`: a new push token (admins); the old one stops working."""
    if cmd.args.words or cmd.args.options:
        raise UsageError("args.unexpected_word", "pm.figure.token_usage", value=cmd.args.text())
    if not is_admin(cmd.actor):
        raise UsageError("pm.figure.token_admins", "pm.figure.token_usage")
    issued = ind_model.issue_token(db=db, workspace_id=cmd.actor.workspace_id, actor_id=cmd.actor.member_id)
    return view_of.token_reply(issued)


def on_page(action: ActionInput, db: Session) -> Reply:
    """Prev / next on the list of figures."""
    page = action.payload.get("p")
    return figure_page(db, action.actor.workspace_id, page if isinstance(page, int) and page > 0 else 1, replace=True)


def figure_page(db: Session, workspace_id: int, page: int, *, replace: bool = False) -> Reply:
    size = view_of.FIGURE_PAGE_SIZE
    found = queries.figure_page(db=db, workspace_id=workspace_id, offset=(page - 1) * size, limit=size)
    if not found.items and found.total and page > 1:  # figures went away since: the last page there is
        return figure_page(db, workspace_id, -(-found.total // size), replace=replace)
    return view_of.figure_page_reply(found, page=page, replace_original=replace)


@dataclass
class Pushed:
    stored: int
    alerts: list[ind_model.RiskAlert] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)


class BadFigure(Exception):
    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"{name}: {problem}")
        self.name = name
        self.problem = problem


def push_with_token(db: Session, token_text: str, raw: Any) -> tuple[int, Pushed] | None:
    """An HTTP push: None when the token is not a workspace's (nothing is stored); raises BadFigure
    for a malformed body before anything is stored."""
    workspace_id = ind_model.workspace_for_token(db=db, token=token_text)
    if workspace_id is None:
        return None
    figures = _figures_of(raw)
    return workspace_id, push(db, workspace_id, figures, source="http", actor_id=None)


def push(
    db: Session,
    workspace_id: int,
    figures: dict[str, Decimal],
    *,
    source: str,
    actor_id: int | None,
    on: date | None = None,
) -> Pushed:
    """Store figures and announce the thresholds they crossed: a DM to the owner, a post in the risk's
    channel. Exchange rates among them are set for `on` (default: the workspace's today)."""
    today = local_today(queries.workspace_tz(db=db, workspace_id=workspace_id))
    pushed = Pushed(stored=len(figures))
    for name, value in figures.items():
        crossed = ind_model.set_figure(
            db=db, workspace_id=workspace_id, name=name, value=value, source=source, actor_id=actor_id, on=on or today
        )
        for hit in crossed:
            view = risk_model.get_by_id(db=db, workspace_id=workspace_id, risk_id=hit.watch.risk_id)
            if view is None or view.item.status == RiskStatus.CLOSED:
                continue
            pushed.alerts.append(hit.alert)
            pushed.deliveries.extend(_announce(db, view, hit.alert, today))
    return pushed


def _announce(db: Session, view: risk_model.RiskView, alert: ind_model.RiskAlert, today: date) -> list[Delivery]:
    item = view.item
    assert alert.id is not None and item.id is not None
    audit.record(
        db=db,
        workspace_id=item.workspace_id,
        actor_id=None,
        entity=risk_model.ENTITY,
        entity_id=item.id,
        action="risk_alert",
        changes={alert.figure_name: [view_of.number(alert.threshold), view_of.number(alert.value)]},
    )
    owner = item.owner_id or item.reporter_id
    effects: list[Effect] = [DirectMessage(owner, view_of.alert_reply(db, alert, view))]
    if item.channel_ref:
        post = PostToChannel(
            view_of.alert_reply(db, alert, view), item.channel_ref, Track(view_of.ALERT_TRACK, alert.id)
        )
        effects.append(post)
    return [Delivery(item.workspace_id, effect) for effect in effects]


def _figures_of(raw: Any) -> dict[str, Decimal]:
    """`{"name": "fx.USDCNY", "value": 7.41}` or `{"figures": {"fx.USDCNY": 7.41, ...}}`."""
    if not isinstance(raw, dict):
        raise BadFigure("", "body")
    if "figures" in raw:
        pairs = raw["figures"]
        if not isinstance(pairs, dict) or not pairs:
            raise BadFigure("figures", "figures")
    elif "name" in raw and "value" in raw:
        if not isinstance(raw["name"], str):
            raise BadFigure("", "name")
        pairs = {raw["name"]: raw["value"]}
    else:
        raise BadFigure("", "body")
    if len(pairs) > PUSH_MAX:
        raise BadFigure("figures", "too_many")
    found: dict[str, Decimal] = {}
    for name, value in pairs.items():
        if not isinstance(name, str) or not FIGURE_NAME.fullmatch(name) or len(name) > ind_model.NAME_MAX:
            raise BadFigure(str(name)[:80], "name")
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
            raise BadFigure(name, "value")
        try:
            found[name] = decimal_value("value", str(value))
        except FieldError as err:
            raise BadFigure(name, "value") from err
        if ind_model.fx_pair(name) is not None and not 0 < found[name] < MAX_RATE:
            raise BadFigure(name, "value")  # an exchange rate is positive
    return found


def _name(value: str, usage: str) -> str:
    if not FIGURE_NAME.fullmatch(value) or len(value) > ind_model.NAME_MAX:
        raise UsageError("pm.figure.bad_name", usage, value=value)
    return value
