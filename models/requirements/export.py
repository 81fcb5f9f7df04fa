"""The backlog as rows for a CSV file: every matching requirement by key, with its current scores."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Select
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


def any_match(*, db: Session, workspace_id: int, where: ListFilter) -> bool:
    """Whether any requirement matches: one indexed row, however big the backlog."""
    params, shape = _bound(workspace_id, where)
    return db.connection().execute(_first(*shape), params).first() is not None


def stream(*, db: Session, workspace_id: int, where: ListFilter) -> Iterator[tuple[Any, ...]]:
    """Every requirement that matches, by key, with its current scores, as plain values in
    EXPORT_COLUMNS order, read as it is written out: the rows, their markets and their split reach
    come from three queries in key order, joined on the requirement and merged as they stream."""
    params, shape = _bound(workspace_id, where)
    connection = db.connection().execution_options(yield_per=STREAM_BATCH)
    requirements = connection.execute(_export(*shape), params)
    markets = _Merged(connection.execute(_markets(*shape), params))
    splits = _Merged(connection.execute(_splits(*shape), params))
    for (
        _id,
        number,
        title,
        status,
        platform,
        due,
        metric,
        acceptance,
        description,
        created_at,
        updated_at,
        owner_ref,
        owner_name,
        requester_ref,
        requester_name,
        moscow,
        reach,
        impact,
        confidence,
        effort,
        rice,
        weighted_rice,
        ice_impact,
        ice_confidence,
        ice_ease,
        ice,
    ) in requirements:  # unpacked by position: the columns of _export, in order
        split = splits.take(number)
        yield (
            f"REQ-{number}",
            title,
            status,
            ",".join(market for (market,) in markets.take(number)),
            platform,
            owner_name or owner_ref,
            requester_name or requester_ref,
            due.isoformat() if isinstance(due, date) else None,
            moscow,
            reach,
            ";".join(f"{market}:{math.plain(Decimal(value))}" for market, value in split) or None,
            _num(impact),
            confidence,
            _num(effort),
            _num(rice),
            _num(weighted_rice),
            ice_impact,
            ice_confidence,
            ice_ease,
            ice,
            metric,
            acceptance,
            description,
            _iso(created_at),
            _iso(updated_at),
        )


STREAM_BATCH = 2000  # rows fetched at a time (a server-side cursor on PostgreSQL)


class _Merged:
    """Rows `(number, *values)` in number order, handed out one requirement at a time."""

    def __init__(self, rows: Iterable[Any]) -> None:
        self._rows = iter(rows)
        self._head: Any = next(self._rows, None)

    def take(self, number: int) -> list[tuple[Any, ...]]:
        while self._head is not None and self._head[0] < number:  # a row added after the main read began
            self._head = next(self._rows, None)
        found = []
        while self._head is not None and self._head[0] == number:
            found.append(tuple(self._head[1:]))
            self._head = next(self._rows, None)
        return found


def _bound(workspace_id: int, where: ListFilter) -> tuple[dict[str, Any], tuple[bool, bool, bool, bool]]:
    params = {
        "workspace_id": workspace_id,
        "status": where.status,
        "platform": where.platform,
        "member_id": where.member_id,
        "market": where.market,
    }
    return params, (bool(where.status), bool(where.platform), where.member_id is not None, bool(where.market))


@cache
def _first(has_status: bool, has_platform: bool, has_member: bool, has_market: bool) -> Select[Any]:
    query = select(Requirement.id).select_from(Requirement)
    return filter_rows(query, has_status, has_platform, has_member, has_market).limit(1)


@cache
def _markets(has_status: bool, has_platform: bool, has_member: bool, has_market: bool) -> Select[Any]:
    query = select(Requirement.number, RequirementMarket.market).join(
        Requirement,
        Requirement.id == RequirementMarket.requirement_id,  # type: ignore[arg-type]
    )
    query = filter_rows(query, has_status, has_platform, has_member, has_market)
    return query.order_by(Requirement.number, RequirementMarket.market)


@cache
def _splits(has_status: bool, has_platform: bool, has_member: bool, has_market: bool) -> Select[Any]:
    query = (
        select(Requirement.number, ScoreMarket.market, ScoreMarket.reach)
        .join(Requirement, Requirement.id == ScoreMarket.requirement_id)  # type: ignore[arg-type]
        .join(RequirementScore, RequirementScore.requirement_id == ScoreMarket.requirement_id)  # type: ignore[arg-type]
        .where(RequirementScore.reach_split.is_(True))  # type: ignore[attr-defined]
    )
    query = filter_rows(query, has_status, has_platform, has_member, has_market)
    return query.order_by(Requirement.number, ScoreMarket.market)


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


def _num(value: Decimal | None) -> str | None:
    return None if value is None else math.plain(Decimal(value))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None
