"""The backlog as rows for a CSV file: every matching requirement by key, with its current scores."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from models.requirements.requirement import ListFilter, Requirement, RequirementMarket, filter_rows
from models.scoring import rice as math
from models.scoring.score import RequirementScore, ScoreMarket
from models.workspace import Member

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
    "acceptance",
    "description",
    "created_at_utc",
    "updated_at_utc",
)
WHOLE_NUMBER_COLUMNS = ("reach", "confidence_pct", "ice_impact", "ice_confidence", "ice_ease", "ice")
# Numbers the scoring computed or checked (never free text); everything else is text a person typed.
NUMERIC_COLUMNS = (*WHOLE_NUMBER_COLUMNS, "impact", "effort_person_months", "rice", "weighted_rice")


def rows(*, db: Session, workspace_id: int, where: ListFilter) -> list[dict[str, Any]]:
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
                "acceptance": row.acceptance,
                "description": row.description,
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
            Requirement.acceptance,
            Requirement.description,
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
    )
    return filter_rows(query, has_status, has_platform, has_member, has_market).order_by(Requirement.number)


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
