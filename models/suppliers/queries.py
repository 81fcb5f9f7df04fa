"""What the supplier cards draw, each read in one call: one supplier with its scorecards and links, a few
suppliers side by side, and a page of the supplier list."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import Session, select

from models.costs.cost import Sku
from models.requirements.requirement import Requirement
from models.suppliers import supplier as supplier_model
from models.suppliers.link import SupplierLink
from models.suppliers.supplier import Supplier, SupplierScore
from models.workspace import names_of

HISTORY_SHOWN = 5
People = dict[int, tuple[str, str | None]]


@dataclass(frozen=True)
class LinkTarget:
    """What a supplier supplies: a requirement (its key) or a SKU (its code); None when it is gone."""

    requirement_key: str | None
    sku_code: str | None
    role: str
    is_requirement: bool


@dataclass(frozen=True)
class SupplierCard:
    supplier: Supplier
    weights: dict[str, Decimal]
    history: list[SupplierScore]  # newest first; the first is the current scorecard
    people: People  # who scored each scorecard: member id → (platform id, name)
    links: list[LinkTarget]


@dataclass(frozen=True)
class Scored:
    supplier: Supplier
    latest: SupplierScore | None  # its current scorecard, if it has one


@dataclass(frozen=True)
class Compared:
    suppliers: list[Scored]
    weights: dict[str, Decimal]


@dataclass(frozen=True)
class SupplierPage:
    items: list[Scored]  # by name
    total: int  # how many suppliers the workspace has
    more: bool  # another page follows
    weights: dict[str, Decimal]


def supplier_card(*, db: Session, supplier: Supplier) -> SupplierCard:
    assert supplier.id is not None
    weights = supplier_model.weights(db=db, workspace_id=supplier.workspace_id)
    history = supplier_model.score_history(db=db, supplier_id=supplier.id, limit=HISTORY_SHOWN)
    people = names_of(db=db, member_ids=[h.scored_by for h in history])
    return SupplierCard(supplier, weights, history, people, _links(db, supplier.id))


def compared(*, db: Session, workspace_id: int, suppliers: list[Supplier]) -> Compared:
    latest = supplier_model.latest_scores(db=db, supplier_ids=[s.id for s in suppliers if s.id is not None])
    scored = [Scored(s, latest.get(s.id or 0)) for s in suppliers]
    return Compared(scored, supplier_model.weights(db=db, workspace_id=workspace_id))


def supplier_page(*, db: Session, workspace_id: int, offset: int, limit: int) -> SupplierPage:
    """One page of the workspace's suppliers by name, each with its current scorecard."""
    total = db.exec(select(func.count()).select_from(Supplier).where(Supplier.workspace_id == workspace_id)).one()
    rows = list(
        db.exec(
            select(Supplier)
            .where(Supplier.workspace_id == workspace_id)
            .order_by(Supplier.name_key, Supplier.id)  # type: ignore[arg-type]
            .offset(offset)
            .limit(limit + 1)
        )
    )
    shown = rows[:limit]
    latest = _latest(db, [s.id for s in shown if s.id is not None])
    items = [Scored(s, latest.get(s.id or 0)) for s in shown]
    return SupplierPage(items, int(total), len(rows) > limit, supplier_model.weights(db=db, workspace_id=workspace_id))


def _latest(db: Session, supplier_ids: list[int]) -> dict[int, SupplierScore]:
    """Each supplier's newest scorecard, reading one row per supplier."""
    if not supplier_ids:
        return {}
    newest = (
        select(func.max(SupplierScore.id))
        .where(SupplierScore.supplier_id.in_(supplier_ids))  # type: ignore[attr-defined]
        .group_by(SupplierScore.supplier_id)
    )
    rows = db.exec(select(SupplierScore).where(SupplierScore.id.in_(newest))).all()  # type: ignore[union-attr]
    return {row.supplier_id: row for row in rows}


def _links(db: Session, supplier_id: int) -> list[LinkTarget]:
    rows = db.exec(
        select(SupplierLink, Requirement, Sku)
        .outerjoin(Requirement, Requirement.id == SupplierLink.requirement_id)  # type: ignore[arg-type]
        .outerjoin(Sku, Sku.id == SupplierLink.sku_id)  # type: ignore[arg-type]
        .where(SupplierLink.supplier_id == supplier_id)
        .order_by(SupplierLink.id)  # type: ignore[arg-type]
    ).all()
    return [
        LinkTarget(
            requirement.key if requirement is not None else None,
            sku.code if sku is not None else None,
            link.role,
            link.requirement_id is not None,
        )
        for link, requirement, sku in rows
    ]
