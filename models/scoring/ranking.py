"""The ranked backlog: best first, sorted by the database from its indexes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from models.requirements.requirement import Requirement, RequirementMarket, Status
from models.scoring import budget
from models.scoring import rice as math
from models.scoring.budget import ScoreBudget
from models.scoring.score import RequirementScore, ScoreMarket, weights
from models.workspace import Member

CLOSED = (Status.SHIPPED.value, Status.REJECTED.value)  # not part of the backlog that is ranked
COUNT_CAP = 1000  # the ranking says "1000+" rather than count a huge backlog on every page


class By(StrEnum):
    RICE = "rice"
    WEIGHTED = "weighted"
    ICE = "ice"


@dataclass(frozen=True)
class Ranked:
    rank: int
    id: int
    key: str
    title: str
    status: str
    value: Decimal | int | None  # None: not scored by this method
    moscow: str | None
    owner: tuple[str, str | None] | None  # (platform id, name)


@dataclass(frozen=True)
class RankedPage:
    items: list[Ranked]
    total: int  # open requirements in the ranking, counted up to COUNT_CAP
    capped: bool  # more than COUNT_CAP are open
    more: bool  # another page follows
    budget: math.Budget
    weight: Decimal | None  # the market's weight, when ranking one market by weighted RICE


def top(*, db: Session, workspace_id: int, by: By, market: str | None, offset: int, limit: int) -> RankedPage:
    """Open requirements best first; ties by key number; unscored ones after the scored.

    No query reads the whole backlog: the scored walk down the score index and stop after the page,
    the unscored walk up the key numbers, the count stops at COUNT_CAP, and the MoSCoW budget is the
    one kept up to date by every write (models/scoring/budget.py).
    """
    weight: Decimal | None = None
    if market and by is By.WEIGHTED:
        table = weights(db=db, workspace_id=workspace_id)
        weight = table.get(market, Decimal(0)) if table else Decimal(1)
    shape = (by, bool(market), weight is not None and weight == 0)
    params = {"workspace_id": workspace_id, "market": market, "closed": CLOSED, "cap": COUNT_CAP + 1}
    connection = db.connection()
    must, planned, missing, counted = connection.execute(
        _summary(bool(market)), {**params, "budget_market": market or budget.EVERY}
    ).one()
    window = {**params, "offset": offset, "limit": limit + 1}
    rows = connection.execute(_scored(*shape), window).all()
    if len(rows) <= limit:
        if rows or offset == 0:
            before = 0  # the scored list ends on this page
        else:
            before = offset - int(connection.execute(_scored_count(*shape), params).scalar_one())
        after = {**params, "offset": max(0, before), "limit": limit + 1 - len(rows)}
        rows += connection.execute(_unscored(*shape), after).all()
    items = []
    for n, row in enumerate(rows[:limit], start=offset + 1):
        value = row.value
        if value is not None and weight is not None:
            value = math.quantize(Decimal(value) * weight)
        owner = (row.owner_ref, row.owner_name) if row.owner_ref else None
        items.append(Ranked(n, row.id, f"REQ-{row.number}", row.title, row.status, value, row.moscow, owner))
    planned_set = budget.from_amounts((must, planned, missing))
    counted = int(counted)
    return RankedPage(items, min(counted, COUNT_CAP), counted > COUNT_CAP, len(rows) > limit, planned_set, weight)


def _value(by: By, with_market: bool) -> Any:
    """The column ranked on; one market's weighted RICE ranks like its RICE (the weight is one number)."""
    if by is By.ICE:
        return RequirementScore.ice
    if with_market:
        return ScoreMarket.rice
    return RequirementScore.rice if by is By.RICE else RequirementScore.weighted_rice


def _open(query: Select[Any], with_market: bool) -> Select[Any]:
    if with_market:
        query = query.join(
            RequirementMarket,
            and_(
                RequirementMarket.requirement_id == Requirement.id,  # type: ignore[arg-type]
                RequirementMarket.market == bindparam("market"),  # type: ignore[arg-type]
            ),
        )
    return query.where(
        Requirement.workspace_id == bindparam("workspace_id"),
        Requirement.status.not_in(bindparam("closed", expanding=True)),  # type: ignore[attr-defined]
        Requirement.archived_at.is_(None),  # type: ignore[union-attr]
    )


def _with_scores(query: Select[Any], with_market: bool, *, outer: bool) -> Select[Any]:
    join = query.outerjoin if outer else query.join
    query = join(RequirementScore, RequirementScore.requirement_id == Requirement.id)  # type: ignore[arg-type]
    if with_market:
        on_market = and_(
            ScoreMarket.requirement_id == Requirement.id,  # type: ignore[arg-type]
            ScoreMarket.market == bindparam("market"),  # type: ignore[arg-type]
        )
        query = query.outerjoin(ScoreMarket, on_market)
    return query


def _columns(value: Any) -> Select[Any]:
    owner = aliased(Member)
    return (
        select(
            Requirement.id,
            Requirement.number,
            Requirement.title,
            Requirement.status,
            RequirementScore.moscow,
            value.label("value"),
            owner.external_id.label("owner_ref"),  # type: ignore[attr-defined]
            owner.display_name.label("owner_name"),  # type: ignore[attr-defined]
        )
        .select_from(Requirement)
        .outerjoin(owner, owner.id == Requirement.owner_id)
    )


@cache
def _scored(by: By, with_market: bool, all_zero: bool) -> Select[Any]:
    """Read down the score index (workspace, value) and stop after the page: never the whole backlog."""
    value = _value(by, with_market)
    owner = aliased(Member)
    per_market = with_market and by is not By.ICE
    start: Any = ScoreMarket if per_market else RequirementScore
    query = select(
        Requirement.id,
        Requirement.number,
        Requirement.title,
        Requirement.status,
        RequirementScore.moscow,
        value.label("value"),
        owner.external_id.label("owner_ref"),  # type: ignore[attr-defined]
        owner.display_name.label("owner_name"),  # type: ignore[attr-defined]
    ).select_from(start)
    if per_market:
        query = query.join(RequirementScore, RequirementScore.requirement_id == ScoreMarket.requirement_id)
    query = query.join(Requirement, Requirement.id == RequirementScore.requirement_id)  # type: ignore[arg-type]
    if with_market:
        query = query.join(
            RequirementMarket,
            and_(
                RequirementMarket.requirement_id == Requirement.id,  # type: ignore[arg-type]
                RequirementMarket.market == bindparam("market"),  # type: ignore[arg-type]
            ),
        )
    if per_market:
        query = query.where(ScoreMarket.market == bindparam("market"))
    query = query.outerjoin(owner, owner.id == Requirement.owner_id).where(
        RequirementScore.workspace_id == bindparam("workspace_id"),
        Requirement.status.not_in(bindparam("closed", expanding=True)),  # type: ignore[attr-defined]
        Requirement.archived_at.is_(None),  # type: ignore[union-attr]
        value.is_not(None),
    )
    order = (Requirement.number,) if all_zero else (value.desc(), Requirement.number)
    return query.order_by(*order).offset(bindparam("offset")).limit(bindparam("limit"))


@cache
def _unscored(by: By, with_market: bool, all_zero: bool) -> Select[Any]:
    value = _value(by, with_market)
    query = _open(_with_scores(_columns(value), with_market, outer=True), with_market).where(value.is_(None))
    return query.order_by(Requirement.number).offset(bindparam("offset")).limit(bindparam("limit"))


@cache
def _scored_count(by: By, with_market: bool, all_zero: bool) -> Select[Any]:
    """How many open requirements are scored: only needed for a page past the last scored one."""
    value = _value(by, with_market)
    query = _open(_with_scores(select(func.count()).select_from(Requirement), with_market, outer=False), with_market)
    return query.where(value.is_not(None))


@cache
def _summary(with_market: bool) -> Select[Any]:
    """The planned set's kept budget (Must, all, items without an estimate) and the open count, capped:
    one primary-key read and a count that stops at the cap, whatever the size of the backlog."""

    def kept(amount: Any) -> Any:
        return (
            select(amount)
            .where(
                ScoreBudget.workspace_id == bindparam("workspace_id"),
                ScoreBudget.market == bindparam("budget_market"),
            )
            .scalar_subquery()
        )

    opened = _open(select(Requirement.id).select_from(Requirement), with_market).limit(bindparam("cap")).subquery()
    counted = select(func.count()).select_from(opened).scalar_subquery()
    return select(kept(ScoreBudget.must_cents), kept(ScoreBudget.planned_cents), kept(ScoreBudget.missing), counted)
