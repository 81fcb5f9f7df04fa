"""The ranked backlog (best first, sorted in the database) and the backlog export with its scores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from models import rice as math
from models.requirement import ListFilter, Requirement, RequirementMarket, Status
from models.score import RequirementScore, ScoreMarket, weights
from models.workspace import Member

CLOSED = (Status.SHIPPED.value, Status.REJECTED.value)  # not part of the backlog that is ranked


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
    the unscored walk up the key numbers, the count stops at COUNT_CAP, and the MoSCoW budget reads
    only the score rows of the planned set.
    """
    weight: Decimal | None = None
    if market and by is By.WEIGHTED:
        table = weights(db=db, workspace_id=workspace_id)
        weight = table.get(market, Decimal(0)) if table else Decimal(1)
    shape = (by, bool(market), weight is not None and weight == 0)
    params = {"workspace_id": workspace_id, "market": market, "closed": CLOSED, "cap": COUNT_CAP + 1}
    connection = db.connection()
    must, planned, missing, counted = connection.execute(_summary(bool(market)), params).one()
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
    budget = math.Budget(Decimal(must or 0), Decimal(planned or 0), int(missing or 0))
    counted = int(counted)
    return RankedPage(items, min(counted, COUNT_CAP), counted > COUNT_CAP, len(rows) > limit, budget, weight)


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
    """The planned set's effort (Must, all, items without an estimate) and the open count, capped."""
    closed = (
        select(Requirement.id)
        .where(
            Requirement.id == RequirementScore.requirement_id,
            Requirement.workspace_id == bindparam("workspace_id"),
            Requirement.status.in_(bindparam("closed", expanding=True)),  # type: ignore[attr-defined]
        )
        .exists()
    )
    opened = _open(select(Requirement.id).select_from(Requirement), with_market).limit(bindparam("cap")).subquery()
    counted = select(func.count()).select_from(opened).scalar_subquery()
    effort = RequirementScore.effort
    query = select(
        func.sum(effort).filter(RequirementScore.moscow == math.Moscow.MUST.value),
        func.sum(effort),
        func.count() - func.count(effort),
        counted,
    ).select_from(RequirementScore)
    if with_market:
        query = query.join(
            RequirementMarket,
            and_(
                RequirementMarket.requirement_id == RequirementScore.requirement_id,  # type: ignore[arg-type]
                RequirementMarket.market == bindparam("market"),  # type: ignore[arg-type]
            ),
        )
    planned = [m.value for m in math.PLANNED]
    return query.where(
        RequirementScore.workspace_id == bindparam("workspace_id"),
        RequirementScore.moscow.in_(planned),  # type: ignore[union-attr]
        ~closed,
    )


COUNT_CAP = 1000  # the ranking says "1000+" rather than count a huge backlog on every page


EXPORT_COLUMNS = (
    "key",
    "title",
    "status",
    "markets",
    "platform",
    "owner",
    "requester",
    "due",
    "moscow",
    "reach",
    "reach_by_market",
    "impact",
    "confidence_pct",
    "effort_person_months",
    "rice",
    "weighted_rice",
    "ice_impact",
    "ice_confidence",
    "ice_ease",
    "ice",
    "metric",
    "created_at_utc",
    "updated_at_utc",
)
WHOLE_NUMBER_COLUMNS = ("reach", "confidence_pct", "ice_impact", "ice_confidence", "ice_ease", "ice")


def export(*, db: Session, workspace_id: int, where: ListFilter) -> list[dict[str, Any]]:
    """Every requirement that matches, by key, with its current scores, as plain values for a CSV."""
    params = {
        "workspace_id": workspace_id,
        "status": where.status,
        "platform": where.platform,
        "member_id": where.member_id,
        "market": where.market,
    }
    shape = (bool(where.status), bool(where.platform), where.member_id is not None, bool(where.market))
    connection = db.connection()
    rows = connection.execute(_export(*shape), params).all()
    ids = [row.id for row in rows]
    markets: dict[int, list[str]] = {}
    split: dict[int, list[str]] = {}
    for chunk in _chunks(ids, 5000):
        for rid, market in connection.execute(_MARKETS, {"ids": chunk}):
            markets.setdefault(rid, []).append(market)
        for rid, market, reach in connection.execute(_SPLITS, {"ids": chunk}):
            split.setdefault(rid, []).append(f"{market}:{math.plain(Decimal(reach))}")
    out = []
    for row in rows:
        out.append(
            {
                "key": f"REQ-{row.number}",
                "title": row.title,
                "status": row.status,
                "markets": ",".join(markets.get(row.id, [])),
                "platform": row.platform,
                "owner": row.owner_name or row.owner_ref,
                "requester": row.requester_name or row.requester_ref,
                "due": row.due.isoformat() if isinstance(row.due, date) else None,
                "moscow": row.moscow,
                "reach": row.reach,
                "reach_by_market": ";".join(split.get(row.id, [])) or None,
                "impact": _num(row.impact),
                "confidence_pct": row.confidence,
                "effort_person_months": _num(row.effort),
                "rice": _num(row.rice),
                "weighted_rice": _num(row.weighted_rice),
                "ice_impact": row.ice_impact,
                "ice_confidence": row.ice_confidence,
                "ice_ease": row.ice_ease,
                "ice": row.ice,
                "metric": row.metric,
                "created_at_utc": _iso(row.created_at),
                "updated_at_utc": _iso(row.updated_at),
            }
        )
    return out


@cache
def _export(has_status: bool, has_platform: bool, has_member: bool, has_market: bool) -> Select[Any]:
    owner, requester = aliased(Member), aliased(Member)
    s = RequirementScore
    query = (
        select(
            Requirement.id,
            Requirement.number,
            Requirement.title,
            Requirement.status,
            Requirement.platform,
            Requirement.due,
            Requirement.metric,
            Requirement.created_at,
            Requirement.updated_at,
            owner.external_id.label("owner_ref"),  # type: ignore[attr-defined]
            owner.display_name.label("owner_name"),  # type: ignore[attr-defined]
            requester.external_id.label("requester_ref"),  # type: ignore[attr-defined]
            requester.display_name.label("requester_name"),  # type: ignore[attr-defined]
            s.moscow,
            s.reach,
            s.impact,
            s.confidence,
            s.effort,
            s.rice,
            s.weighted_rice,
            s.ice_impact,
            s.ice_confidence,
            s.ice_ease,
            s.ice,
        )
        .select_from(Requirement)
        .outerjoin(s, s.requirement_id == Requirement.id)  # type: ignore[arg-type]
        .join(requester, requester.id == Requirement.requester_id)
        .outerjoin(owner, owner.id == Requirement.owner_id)
        .where(Requirement.workspace_id == bindparam("workspace_id"))
    )
    if has_status:
        query = query.where(Requirement.status == bindparam("status"))
    if has_platform:
        query = query.where(Requirement.platform == bindparam("platform"))
    if has_member:
        query = query.where(
            or_(Requirement.requester_id == bindparam("member_id"), Requirement.owner_id == bindparam("member_id"))
        )
    if has_market:
        query = query.where(
            Requirement.id.in_(  # type: ignore[union-attr]
                select(RequirementMarket.requirement_id).where(RequirementMarket.market == bindparam("market"))
            )
        )
    return query.order_by(Requirement.number)


_MARKETS = (
    select(RequirementMarket.requirement_id, RequirementMarket.market)
    .where(RequirementMarket.requirement_id.in_(bindparam("ids", expanding=True)))  # type: ignore[attr-defined]
    .order_by(RequirementMarket.requirement_id, RequirementMarket.market)
)
_SPLITS = (
    select(ScoreMarket.requirement_id, ScoreMarket.market, ScoreMarket.reach)
    .join(RequirementScore, RequirementScore.requirement_id == ScoreMarket.requirement_id)
    .where(
        ScoreMarket.requirement_id.in_(bindparam("ids", expanding=True)),  # type: ignore[attr-defined]
        RequirementScore.reach_split.is_(True),  # type: ignore[attr-defined]
    )
    .order_by(ScoreMarket.requirement_id, ScoreMarket.market)
)


def _chunks(ids: list[int], size: int) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _num(value: Decimal | None) -> str | None:
    return None if value is None else math.plain(Decimal(value))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None
