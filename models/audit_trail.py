"""Reading the audit log a page at a time, newest first."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from models.audit import AuditEntry


@dataclass(frozen=True)
class TrailPage:
    entries: list[AuditEntry]
    more: bool  # older entries follow


def page(*, db: Session, workspace_id: int, entity: str, entity_id: int, offset: int, limit: int) -> TrailPage:
    rows = db.exec(
        select(AuditEntry)
        .where(
            AuditEntry.workspace_id == workspace_id,
            AuditEntry.entity == entity,
            AuditEntry.entity_id == entity_id,
        )
        .order_by(AuditEntry.id.desc())  # type: ignore[union-attr]
        .offset(offset)
        .limit(limit + 1)
    ).all()
    return TrailPage(list(rows[:limit]), len(rows) > limit)
