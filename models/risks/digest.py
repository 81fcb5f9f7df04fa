"""Risks for the standup digest: the risks an audit window names, with their markets, in one read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, func, select
from sqlmodel import Session

from models.risks.risk import Risk, RiskMarket

CHUNK = 900


@dataclass(frozen=True)
class RiskRow:
    id: int
    number: int
    title: str
    category: str
    score: int
    status: str
    reporter_id: int
    owner_id: int | None
    next_review: date | None
    markets: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"RISK-{self.number}"


def by_id(*, db: Session, ids: list[int]) -> dict[int, RiskRow]:
    found: dict[int, RiskRow] = {}
    connection = db.connection()
    for start in range(0, len(ids), CHUNK):
        for r in connection.execute(_BY_ID, {"ids": ids[start : start + CHUNK]}):
            markets = tuple(sorted(r.markets_csv.split(","))) if r.markets_csv else ()
            found[r.id] = RiskRow(
                r.id,
                r.number,
                r.title,
                r.category,
                r.score,
                r.status,
                r.reporter_id,
                r.owner_id,
                r.next_review,
                markets,
            )
    return found


_MARKETS = (
    select(func.aggregate_strings(RiskMarket.market, ","))
    .where(RiskMarket.risk_id == Risk.id)
    .scalar_subquery()
    .label("markets_csv")
)
_BY_ID = select(
    Risk.id,
    Risk.number,
    Risk.title,
    Risk.category,
    Risk.score,
    Risk.status,
    Risk.reporter_id,
    Risk.owner_id,
    Risk.next_review,
    _MARKETS,
).where(Risk.id.in_(bindparam("ids", expanding=True)))  # type: ignore[union-attr]
