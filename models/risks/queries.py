"""What each risk reply draws, read in one call: a risk card (its actions, exposure and, for the full
card, its recent history, watches, score trend and the workspace's own playbook), a page of the
register, a threshold alert, and a page of figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from models import audit_trail
from models.audit import AuditEntry
from models.costs import fx
from models.costs.fx import Converted, RateBook
from models.requirements.requirement import KEY_PREFIX as REQ_PREFIX
from models.requirements.requirement import Requirement
from models.risks import indicator as ind_model
from models.risks import mitigation as mit_model
from models.risks import risk as risk_model
from models.risks.exposure import report_currency
from models.risks.indicator import Figure, RiskAlert
from models.risks.mitigation import RiskMitigation
from models.risks.risk import Risk, RiskFilter, RiskView
from models.workspace import Workspace, names_of

HISTORY_SHOWN = 5
People = dict[int, tuple[str, str | None]]  # member id → (platform id, display name)


@dataclass(frozen=True)
class Exposure:
    """An exposure as given and, when the workspace reports in another currency, what it is there."""

    currency: str
    amount: Decimal
    target: str | None = None  # the workspace's currency, when it is not the one given
    converted: Converted | None = None  # None with a target: no rate is known


@dataclass(frozen=True)
class Watch:
    name: str
    direction: str
    threshold: Decimal
    value: Decimal | None  # the figure now, if it has been fed
    tripped: bool


@dataclass(frozen=True)
class RiskCard:
    view: RiskView
    actions: list[RiskMitigation]
    people: People  # everyone the card names
    exposure: Exposure | None
    requirement: str | None  # the linked requirement's key
    detail: bool = False  # the full card: what follows is read only for it
    history: list[AuditEntry] = field(default_factory=list)  # newest first
    scores: list[int] = field(default_factory=list)  # oldest first
    watches: list[Watch] = field(default_factory=list)
    own_playbook: list[dict[str, Any]] | None = None  # the workspace's steps for the category, if its own


@dataclass(frozen=True)
class ListItem:
    view: RiskView
    exposure: Exposure | None
    actions: tuple[int, int]  # (all, done)


@dataclass(frozen=True)
class RiskPage:
    items: list[ListItem]
    total: int
    more: bool
    people: People


@dataclass(frozen=True)
class AlertCard:
    alert: RiskAlert
    view: RiskView
    people: People


@dataclass(frozen=True)
class FigurePage:
    items: list[Figure]
    total: int
    more: bool


def risk_card(*, db: Session, view: RiskView, detail: bool = False, on: date) -> RiskCard:
    """`on`: the day whose FX rate converts the exposure."""
    item = view.item
    assert item.id is not None
    actions = mit_model.mitigations(db=db, risk_id=item.id)
    requirement = None
    if item.requirement_id:
        req = db.get(Requirement, item.requirement_id)
        requirement = f"{REQ_PREFIX}-{req.number}" if req else None
    ids = [item.owner_id, item.reporter_id, item.acknowledged_by, item.decided_by, *(a.owner_id for a in actions)]
    exposure = _exposures(db, item.workspace_id, [item], on).get(item.id)
    if not detail:
        return RiskCard(view, actions, names_of(db=db, member_ids=ids), exposure, requirement)
    trail = audit_trail.page(
        db=db,
        workspace_id=item.workspace_id,
        entity=risk_model.ENTITY,
        entity_id=item.id,
        limit=HISTORY_SHOWN,
        also=ids,
    )
    own = mit_model.playbook_override(db=db, workspace_id=item.workspace_id, category=item.category)
    return RiskCard(
        view,
        actions,
        trail.people,
        exposure,
        requirement,
        detail=True,
        history=trail.entries,
        scores=[s.score for s in risk_model.score_history(db=db, risk_id=item.id)],
        watches=_watches(db, item),
        own_playbook=list(own.steps) if own is not None else None,
    )


def risk_page(*, db: Session, workspace_id: int, where: RiskFilter, offset: int, limit: int, on: date) -> RiskPage:
    """A page of the register, gravest first, with each risk's exposure and how many actions it has."""
    found = risk_model.page(db=db, workspace_id=workspace_id, where=where, offset=offset, limit=limit)
    risks = [v.item for v in found.items]
    ids = [r.id for r in risks if r.id is not None]
    counts = mit_model.mitigation_counts(db=db, risk_ids=ids)
    exposures = _exposures(db, workspace_id, risks, on)
    items = [ListItem(v, exposures.get(v.item.id or 0), counts.get(v.item.id or 0, (0, 0))) for v in found.items]
    people = names_of(db=db, member_ids=[i for r in risks for i in (r.owner_id, r.reporter_id)])
    return RiskPage(items, found.total, found.more, people)


def alert_card(*, db: Session, alert: RiskAlert, view: RiskView) -> AlertCard:
    item = view.item
    return AlertCard(alert, view, names_of(db=db, member_ids=[item.owner_id, item.reporter_id, alert.raised_by]))


def figure_page(*, db: Session, workspace_id: int, offset: int, limit: int) -> FigurePage:
    """A page of the workspace's figures, by name, its exchange rates among them (a workspace keeps tens
    of figures, so they are read whole)."""
    every = ind_model.figures(db=db, workspace_id=workspace_id)
    rows = every[offset : offset + limit]
    return FigurePage(rows, len(every), len(every) > offset + limit)


def workspace_tz(*, db: Session, workspace_id: int) -> str:
    """The time zone that decides the workspace's today."""
    workspace = db.get(Workspace, workspace_id)
    return workspace.default_tz if workspace else "UTC"


def _exposures(db: Session, workspace_id: int, risks: list[Risk], on: date) -> dict[int, Exposure]:
    """Each risk's exposure, converted at the workspace's rates of `on` (read once for all of them)."""
    given = [r for r in risks if r.id is not None and r.exposure_amount is not None and r.exposure_currency]
    if not given:
        return {}
    target = report_currency(db=db, workspace_id=workspace_id)
    book: RateBook | None = None
    found: dict[int, Exposure] = {}
    for risk in given:
        assert risk.id is not None and risk.exposure_amount is not None and risk.exposure_currency
        if risk.exposure_currency == target:
            found[risk.id] = Exposure(risk.exposure_currency, risk.exposure_amount)
            continue
        if book is None:
            book = fx.rate_book(db=db, workspace_id=workspace_id, on=on)
        converted = book.convert(risk.exposure_amount, risk.exposure_currency, target)
        found[risk.id] = Exposure(risk.exposure_currency, risk.exposure_amount, target, converted)
    return found


def _watches(db: Session, item: Risk) -> list[Watch]:
    assert item.id is not None
    rows = []
    for watch in ind_model.watches_of(db=db, risk_id=item.id):
        current = ind_model.get_figure(db=db, workspace_id=item.workspace_id, name=watch.figure_name)
        value = current.value if current else None
        rows.append(Watch(watch.figure_name, watch.direction, watch.threshold, value, watch.tripped))
    return rows
