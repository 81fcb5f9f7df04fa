"""Which requirements and SKUs a supplier supplies, as the main or the backup supplier.

For other features (the risk register's "backup supplier" playbook step)::

    from models.suppliers.link import backup_suppliers
    backups = backup_suppliers(db=db, workspace_id=ws, requirement_id=req_id)   # or sku_id=...
    done = bool(backups)                      # [Supplier, ...], newest link first
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, Integer
from sqlmodel import Field, Session, SQLModel, select

from models import audit
from models.base import UTCDateTime, utcnow
from models.suppliers.supplier import ENTITY, Supplier


class Role(StrEnum):
    MAIN = "main"
    BACKUP = "backup"


class SupplierLink(SQLModel, table=True):
    """A supplier supplies a requirement or a SKU, as the main or the backup supplier."""

    __tablename__ = "supplier_link"
    __table_args__ = (
        Index("ix_supplier_link_requirement", "requirement_id"),
        Index("ix_supplier_link_sku", "sku_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), nullable=False))
    supplier_id: int = Field(sa_column=Column(Integer, ForeignKey("supplier.id", ondelete="CASCADE"), nullable=False))
    requirement_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("requirement.id", ondelete="CASCADE"))
    )
    sku_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("sku.id", ondelete="CASCADE")))
    role: str = Field(default=Role.MAIN, max_length=8)
    linked_by: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("member.id")))
    linked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


@dataclass(frozen=True)
class Linked:
    supplier: Supplier
    role: str
    requirement_id: int | None
    sku_id: int | None


def link(
    *,
    db: Session,
    supplier: Supplier,
    actor_id: int,
    requirement_id: int | None,
    sku_id: int | None,
    role: Role,
) -> bool:
    """Link (or re-role) the supplier to a requirement or SKU; False when it was already so linked."""
    assert supplier.id is not None and (requirement_id is None) != (sku_id is None)
    found = _link_row(db, supplier.id, requirement_id, sku_id)
    if found is not None and found.role == role:
        return False
    old_role = found.role if found else None
    row = found or SupplierLink(
        workspace_id=supplier.workspace_id, supplier_id=supplier.id, requirement_id=requirement_id, sku_id=sku_id
    )
    row.role, row.linked_by, row.linked_at = role, actor_id, utcnow()
    db.add(row)
    db.flush()
    _audit_link(db, supplier, actor_id, requirement_id, sku_id, [old_role, role.value])
    return True


def unlink(*, db: Session, supplier: Supplier, actor_id: int, requirement_id: int | None, sku_id: int | None) -> bool:
    assert supplier.id is not None
    found = _link_row(db, supplier.id, requirement_id, sku_id)
    if found is None:
        return False
    db.delete(found)
    db.flush()
    _audit_link(db, supplier, actor_id, requirement_id, sku_id, [found.role, None])
    return True


def links_of(*, db: Session, supplier_id: int) -> list[SupplierLink]:
    return list(
        db.exec(
            select(SupplierLink).where(SupplierLink.supplier_id == supplier_id).order_by(SupplierLink.id)  # type: ignore[arg-type]
        )
    )


def suppliers_for(
    *, db: Session, workspace_id: int, requirement_id: int | None = None, sku_id: int | None = None
) -> list[Linked]:
    """The suppliers linked to a requirement or a SKU, newest link first."""
    query = (
        select(Supplier, SupplierLink)
        .join(SupplierLink, SupplierLink.supplier_id == Supplier.id)
        .where(SupplierLink.workspace_id == workspace_id)
    )
    if requirement_id is not None:
        query = query.where(SupplierLink.requirement_id == requirement_id)
    if sku_id is not None:
        query = query.where(SupplierLink.sku_id == sku_id)
    rows = db.exec(query.order_by(SupplierLink.linked_at.desc(), SupplierLink.id.desc())).all()  # type: ignore[attr-defined]
    return [Linked(s, link.role, link.requirement_id, link.sku_id) for s, link in rows]


def backup_suppliers(
    *, db: Session, workspace_id: int, requirement_id: int | None = None, sku_id: int | None = None
) -> list[Supplier]:
    """The backup suppliers named for a requirement or a SKU: the risk register's "backup supplier" step."""
    found = suppliers_for(db=db, workspace_id=workspace_id, requirement_id=requirement_id, sku_id=sku_id)
    return [linked.supplier for linked in found if linked.role == Role.BACKUP]


def _link_row(db: Session, supplier_id: int, requirement_id: int | None, sku_id: int | None) -> SupplierLink | None:
    query = select(SupplierLink).where(SupplierLink.supplier_id == supplier_id)
    if requirement_id is not None:
        query = query.where(SupplierLink.requirement_id == requirement_id)
    else:
        query = query.where(SupplierLink.requirement_id.is_(None))  # type: ignore[union-attr]
    if sku_id is not None:
        query = query.where(SupplierLink.sku_id == sku_id)
    else:
        query = query.where(SupplierLink.sku_id.is_(None))  # type: ignore[union-attr]
    return db.exec(query).first()


def _audit_link(
    db: Session, supplier: Supplier, actor_id: int, requirement_id: int | None, sku_id: int | None, role: list[Any]
) -> None:
    assert supplier.id is not None
    audit.record(
        db=db,
        workspace_id=supplier.workspace_id,
        actor_id=actor_id,
        entity=ENTITY,
        entity_id=supplier.id,
        action="link",
        changes={"requirement_id" if requirement_id else "sku_id": [None, requirement_id or sku_id], "role": role},
    )
