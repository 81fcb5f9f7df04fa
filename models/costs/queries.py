"""What the SKU list and the rate list draw, each read in one call. (A SKU's cost card and its
what-if table read theirs through models/costs/margin.py: evaluate_sku and what_if.)"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from models.costs.cost import CostLane, Sku
from models.costs.fx import Rate, home_currency, rate_book


@dataclass(frozen=True)
class SkuPage:
    items: list[tuple[Sku, list[str]]]  # each SKU with the markets of its lanes
    total: int  # how many SKUs the workspace has
    more: bool  # another page follows


def sku_page(*, db: Session, workspace_id: int, offset: int, limit: int) -> SkuPage:
    """One page of the workspace's SKUs by code, each with the markets of its lanes."""
    total = db.exec(select(func.count()).select_from(Sku).where(Sku.workspace_id == workspace_id)).one()
    query = select(Sku).where(Sku.workspace_id == workspace_id).order_by(Sku.code_key, Sku.id)  # type: ignore[arg-type]
    skus = list(db.exec(query.offset(offset).limit(limit + 1)).all())
    shown = skus[:limit]
    markets: dict[int, list[str]] = {}
    ids = [s.id for s in shown if s.id is not None]
    if ids:
        rows = db.exec(
            select(CostLane.sku_id, CostLane.market)
            .where(CostLane.sku_id.in_(ids))  # type: ignore[attr-defined]
            .order_by(CostLane.market)
        ).all()
        for sku_id, market in rows:
            markets.setdefault(sku_id, []).append(market)
    return SkuPage([(s, markets.get(s.id or 0, [])) for s in shown], int(total), len(skus) > limit)


@dataclass(frozen=True)
class FxRates:
    home: str  # the workspace's home currency
    rates: list[Rate]  # every pair as the team set it, by pair


def fx_rates(*, db: Session, workspace_id: int) -> FxRates:
    """The team's newest rate for each pair, and its home currency."""
    book = rate_book(db=db, workspace_id=workspace_id)
    return FxRates(home_currency(db=db, workspace_id=workspace_id), book.latest())
