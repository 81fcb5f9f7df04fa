"""Reading the audit log: a page of one thing's entries, newest first, with the people they name."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlmodel import Session, select

from models.audit import AuditEntry
from models.workspace import names_of


@dataclass(frozen=True)
class Trail:
    entries: list[AuditEntry]
    more: bool = False  # older entries follow
    people: dict[int, tuple[str, str | None]] = field(default_factory=dict)  # member id → (platform id, name)


def page(
    *,
    db: Session,
    workspace_id: int,
    entity: str,
    entity_id: int,
    offset: int = 0,
    limit: int = 20,
    also: Iterable[int | None] = (),
) -> Trail:
    """Entries about (entity, entity_id), newest first, and the names of whoever they (or `also`) name."""
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
    entries = list(rows[:limit])
    return Trail(entries, len(rows) > limit, names_of(db=db, member_ids=[*people_named(entries), *also]))


def people_named(entries: Iterable[AuditEntry]) -> list[int | None]:
    """Who acted, and whom an entry names (an approval transferred to someone, an owner changed)."""
    ids: list[int | None] = []
    for entry in entries:
        ids.append(entry.actor_id)
        to = (entry.changes or {}).get("to")
        if entry.action == "transfer" and isinstance(to, int):
            ids.append(to)
        owners = (entry.changes or {}).get("owner_id")
        if entry.action == "edit" and isinstance(owners, list):
            ids.extend(v for v in owners if isinstance(v, int))
    return ids
