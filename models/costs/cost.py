"""SKUs with their purchase cost and measures, and one cost lane per SKU and market."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint, delete
from sqlmodel import Field, Session, SQLModel, select

from models import audit
from models.base import UTCDateTime, utcnow
from models.costs.landed_cost import Basis, Channel, Customs, Parcel
from models.money import DecimalText

SKU_ENTITY = "sku"
CODE_MAX = 64
HS_MAX = 16
CATEGORY_MAX = 32
OTHER_PLATFORM = "other"  # a lane not sold on Amazon: no marketplace schedule applies

SKU_FIELDS = (
    "purchase",
    "purchase_currency",
    "weight_kg",
    "length_cm",
    "width_cm",
    "height_cm",
    "carton_length_cm",
    "carton_width_cm",
    "carton_height_cm",
    "carton_weight_kg",
    "carton_units",
)
LANE_FIELDS = (
    "channel",
    "freight_rate",
    "freight_basis",
    "freight_currency",
    "divisor",
    "duty_pct",
    "section301_pct",
    "extra_duty_pct",
    "insurance_pct",
    "after_arrival_pct",
    "entry_units",
    "hs_code",
    "customs",
    "declared",
    "vat_pct",
    "referral_pct",
    "fulfilment",
    "storage",
    "ads_pct",
    "returns_pct",
    "return_fee",
    "unsellable_pct",
    "price",
    "price_currency",
    "platform",
    "category",
)


def _money(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(DecimalText(), nullable=nullable))


class Sku(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("workspace_id", "code_key"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), nullable=False))
    code: str = Field(max_length=CODE_MAX)
    code_key: str = Field(max_length=CODE_MAX)  # folded for lookups: "abc-1" finds "ABC-1"
    purchase: Decimal = _money(nullable=False)
    purchase_currency: str = Field(max_length=3)
    weight_kg: Decimal | None = _money()
    length_cm: Decimal | None = _money()
    width_cm: Decimal | None = _money()
    height_cm: Decimal | None = _money()
    carton_length_cm: Decimal | None = _money()
    carton_width_cm: Decimal | None = _money()
    carton_height_cm: Decimal | None = _money()
    carton_weight_kg: Decimal | None = _money()
    carton_units: int | None = None
    created_by: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("member.id")))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    def parcel(self) -> Parcel:
        """What the forwarder charges for: the carton when one is described, else the unit."""
        if self.carton_units and self.carton_length_cm is not None:
            return Parcel(
                self.carton_weight_kg,
                self.carton_length_cm,
                self.carton_width_cm,
                self.carton_height_cm,
                self.carton_units,
            )
        return Parcel(self.weight_kg, self.length_cm, self.width_cm, self.height_cm)


class CostLane(SQLModel, table=True):
    __tablename__ = "cost_lane"
    __table_args__ = (UniqueConstraint("sku_id", "market"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), nullable=False))
    sku_id: int = Field(sa_column=Column(Integer, ForeignKey("sku.id", ondelete="CASCADE"), nullable=False))
    market: str = Field(max_length=2)
    channel: str = Field(max_length=8)
    freight_rate: Decimal = _money(nullable=False)
    freight_basis: str = Field(max_length=4)
    freight_currency: str = Field(max_length=3)
    divisor: int
    duty_pct: Decimal = _money(nullable=False)
    section301_pct: Decimal | None = _money()  # None: not entered
    extra_duty_pct: Decimal | None = _money()
    insurance_pct: Decimal | None = _money()
    after_arrival_pct: Decimal | None = _money()  # share of the freight charged after arrival
    entry_units: int | None = None  # units on one customs entry
    hs_code: str | None = Field(default=None, max_length=HS_MAX)
    customs: str = Field(max_length=3)
    declared: Decimal | None = _money()
    vat_pct: Decimal = _money(nullable=False)
    referral_pct: Decimal | None = _money()  # None: not entered
    fulfilment: Decimal | None = _money()
    storage: Decimal | None = _money()
    ads_pct: Decimal | None = _money()
    returns_pct: Decimal | None = _money()
    return_fee: Decimal | None = _money()  # per returned unit
    unsellable_pct: Decimal | None = _money()  # share of returned units written off
    price: Decimal = _money(nullable=False)
    price_currency: str = Field(max_length=3)
    platform: str | None = Field(default=None, max_length=8)  # None: Amazon, where a schedule is shipped
    category: str | None = Field(default=None, max_length=CATEGORY_MAX)  # the schedule's referral category
    updated_by: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("member.id")))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def channel_enum(self) -> Channel:
        return Channel(self.channel)

    @property
    def basis(self) -> Basis:
        return Basis(self.freight_basis)

    @property
    def customs_basis(self) -> Customs:
        return Customs(self.customs)


def fold_code(code: str) -> str:
    return unicodedata.normalize("NFKC", code).strip().casefold()[:CODE_MAX]


def get_sku(*, db: Session, workspace_id: int, code: str) -> Sku | None:
    return db.exec(select(Sku).where(Sku.workspace_id == workspace_id, Sku.code_key == fold_code(code))).first()


def get_sku_by_id(*, db: Session, workspace_id: int, sku_id: int) -> Sku | None:
    found = db.get(Sku, sku_id)
    return found if found is not None and found.workspace_id == workspace_id else None


def lanes_of(*, db: Session, sku_id: int, market: str | None = None) -> list[CostLane]:
    query = select(CostLane).where(CostLane.sku_id == sku_id)
    if market is not None:
        query = query.where(CostLane.market == market)
    return list(db.exec(query.order_by(CostLane.market)).all())


def lanes_in(*, db: Session, workspace_id: int, markets: frozenset[str] | None = None) -> list[tuple[Sku, CostLane]]:
    """Every lane of the workspace (in these markets), with its SKU."""
    query = select(Sku, CostLane).join(CostLane, CostLane.sku_id == Sku.id).where(Sku.workspace_id == workspace_id)
    if markets is not None:
        query = query.where(CostLane.market.in_(sorted(markets)))  # type: ignore[attr-defined]
    return [(s, lane) for s, lane in db.exec(query.order_by(Sku.code_key, CostLane.market)).all()]


@dataclass(frozen=True)
class Saved:
    created: bool
    changes: dict[str, list[Any]]


def save_sku(*, db: Session, workspace_id: int, actor_id: int, code: str, values: dict[str, Any]) -> tuple[Sku, Saved]:
    """Create the SKU or change the given fields of an existing one."""
    found = get_sku(db=db, workspace_id=workspace_id, code=code)
    created = found is None
    sku = found or Sku(workspace_id=workspace_id, code=code.strip(), code_key=fold_code(code), created_by=actor_id)
    changes = _apply(sku, values, SKU_FIELDS, created=created)
    if created or changes:
        sku.updated_at = utcnow()
        db.add(sku)
        db.flush()
        assert sku.id is not None
        audit.record(
            db=db,
            workspace_id=workspace_id,
            actor_id=actor_id,
            entity=SKU_ENTITY,
            entity_id=sku.id,
            action="create" if created else "edit",
            changes={"code": [None, sku.code], **changes} if created else changes,
        )
    return sku, Saved(created, changes)


def save_lane(*, db: Session, sku: Sku, actor_id: int, market: str, values: dict[str, Any]) -> tuple[CostLane, Saved]:
    """Create the SKU's lane for a market (every field given) or change the given fields."""
    assert sku.id is not None
    found = lanes_of(db=db, sku_id=sku.id, market=market)
    created = not found
    lane = found[0] if found else CostLane(workspace_id=sku.workspace_id, sku_id=sku.id, market=market)
    changes = _apply(lane, values, LANE_FIELDS, created=created)
    if created or changes:
        lane.updated_by = actor_id
        lane.updated_at = utcnow()
        db.add(lane)
        db.flush()
        audit.record(
            db=db,
            workspace_id=sku.workspace_id,
            actor_id=actor_id,
            entity=SKU_ENTITY,
            entity_id=sku.id,
            action="lane",
            changes={"market": [None, market], **changes},
        )
    return lane, Saved(created, changes)


def remove(*, db: Session, sku: Sku, actor_id: int, market: str | None) -> int:
    """Remove one lane, or the SKU with every lane; returns how many lanes went."""
    assert sku.id is not None
    lanes = lanes_of(db=db, sku_id=sku.id, market=market)
    db.exec(delete(CostLane).where(CostLane.id.in_([lane.id for lane in lanes])))  # type: ignore[union-attr,arg-type]
    if market is None:
        db.delete(sku)
    db.flush()
    audit.record(
        db=db,
        workspace_id=sku.workspace_id,
        actor_id=actor_id,
        entity=SKU_ENTITY,
        entity_id=sku.id,
        action="remove",
        changes={"market": [market, None]} if market else {"code": [sku.code, None]},
    )
    return len(lanes)


def _apply(row: Any, values: dict[str, Any], names: tuple[str, ...], *, created: bool) -> dict[str, list[Any]]:
    changes: dict[str, list[Any]] = {}
    for name in names:
        if name not in values:
            continue
        old, new = None if created else getattr(row, name), values[name]
        if old == new and not created:
            continue
        setattr(row, name, new)
        if new is not None or old is not None:
            changes[name] = [_plain(old), _plain(new)]
    return changes


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return value
