"""Scores: each requirement's current RICE, ICE and MoSCoW, every re-score kept, and market weights.

The current score sits in one row per requirement (with its reach and RICE per market, and its
weighted RICE) so that ranking is a sort in the database; the history keeps every re-score with who
and when. Derived values are computed with Decimals in Python (models/scoring/rice.py) and stored rounded,
so that equal scores are equal in SQL and ties fall to the tie-breaker.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    bindparam,
    delete,
    insert,
    update,
)
from sqlmodel import Field, Session, SQLModel, select

from models import audit
from models.base import UTCDateTime, dialect_insert, utcnow
from models.requirements.requirement import ENTITY as REQUIREMENT
from models.requirements.requirement import RequirementMarket
from models.scoring import budget
from models.scoring import rice as math
from models.scoring.rice import RiceInputs

SCORE = Numeric(18, 4)


class RequirementScore(SQLModel, table=True):
    __tablename__ = "requirement_score"
    __table_args__ = (
        Index("ix_requirement_score_rice", "workspace_id", "rice"),
        Index("ix_requirement_score_weighted", "workspace_id", "weighted_rice"),
        Index("ix_requirement_score_ice", "workspace_id", "ice"),
        # The MoSCoW budget of /score top sums effort by class from this index alone.
        Index("ix_requirement_score_budget", "workspace_id", "moscow", "effort"),
    )

    requirement_id: int = Field(
        sa_column=Column(Integer, ForeignKey("requirement.id", ondelete="CASCADE"), primary_key=True)
    )
    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), nullable=False))
    reach: int | None = Field(default=None, sa_column=Column(BigInteger))
    reach_split: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, default=False))
    impact: Decimal | None = Field(default=None, sa_type=Numeric(4, 2))
    confidence: int | None = None
    effort: Decimal | None = Field(default=None, sa_type=Numeric(8, 2))
    rice: Decimal | None = Field(default=None, sa_type=SCORE)
    weighted_rice: Decimal | None = Field(default=None, sa_type=SCORE)
    ice_impact: int | None = None
    ice_confidence: int | None = None
    ice_ease: int | None = None
    ice: int | None = None
    moscow: str | None = Field(default=None, max_length=8)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    def rice_inputs(self, by_market: Mapping[str, int] | None = None) -> RiceInputs | None:
        if self.reach is None or self.impact is None or self.confidence is None or self.effort is None:
            return None
        return RiceInputs(self.reach, self.impact, self.confidence, self.effort, dict(by_market or {}))

    def ice_inputs(self) -> tuple[int, int, int] | None:
        if self.ice_impact is None or self.ice_confidence is None or self.ice_ease is None:
            return None
        return self.ice_impact, self.ice_confidence, self.ice_ease


class ScoreMarket(SQLModel, table=True):
    """A requirement's reach and RICE in one market: as split by the scorer, or its reach spread evenly."""

    __tablename__ = "score_market"
    __table_args__ = (Index("ix_score_market_rank", "market", "rice"),)

    requirement_id: int = Field(
        sa_column=Column(Integer, ForeignKey("requirement.id", ondelete="CASCADE"), primary_key=True)
    )
    market: str = Field(primary_key=True, max_length=2)
    reach: Decimal = Field(sa_type=SCORE)
    rice: Decimal = Field(sa_type=SCORE)


class ScoreEntry(SQLModel, table=True):
    """One re-score: the method, what was entered, the resulting value, who and when."""

    __tablename__ = "score_entry"
    __table_args__ = (Index("ix_score_entry_requirement", "requirement_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), nullable=False))
    requirement_id: int = Field(
        sa_column=Column(Integer, ForeignKey("requirement.id", ondelete="CASCADE"), nullable=False)
    )
    actor_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("member.id")))
    method: str = Field(max_length=8)
    inputs: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    value: str | None = Field(default=None, max_length=32)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MarketWeight(SQLModel, table=True):
    """How much reach in a market counts in weighted RICE (e.g. the market's share of GMV)."""

    __tablename__ = "market_weight"

    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), primary_key=True))
    market: str = Field(primary_key=True, max_length=2)
    weight: Decimal = Field(sa_type=Numeric(10, 4))


@dataclass(frozen=True)
class Current:
    """A requirement's current score."""

    rice: RiceInputs | None
    rice_value: Decimal | None
    weighted: Decimal | None
    ice: tuple[int, int, int] | None
    moscow: str | None


UNCHANGED: Any = object()


@dataclass(frozen=True)
class Change:
    """What a /score did, per method: {method: (old value, new value)} as stored strings."""

    moved: dict[str, tuple[str | None, str | None]]
    current: Current


def current(*, db: Session, requirement_id: int) -> Current | None:
    row = db.get(RequirementScore, requirement_id)
    if row is None:
        return None
    return _current(row, _split_of(db, row))


def save(
    *,
    db: Session,
    workspace_id: int,
    requirement_id: int,
    actor_id: int,
    markets: Iterable[str],
    rice: RiceInputs | None = None,
    ice: tuple[int, int, int] | None = None,
    moscow: str | None = UNCHANGED,
) -> Change:
    """Store what was scored; keep each changed method in the history and the audit log."""
    moves_budget = rice is not None or moscow is not UNCHANGED
    before = budget.Share.of(db, requirement_id) if moves_budget else None  # (locks the requirement first)
    row = _locked_row(db, workspace_id, requirement_id)
    now = utcnow()
    moved: dict[str, tuple[str | None, str | None]] = {}
    if rice is not None:
        old = _text(row.rice)
        row.reach, row.impact, row.confidence, row.effort = rice.reach, rice.impact, rice.confidence, rice.effort
        row.reach_split = bool(rice.reach_by_market)
        row.rice = rice.score
        _set_markets(db, row, rice, markets)
        row.weighted_rice = math.weighted_rice(rice, markets, weights(db=db, workspace_id=workspace_id))
        moved["rice"] = (old, _text(row.rice))
        _entry(db, row, actor_id, "rice", _rice_json(rice), _text(row.rice), now)
    if ice is not None:
        old = _text(row.ice)
        row.ice_impact, row.ice_confidence, row.ice_ease = ice
        row.ice = math.ice(*ice)
        moved["ice"] = (old, _text(row.ice))
        _entry(db, row, actor_id, "ice", {"impact": ice[0], "confidence": ice[1], "ease": ice[2]}, _text(row.ice), now)
    if moscow is not UNCHANGED:
        moved["moscow"] = (row.moscow, moscow)
        row.moscow = moscow
        _entry(db, row, actor_id, "moscow", {}, moscow, now)
    row.updated_at = now
    db.add(row)
    db.flush()
    if before is not None:
        budget.apply(db, before, budget.Share.of(db, requirement_id))
    audit.record(
        db=db,
        workspace_id=workspace_id,
        actor_id=actor_id,
        entity=REQUIREMENT,
        entity_id=requirement_id,
        action="score",
        changes={method: list(pair) for method, pair in moved.items()},
        at=now,
    )
    return Change(moved, _current(row, dict(rice.reach_by_market) if rice else _split_of(db, row)))


def markets_changed(*, db: Session, workspace_id: int, requirement_id: int, markets: Iterable[str]) -> None:
    """The requirement's markets were edited: an unsplit reach is spread over the new ones."""
    row = db.get(RequirementScore, requirement_id)
    if row is None or row.reach_split:
        return
    inputs = row.rice_inputs()
    if inputs is None:
        return
    _set_markets(db, row, inputs, markets)
    row.weighted_rice = math.weighted_rice(inputs, markets, weights(db=db, workspace_id=workspace_id))
    db.add(row)


def history(*, db: Session, requirement_id: int, limit: int = 50, offset: int = 0) -> list[ScoreEntry]:
    """Newest first."""
    return list(
        db.exec(
            select(ScoreEntry)
            .where(ScoreEntry.requirement_id == requirement_id)
            .order_by(ScoreEntry.id.desc())  # type: ignore[union-attr]
            .offset(offset)
            .limit(limit)
        ).all()
    )


def weights(*, db: Session, workspace_id: int) -> dict[str, Decimal]:
    rows = db.connection().execute(_WEIGHTS, {"workspace_id": workspace_id})
    return {market: Decimal(weight) for market, weight in rows}


def set_weights(*, db: Session, workspace_id: int, actor_id: int, new: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Replace the workspace's market weights and re-weigh every scored requirement; returns the old ones."""
    old = weights(db=db, workspace_id=workspace_id)
    connection = db.connection()
    connection.execute(delete(MarketWeight).where(MarketWeight.workspace_id == workspace_id))  # type: ignore[arg-type]
    if new:
        rows = [{"workspace_id": workspace_id, "market": m, "weight": w} for m, w in sorted(new.items())]
        connection.execute(insert(MarketWeight), rows)
    _reweigh(db, workspace_id, dict(new))
    audit.record(
        db=db,
        workspace_id=workspace_id,
        actor_id=actor_id,
        entity="workspace",
        entity_id=workspace_id,
        action="weights",
        changes={"weights": [_weights_json(old), _weights_json(new)]},
    )
    return old


def _reweigh(db: Session, workspace_id: int, new: dict[str, Decimal]) -> None:
    connection = db.connection()
    scored = connection.execute(
        select(
            RequirementScore.requirement_id,
            RequirementScore.reach,
            RequirementScore.impact,
            RequirementScore.confidence,
            RequirementScore.effort,
        ).where(RequirementScore.workspace_id == workspace_id, RequirementScore.rice.is_not(None))  # type: ignore[union-attr]
    ).all()
    if not scored:
        return
    per_market: dict[int, dict[str, int]] = {}
    spread = connection.execute(
        select(ScoreMarket.requirement_id, ScoreMarket.market, ScoreMarket.reach)
        .join(RequirementScore, RequirementScore.requirement_id == ScoreMarket.requirement_id)
        .where(RequirementScore.workspace_id == workspace_id)
    )
    for requirement_id, market, reach in spread:
        per_market.setdefault(requirement_id, {})[market] = reach
    updates = []
    for requirement_id, reach, impact, confidence, effort in scored:
        # The stored per-market reach already follows the rule, so it is weighed as a split.
        inputs = RiceInputs(reach, impact, confidence, effort, per_market.get(requirement_id, {}))
        updates.append({"rid": requirement_id, "weighted": math.weighted_rice(inputs, (), new)})
    connection.execute(_SET_WEIGHTED, updates)


def _locked_row(db: Session, workspace_id: int, requirement_id: int) -> RequirementScore:
    db.exec(
        dialect_insert(db, RequirementScore)
        .values(requirement_id=requirement_id, workspace_id=workspace_id, reach_split=False, updated_at=utcnow())
        .on_conflict_do_nothing(index_elements=["requirement_id"])
    )
    query = select(RequirementScore).where(RequirementScore.requirement_id == requirement_id).with_for_update()
    return db.exec(query.execution_options(populate_existing=True)).one()


def _set_markets(db: Session, row: RequirementScore, inputs: RiceInputs, markets: Iterable[str]) -> None:
    connection = db.connection()
    connection.execute(delete(ScoreMarket).where(ScoreMarket.requirement_id == row.requirement_id))  # type: ignore[arg-type]
    reach = math.reach_by_market(inputs, markets)
    if reach:
        rows = [
            {
                "requirement_id": row.requirement_id,
                "market": m,
                "reach": r,
                "rice": math.rice(r, inputs.impact, inputs.confidence, inputs.effort),
            }
            for m, r in reach.items()
        ]
        connection.execute(insert(ScoreMarket), rows)


def _split_of(db: Session, row: RequirementScore) -> dict[str, int]:
    if not row.reach_split:
        return {}
    found = db.connection().execute(_SPLIT, {"rid": row.requirement_id})
    return {market: int(reach) for market, reach in found}


def _current(row: RequirementScore, split: Mapping[str, int]) -> Current:
    return Current(row.rice_inputs(split), row.rice, row.weighted_rice, row.ice_inputs(), row.moscow)


def _entry(
    db: Session,
    row: RequirementScore,
    actor_id: int,
    method: str,
    inputs: dict[str, Any],
    value: str | None,
    at: datetime,
) -> None:
    db.connection().execute(
        _INSERT_ENTRY,
        {
            "workspace_id": row.workspace_id,
            "requirement_id": row.requirement_id,
            "actor_id": actor_id,
            "method": method,
            "inputs": inputs,
            "value": value,
            "at": at,
        },
    )


def _rice_json(rice: RiceInputs) -> dict[str, Any]:
    data: dict[str, Any] = {
        "reach": rice.reach,
        "impact": math.plain(rice.impact),
        "confidence": rice.confidence,
        "effort": math.plain(rice.effort),
    }
    if rice.reach_by_market:
        data["by_market"] = dict(sorted(rice.reach_by_market.items()))
    return data


def _weights_json(weights: Mapping[str, Decimal]) -> dict[str, str]:
    return {m: math.plain(w) for m, w in sorted(weights.items())}


def _text(value: Decimal | int | None) -> str | None:
    if value is None:
        return None
    return math.plain(Decimal(value)) if isinstance(value, Decimal) else str(value)


def markets_of(*, db: Session, requirement_id: int) -> list[str]:
    rows = db.connection().execute(_MARKETS, {"rid": requirement_id})
    return [market for (market,) in rows]


_WEIGHTS = select(MarketWeight.market, MarketWeight.weight).where(
    MarketWeight.workspace_id == bindparam("workspace_id")
)
_SPLIT = select(ScoreMarket.market, ScoreMarket.reach).where(ScoreMarket.requirement_id == bindparam("rid"))
_MARKETS = (
    select(RequirementMarket.market)
    .where(RequirementMarket.requirement_id == bindparam("rid"))
    .order_by(RequirementMarket.market)
)
_INSERT_ENTRY = insert(ScoreEntry)
_SET_WEIGHTED = (
    update(RequirementScore)
    .where(RequirementScore.requirement_id == bindparam("rid"))  # type: ignore[arg-type]
    .values(weighted_rice=bindparam("weighted"))
)
