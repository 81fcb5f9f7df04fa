"""Risk replies as plain data for the templates: the card and its buttons, the register page, the matrix,
threshold alerts and review reminders."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from handlers.core.reply import Button, PostToChannel, Reply, Text, Track, UpdateTracked, Visibility
from models import audit_trail
from models.base import utcnow
from models.requirements.requirement import KEY_PREFIX as REQ_PREFIX
from models.requirements.requirement import Requirement
from models.risks import indicator as ind_model
from models.risks import mitigation as mit_model
from models.risks import risk as risk_model
from models.risks.exposure import convert_amount, report_currency
from models.risks.grid import ALERT_BANDS, BAND_NAMES, band, matrix
from models.risks.mitigation import RiskMitigation
from models.risks.risk import Risk, RiskStatus, RiskView
from models.workspace import names_of

ACK_ACTION = "risk.ack"
PLAYBOOK_ACTION = "risk.playbook"
ACCEPT_ACTION = "risk.accept"
RAISE_ACTION = "risk.raise"
REVIEWED_ACTION = "risk.reviewed"
PAGE_ACTION = "risk.page"
PAGE_SIZE = 10
HISTORY_SHOWN = 5
TRACK = "risk"
ALERT_TRACK = "risk_alert"


def people(db: Session, ids: Iterable[int | None]) -> dict[int, dict[str, Any]]:
    return {i: {"ref": ref, "name": name} for i, (ref, name) in names_of(db=db, member_ids=ids).items()}


def money(amount: Decimal) -> str:
    return f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"


def number(value: Decimal) -> str:
    """A figure as it was typed (7.10 stays 7.10), never in exponent form."""
    return format(value, "f")


def exposure(db: Session, item: Risk) -> dict[str, Any] | None:
    """The exposure in the workspace's currency when a rate is known, else as given, saying why."""
    if item.exposure_amount is None or not item.exposure_currency:
        return None
    given = f"{item.exposure_currency} {money(item.exposure_amount)}"
    target = report_currency(db=db, workspace_id=item.workspace_id)
    if target is None or target == item.exposure_currency:
        return {"text": given, "note": None}
    converted = convert_amount(
        db=db,
        workspace_id=item.workspace_id,
        amount=item.exposure_amount,
        currency=item.exposure_currency,
        to=target,
        on=utcnow().date(),
    )
    if converted is None:
        return {
            "text": given,
            "note": Text("risk.exposure_no_rate", {"source": item.exposure_currency, "target": target}),
        }
    rate = converted.rate
    note = Text("risk.exposure_from", {"given": given, "rate": number(rate.value), "as_of": rate.as_of.isoformat()})
    return {"text": f"{target} {money(converted.amount)}", "note": note}


def item_data(
    db: Session, view: RiskView, who: dict[int, dict[str, Any]], *, today: date, actions: tuple[int, int] | None = None
) -> dict[str, Any]:
    item = view.item
    owner = item.owner_id or item.reporter_id
    req_number = None
    if item.requirement_id:
        req = db.get(Requirement, item.requirement_id)
        req_number = f"{REQ_PREFIX}-{req.number}" if req else None
    total = actions[0] if actions is not None else None
    return {
        "id": item.id,
        "key": item.key,
        "title": item.title,
        "category": item.category,
        "likelihood": item.likelihood,
        "impact": item.impact,
        "score": item.score,
        "band": item.band,
        "status": item.status,
        "markets": list(view.markets),
        "owner": who.get(owner),
        "reporter": who.get(item.reporter_id),
        "exposure": exposure(db, item),
        "review_every": item.review_every_days,
        "next_review": item.next_review,
        "overdue": bool(item.next_review and item.next_review < today and item.status != RiskStatus.CLOSED),
        "req": req_number,
        "acknowledged_by": who.get(item.acknowledged_by) if item.acknowledged_by else None,
        "decided_by": who.get(item.decided_by) if item.decided_by else None,
        "playbook_started": item.playbook_started_at is not None,
        "close_reason": item.close_reason,
        "actions": total,
        "actions_done": actions[1] if actions is not None else None,
        "unmitigated": total == 0 and item.band in ALERT_BANDS and item.status != RiskStatus.CLOSED,
    }


def mitigation_data(action: RiskMitigation, who: dict[int, dict[str, Any]]) -> dict[str, Any]:
    return {
        "position": action.position,
        "text": Text(action.text_key) if action.text_key else (action.text or ""),
        "owner": who.get(action.owner_id) if action.owner_id else None,
        "due": action.due,
        "done": action.done_at is not None,
    }


def card(
    db: Session,
    view: RiskView,
    *,
    today: date,
    notice: Text | None = None,
    visibility: Visibility = Visibility.EPHEMERAL,
    detail: bool = False,
    playbook: list[Any] | None = None,
) -> Reply:
    """The risk card; `detail` adds its history, watches, score trend and the category's playbook."""
    item = view.item
    assert item.id is not None
    actions = mit_model.mitigations(db=db, risk_id=item.id)
    entries = (
        audit_trail.page(
            db=db, workspace_id=item.workspace_id, entity=risk_model.ENTITY, entity_id=item.id, limit=HISTORY_SHOWN
        ).entries
        if detail
        else []
    )
    ids = [item.owner_id, item.reporter_id, item.acknowledged_by, item.decided_by]
    ids += [a.owner_id for a in actions] + [e.actor_id for e in entries]
    who = people(db, ids)
    done = sum(1 for a in actions if a.done_at is not None)
    data = {
        "item": item_data(db, view, who, today=today, actions=(len(actions), done)),
        "mitigations": [mitigation_data(a, who) for a in actions],
        "notice": notice,
        "detail": detail,
        "history": [
            {"at": e.at, "actor": who.get(e.actor_id) if e.actor_id else None, "action": e.action, "changes": e.changes}
            for e in entries
        ],
        "scores": [s.score for s in risk_model.score_history(db=db, risk_id=item.id)] if detail else [],
        "watches": watch_data(db, item) if detail else [],
        "playbook": playbook or [],
    }
    return Reply("risk_card", data, buttons=decision_buttons(item), visibility=visibility)


def watch_data(db: Session, item: Risk) -> list[dict[str, Any]]:
    assert item.id is not None
    rows = []
    for watch in ind_model.watches_of(db=db, risk_id=item.id):
        current = ind_model.get_figure(db=db, workspace_id=item.workspace_id, name=watch.figure_name)
        rows.append(
            {
                "name": watch.figure_name,
                "direction": watch.direction,
                "threshold": number(watch.threshold),
                "value": number(current.value) if current else None,
                "tripped": watch.tripped,
            }
        )
    return rows


def decision_buttons(item: Risk) -> list[Button]:
    """Acknowledge / Start playbook / Accept risk, as far as they still apply."""
    if item.status == RiskStatus.CLOSED:
        return []
    payload = {"id": item.id}
    buttons = []
    grave = item.band in ALERT_BANDS
    if grave and item.status == RiskStatus.OPEN and item.acknowledged_at is None:
        buttons.append(Button(Text("risk.button.ack"), ACK_ACTION, payload, style="primary"))
    if item.playbook_started_at is None:
        buttons.append(Button(Text("risk.button.playbook"), PLAYBOOK_ACTION, payload))
    if grave and item.status == RiskStatus.OPEN:
        buttons.append(Button(Text("risk.button.accept"), ACCEPT_ACTION, payload, style="danger"))
    return buttons


def posted_card(db: Session, view: RiskView, *, today: date, notice: Text | None = None) -> PostToChannel:
    """The card posted to the risk's channel and remembered, so that later changes redraw it."""
    item = view.item
    assert item.id is not None
    reply = card(db, view, today=today, notice=notice, visibility=Visibility.CHANNEL)
    return PostToChannel(reply, channel_ref=item.channel_ref, track=Track(TRACK, item.id))


def refreshed(db: Session, view: RiskView, *, today: date) -> UpdateTracked:
    """Redraw every card posted about the risk."""
    assert view.item.id is not None
    return UpdateTracked(Track(TRACK, view.item.id), card(db, view, today=today, visibility=Visibility.CHANNEL))


def list_page(db: Session, found: risk_model.Page, *, page: int, filters: dict[str, Any], today: date) -> Reply:
    ids: list[int | None] = []
    for view in found.items:
        ids += [view.item.owner_id, view.item.reporter_id]
    who = people(db, ids)
    buttons = []
    if page > 1:
        buttons.append(Button(Text("common.prev_page"), PAGE_ACTION, {"f": filters, "p": page - 1}))
    if found.more:
        buttons.append(Button(Text("common.next_page"), PAGE_ACTION, {"f": filters, "p": page + 1}))
    first = (page - 1) * PAGE_SIZE + 1 if found.items else 0
    counts = mit_model.mitigation_counts(db=db, risk_ids=[v.item.id or 0 for v in found.items])
    items = [item_data(db, v, who, today=today, actions=counts.get(v.item.id or 0, (0, 0))) for v in found.items]
    return Reply(
        "risk_list",
        {
            "items": items,
            "total": found.total,
            "page": page,
            "first": first,
            "last": first + len(items) - 1 if items else 0,
        },
        buttons=buttons,
    )


def matrix_data(cells: list[tuple[int, int]]) -> dict[str, Any]:
    grid = matrix(cells)
    rows = [
        {
            "likelihood": likelihood,
            "cells": [{"count": grid[likelihood - 1][i - 1], "band": band(likelihood * i)} for i in range(1, 6)],
        }
        for likelihood in range(5, 0, -1)
    ]
    by_band = dict.fromkeys(BAND_NAMES, 0)
    for likelihood, impact in cells:
        by_band[band(likelihood * impact)] += 1
    return {"rows": rows, "by_band": by_band, "total": len(cells), "grid": grid}


def alert_reply(db: Session, alert: ind_model.RiskAlert, view: RiskView, *, notice: Text | None = None) -> Reply:
    item = view.item
    who = people(db, [item.owner_id or item.reporter_id, alert.raised_by])
    data = {
        "key": item.key,
        "risk_title": item.title,
        "figure": alert.figure_name,
        "value": number(alert.value),
        "direction": alert.direction,
        "threshold": number(alert.threshold),
        "likelihood": item.likelihood,
        "impact": item.impact,
        "score": item.score,
        "band": item.band,
        "owner": who.get(item.owner_id or item.reporter_id),
        "raised_by": who.get(alert.raised_by) if alert.raised_by else None,
        "notice": notice,
    }
    buttons = []
    if alert.raised_at is None and item.likelihood < 5 and item.status != RiskStatus.CLOSED:
        buttons.append(
            Button(
                Text("risk.button.raise", {"to": item.likelihood + 1}),
                RAISE_ACTION,
                {"alert": alert.id, "id": item.id, "l": item.likelihood},
                style="primary",
            )
        )
    return Reply("risk_alert", data, buttons=buttons, visibility=Visibility.CHANNEL)


def review_due_reply(db: Session, item: Risk, *, today: date) -> Reply:
    return Reply(
        "risk_review_due",
        {
            "key": item.key,
            "title": item.title,
            "due": item.next_review,
            "days": (today - item.next_review).days if item.next_review else 0,
            "score": item.score,
            "band": item.band,
        },
        buttons=[Button(Text("risk.button.reviewed"), REVIEWED_ACTION, {"id": item.id}, style="primary")],
    )
