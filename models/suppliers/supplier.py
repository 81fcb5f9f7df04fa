"""Suppliers: master data and facts, and scorecards on 1–5 with the workspace's weights.

Links to the requirements and SKUs a supplier supplies are in models/suppliers/link.py.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, UniqueConstraint, delete
from sqlmodel import Field, Session, SQLModel, select

from models import audit
from models.base import UTCDateTime, utcnow
from models.money import DecimalText

ENTITY = "supplier"
NAME_MAX = 120
SHORT_MAX = 60
NOTE_MAX = 300
CRITERIA = ("quality", "certification", "capacity", "lead_time", "return_rate", "service")
DEFAULT_WEIGHTS = {
    "quality": Decimal("0.30"),
    "certification": Decimal("0.15"),
    "capacity": Decimal("0.15"),
    "lead_time": Decimal("0.15"),
    "return_rate": Decimal("0.15"),
    "service": Decimal("0.10"),
}
FACT_FIELDS = ("category", "city", "lead_days", "defects", "batch", "certs", "note")


class Supplier(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("workspace_id", "name_key"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), nullable=False))
    name: str = Field(max_length=NAME_MAX)
    name_key: str = Field(max_length=NAME_MAX)
    category: str | None = Field(default=None, max_length=SHORT_MAX)
    city: str | None = Field(default=None, max_length=SHORT_MAX)
    lead_days: int | None = None  # quoted production lead time
    defects: int | None = None  # defective units found in the sample or trial batch
    batch: int | None = None  # units in that batch
    certs: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    note: str | None = Field(default=None, max_length=NOTE_MAX)
    created_by: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("member.id")))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def defect_rate(self) -> Decimal | None:
        if self.defects is None or not self.batch:
            return None
        return Decimal(self.defects) / Decimal(self.batch)


class SupplierScore(SQLModel, table=True):
    """One scorecard: every criterion 1–5 (5 best), as scored by someone at a time."""

    __tablename__ = "supplier_score"
    __table_args__ = (Index("ix_supplier_score_supplier", "supplier_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), nullable=False))
    supplier_id: int = Field(sa_column=Column(Integer, ForeignKey("supplier.id", ondelete="CASCADE"), nullable=False))
    quality: int
    certification: int
    capacity: int
    lead_time: int
    return_rate: int
    service: int
    note: str | None = Field(default=None, max_length=NOTE_MAX)
    scored_by: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("member.id")))
    scored_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    def scores(self) -> dict[str, int]:
        return {c: getattr(self, c) for c in CRITERIA}


class SupplierWeight(SQLModel, table=True):
    __tablename__ = "supplier_weight"

    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), primary_key=True))
    criterion: str = Field(primary_key=True, max_length=16)
    weight: Decimal = Field(sa_column=Column(DecimalText(), nullable=False))


def fold_name(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())[:NAME_MAX]


def get(*, db: Session, workspace_id: int, name: str) -> Supplier | None:
    return db.exec(
        select(Supplier).where(Supplier.workspace_id == workspace_id, Supplier.name_key == fold_name(name))
    ).first()


def find(*, db: Session, workspace_id: int, name: str) -> list[Supplier]:
    """The supplier of that name; else every supplier whose name contains it."""
    exact = get(db=db, workspace_id=workspace_id, name=name)
    if exact is not None:
        return [exact]
    folded = fold_name(name)
    everyone = db.exec(select(Supplier).where(Supplier.workspace_id == workspace_id)).all()
    return [s for s in everyone if folded and folded in s.name_key]


def all_of(*, db: Session, workspace_id: int) -> list[Supplier]:
    return list(db.exec(select(Supplier).where(Supplier.workspace_id == workspace_id).order_by(Supplier.name_key)))


def save(
    *, db: Session, workspace_id: int, actor_id: int, name: str, values: dict[str, Any], create: bool
) -> tuple[Supplier, dict[str, list[Any]]]:
    """Create a supplier (`create`) or change the given facts of an existing one."""
    found = get(db=db, workspace_id=workspace_id, name=name)
    supplier = found or Supplier(workspace_id=workspace_id, name=name.strip(), name_key=fold_name(name))
    if create:
        supplier.created_by = actor_id
    changes: dict[str, list[Any]] = {}
    for key in FACT_FIELDS:
        if key in values and getattr(supplier, key) != values[key]:
            changes[key] = [None if create else _plain(getattr(supplier, key)), _plain(values[key])]
            setattr(supplier, key, values[key])
    if create or changes:
        supplier.updated_at = utcnow()
        db.add(supplier)
        db.flush()
        assert supplier.id is not None
        audit.record(
            db=db,
            workspace_id=workspace_id,
            actor_id=actor_id,
            entity=ENTITY,
            entity_id=supplier.id,
            action="create" if create else "edit",
            changes={"name": [None, supplier.name], **changes} if create else changes,
        )
    return supplier, changes


def add_score(
    *, db: Session, supplier: Supplier, actor_id: int, scores: dict[str, int], note: str | None
) -> SupplierScore:
    """A new scorecard; criteria not given keep their last score (the caller makes sure there is one)."""
    assert supplier.id is not None
    last = latest_scores(db=db, supplier_ids=[supplier.id]).get(supplier.id)
    full = {**(last.scores() if last else {}), **scores}
    row = SupplierScore(
        workspace_id=supplier.workspace_id, supplier_id=supplier.id, note=note, scored_by=actor_id, **full
    )
    db.add(row)
    db.flush()
    audit.record(
        db=db,
        workspace_id=supplier.workspace_id,
        actor_id=actor_id,
        entity=ENTITY,
        entity_id=supplier.id,
        action="score",
        changes={c: [last.scores()[c] if last else None, full[c]] for c in CRITERIA},
    )
    return row


def latest_scores(*, db: Session, supplier_ids: list[int]) -> dict[int, SupplierScore]:
    if not supplier_ids:
        return {}
    rows = db.exec(
        select(SupplierScore)
        .where(SupplierScore.supplier_id.in_(supplier_ids))  # type: ignore[attr-defined]
        .order_by(SupplierScore.id)  # type: ignore[arg-type]
    ).all()
    return {row.supplier_id: row for row in rows}


def score_history(*, db: Session, supplier_id: int, limit: int = 10) -> list[SupplierScore]:
    """Newest first."""
    return list(
        db.exec(
            select(SupplierScore)
            .where(SupplierScore.supplier_id == supplier_id)
            .order_by(SupplierScore.id.desc())  # type: ignore[union-attr]
            .limit(limit)
        )
    )


def weights(*, db: Session, workspace_id: int) -> dict[str, Decimal]:
    rows = db.exec(select(SupplierWeight).where(SupplierWeight.workspace_id == workspace_id)).all()
    stored = {row.criterion: row.weight for row in rows}
    return {c: stored[c] for c in CRITERIA} if set(stored) >= set(CRITERIA) else dict(DEFAULT_WEIGHTS)


def set_weights(*, db: Session, workspace_id: int, actor_id: int, new: dict[str, Decimal]) -> None:
    """Replace the workspace's weights (every criterion, summing to 1: the caller checks)."""
    old = weights(db=db, workspace_id=workspace_id)
    db.exec(delete(SupplierWeight).where(SupplierWeight.workspace_id == workspace_id))  # type: ignore[arg-type]
    for criterion in CRITERIA:
        db.add(SupplierWeight(workspace_id=workspace_id, criterion=criterion, weight=new[criterion]))
    db.flush()
    audit.setting_changed(
        db=db,
        workspace_id=workspace_id,
        actor_id=actor_id,
        changes={f"supplier_weight.{c}": [_plain(old[c]), _plain(new[c])] for c in CRITERIA if old[c] != new[c]},
    )


def weighted_total(scores: dict[str, int], weights: dict[str, Decimal]) -> Decimal:
    """Σ weight × score, on the 1–5 scale."""
    return sum((weights[c] * scores[c] for c in CRITERIA), Decimal(0))


def _plain(value: Any) -> Any:
    return format(value, "f") if isinstance(value, Decimal) else value
