"""The ranking a channel's digest shows, and the re-scores of a window, read in bounded statements.

A channel ranks by the score its markets get: with no markets, each requirement's RICE (weighted
RICE when the workspace has market weights); with markets, the sum of its RICE in the channel's
markets, each at its weight when there are weights. For one market this is the order of
`/score top market=DE`. The same value is computed in Python from a score's inputs (`channel_value`),
so that the ranking at the start of a window can be rebuilt from the score history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, exists, func, literal, select
from sqlmodel import Session

from models.requirements.requirement import Requirement, RequirementMarket
from models.scoring import rice as math
from models.scoring.ranking import CLOSED
from models.scoring.rice import RiceInputs
from models.scoring.score import MarketWeight, RequirementScore, ScoreEntry, ScoreMarket

CHUNK = 900


@dataclass(frozen=True)
class Valued:
    id: int
    number: int
    value: Decimal | None  # None: not scored for this channel


def scored(*, db: Session, workspace_id: int, markets: tuple[str, ...], weighted: bool, limit: int) -> list[Valued]:
    """Open requirements scored for the channel, best first (ties to the older key), at most `limit`."""
    params: dict[str, Any] = {"workspace_id": workspace_id, "closed": list(CLOSED), "limit": limit}
    if markets:
        params["markets"] = list(markets)
    rows = db.connection().execute(_scored(bool(markets), weighted), params)
    return [Valued(r.id, r.number, math.quantize(Decimal(r.value))) for r in rows]


def unscored(*, db: Session, workspace_id: int, markets: tuple[str, ...], weighted: bool, limit: int) -> list[Valued]:
    """Open requirements of the channel without a score for it, by key number (after the scored ones)."""
    params: dict[str, Any] = {"workspace_id": workspace_id, "closed": list(CLOSED), "limit": limit}
    if markets:
        params["markets"] = list(markets)
    rows = db.connection().execute(_unscored(bool(markets), weighted), params)
    return [Valued(r.id, r.number, None) for r in rows]


def channel_value(
    inputs: RiceInputs | None,
    requirement_markets: Iterable[str],
    channel_markets: tuple[str, ...],
    weights: Mapping[str, Decimal],
) -> Decimal | None:
    """The channel's score of one requirement from its RICE inputs; the same number `scored` ranks by."""
    if inputs is None:
        return None
    tagged = set(requirement_markets)
    if not channel_markets:
        return math.weighted_rice(inputs, tagged, weights) if weights else inputs.score
    total, found = Decimal(0), False
    for market, reach in math.reach_by_market(inputs, tagged).items():
        if market in channel_markets and market in tagged:
            value = math.rice(reach, inputs.impact, inputs.confidence, inputs.effort)
            total += value * weights.get(market, Decimal(0)) if weights else value
            found = True
    return math.quantize(total) if found else None


@dataclass(frozen=True)
class Inputs:
    """RICE inputs from the score history: the last before a time, and the latest."""

    before: dict[int, RiceInputs]
    latest: dict[int, RiceInputs]


def rice_inputs(*, db: Session, ids: list[int], before: datetime) -> Inputs:
    """Per requirement, the RICE inputs of its last re-score before `before` and of its latest one.

    Each is one statement over the (requirement, id) index of the history, for a bounded set of ids.
    """
    found = Inputs({}, {})
    connection = db.connection()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for row in connection.execute(_LAST_BEFORE, {"ids": chunk, "before": before}):
            found.before[row.requirement_id] = _inputs(row.inputs)
        for row in connection.execute(_LATEST, {"ids": chunk}):
            found.latest[row.requirement_id] = _inputs(row.inputs)
    return found


def _inputs(data: dict[str, Any]) -> RiceInputs:
    split = {m: int(r) for m, r in (data.get("by_market") or {}).items()}
    return RiceInputs(
        int(data["reach"]), Decimal(str(data["impact"])), int(data["confidence"]), Decimal(str(data["effort"])), split
    )


def _open(query: Select[Any]) -> Select[Any]:
    return query.where(
        Requirement.workspace_id == bindparam("workspace_id"),
        Requirement.status.not_in(bindparam("closed", expanding=True)),  # type: ignore[attr-defined]
        Requirement.archived_at.is_(None),  # type: ignore[union-attr]
    )


@cache
def _scored(by_markets: bool, weighted: bool) -> Select[Any]:
    if not by_markets:
        # Down the (workspace, score) index; stops after `limit` rows.
        value = RequirementScore.weighted_rice if weighted else RequirementScore.rice
        query = (
            select(Requirement.id, Requirement.number, value.label("value"))
            .select_from(RequirementScore)
            .join(Requirement, Requirement.id == RequirementScore.requirement_id)  # type: ignore[arg-type]
            .where(RequirementScore.workspace_id == bindparam("workspace_id"), value.is_not(None))  # type: ignore[union-attr]
        )
        return _open(query).order_by(value.desc(), Requirement.number).limit(bindparam("limit"))  # type: ignore[union-attr]
    # The channel's markets: the per-market RICE rows of those markets (index on market), summed.
    weight: Any = func.coalesce(MarketWeight.weight, 0) if weighted else literal(1)
    total = func.sum(ScoreMarket.rice * weight).label("value")
    query = (
        select(Requirement.id, Requirement.number, total)
        .select_from(ScoreMarket)
        .join(RequirementScore, RequirementScore.requirement_id == ScoreMarket.requirement_id)  # type: ignore[arg-type]
        .join(Requirement, Requirement.id == ScoreMarket.requirement_id)  # type: ignore[arg-type]
        .join(
            RequirementMarket,
            and_(
                RequirementMarket.requirement_id == ScoreMarket.requirement_id,  # type: ignore[arg-type]
                RequirementMarket.market == ScoreMarket.market,  # type: ignore[arg-type]
            ),
        )
    )
    if weighted:
        query = query.outerjoin(
            MarketWeight,
            and_(
                MarketWeight.workspace_id == RequirementScore.workspace_id,  # type: ignore[arg-type]
                MarketWeight.market == ScoreMarket.market,  # type: ignore[arg-type]
            ),
        )
    query = query.where(
        ScoreMarket.market.in_(bindparam("markets", expanding=True)),  # type: ignore[attr-defined]
        RequirementScore.workspace_id == bindparam("workspace_id"),
    )
    query = _open(query).group_by(Requirement.id, Requirement.number)
    return query.order_by(total.desc(), Requirement.number).limit(bindparam("limit"))


@cache
def _unscored(by_markets: bool, weighted: bool) -> Select[Any]:
    query = select(Requirement.id, Requirement.number)
    if not by_markets:
        value = RequirementScore.weighted_rice if weighted else RequirementScore.rice
        query = query.outerjoin(RequirementScore, RequirementScore.requirement_id == Requirement.id).where(  # type: ignore[arg-type]
            value.is_(None)  # type: ignore[union-attr]
        )
    else:
        tagged = RequirementMarket.market.in_(bindparam("markets", expanding=True))  # type: ignore[attr-defined]
        in_channel = exists().where(RequirementMarket.requirement_id == Requirement.id, tagged)
        scored_there = exists().where(
            ScoreMarket.requirement_id == Requirement.id,
            RequirementMarket.requirement_id == Requirement.id,
            RequirementMarket.market == ScoreMarket.market,
            tagged,
        )
        query = query.where(in_channel, ~scored_there)
    return _open(query).order_by(Requirement.number).limit(bindparam("limit"))


def _last_entry(before: bool) -> Select[Any]:
    newest = select(func.max(ScoreEntry.id)).where(
        ScoreEntry.requirement_id.in_(bindparam("ids", expanding=True)),  # type: ignore[attr-defined]
        ScoreEntry.method == "rice",
    )
    if before:
        newest = newest.where(ScoreEntry.at < bindparam("before"))  # type: ignore[operator]
    newest = newest.group_by(ScoreEntry.requirement_id)
    return select(ScoreEntry.requirement_id, ScoreEntry.inputs).where(ScoreEntry.id.in_(newest))  # type: ignore[union-attr]


_LAST_BEFORE = _last_entry(before=True)
_LATEST = _last_entry(before=False)
