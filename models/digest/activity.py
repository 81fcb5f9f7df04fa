"""Read queries behind the digest: what changed in a window of the audit log (for every feature's
sections), and the requirements it names. Core statements, built once (the digest reads many rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlmodel import Session

from models.audit import AuditEntry
from models.requirements.requirement import ENTITY, OPEN_STATUSES, Requirement, RequirementMarket

CHUNK = 900  # ids per IN (...) list, well under every database's parameter limit


@dataclass(frozen=True)
class Change:
    audit_id: int
    requirement_id: int
    action: str  # "create" or "status"
    changes: dict[str, Any]
    actor_id: int | None
    at: datetime


@dataclass(frozen=True)
class Item:
    id: int
    number: int
    title: str
    status: str
    requester_id: int
    owner_id: int | None
    updated_at: datetime
    markets: tuple[str, ...]
    due: date | None = None

    @property
    def key(self) -> str:
        return f"REQ-{self.number}"


@dataclass(frozen=True)
class Entry:
    """One audit entry of a window, about any entity."""

    audit_id: int
    entity_id: int
    action: str
    changes: dict[str, Any]
    actor_id: int | None
    at: datetime


def window_entries(
    *, db: Session, workspace_id: int, entity: str, actions: tuple[str, ...], after: int, upto: int
) -> list[Entry]:
    """The audit entries of one entity and these actions with ids in (after, upto], oldest first.

    The window is a range of the audit log's primary key, so every feature's digest section reads
    only what happened since the channel's last digest, however long the log.
    """
    params = {"after": after, "upto": upto, "workspace_id": workspace_id, "entity": entity, "actions": list(actions)}
    rows = db.connection().execute(_WINDOW, params)
    return [Entry(r.id, r.entity_id, r.action, r.changes or {}, r.actor_id, r.at) for r in rows]


_WINDOW = (
    select(
        AuditEntry.id,
        AuditEntry.entity_id,
        AuditEntry.action,
        AuditEntry.changes,
        AuditEntry.actor_id,
        AuditEntry.at,
    )
    .where(
        AuditEntry.id > bindparam("after"),  # type: ignore[operator]
        AuditEntry.id <= bindparam("upto"),  # type: ignore[operator]
        AuditEntry.workspace_id == bindparam("workspace_id"),
        AuditEntry.entity == bindparam("entity"),
        AuditEntry.action.in_(bindparam("actions", expanding=True)),  # type: ignore[attr-defined]
    )
    .order_by(AuditEntry.id)
)


def requirement_changes(*, db: Session, workspace_id: int, after: int, upto: int) -> list[Change]:
    """Requirements created or moved in the window, oldest first."""
    found = window_entries(
        db=db, workspace_id=workspace_id, entity=ENTITY, actions=("create", "status"), after=after, upto=upto
    )
    return [Change(e.audit_id, e.entity_id, e.action, e.changes, e.actor_id, e.at) for e in found]


def _markets_csv() -> Any:
    return (
        select(func.aggregate_strings(RequirementMarket.market, ","))
        .where(RequirementMarket.requirement_id == Requirement.id)
        .scalar_subquery()
        .label("markets_csv")
    )


_COLUMNS = (
    Requirement.id,
    Requirement.number,
    Requirement.title,
    Requirement.status,
    Requirement.requester_id,
    Requirement.owner_id,
    Requirement.updated_at,
)

_BY_IDS = select(*_COLUMNS, _markets_csv()).where(
    Requirement.id.in_(bindparam("ids", expanding=True)),  # type: ignore[union-attr]
    Requirement.archived_at.is_(None),  # type: ignore[union-attr]  archived ones are out of every digest
)

_DUE_BY = (
    select(*_COLUMNS, _markets_csv(), Requirement.due)
    .where(
        Requirement.workspace_id == bindparam("workspace_id"),
        Requirement.due <= bindparam("upto"),  # type: ignore[operator]
        Requirement.status.in_(bindparam("open", expanding=True)),  # type: ignore[attr-defined]
        Requirement.archived_at.is_(None),  # type: ignore[union-attr]
    )
    .order_by(Requirement.due, Requirement.number)
    .limit(bindparam("limit"))
)


def due_by(*, db: Session, workspace_id: int, upto: date, limit: int) -> list[Item]:
    """Open requirements due on or before `upto` (overdue ones included), soonest first."""
    params = {"workspace_id": workspace_id, "upto": upto, "open": [s.value for s in OPEN_STATUSES], "limit": limit}
    return [_item(row) for row in db.connection().execute(_DUE_BY, params)]


def items_by_id(*, db: Session, ids: list[int]) -> dict[int, Item]:
    found: dict[int, Item] = {}
    connection = db.connection()
    for start in range(0, len(ids), CHUNK):
        for row in connection.execute(_BY_IDS, {"ids": ids[start : start + CHUNK]}):
            found[row.id] = _item(row)
    return found


def _item(row: Any) -> Item:
    markets = tuple(sorted(row.markets_csv.split(","))) if row.markets_csv else ()
    due = row._mapping.get("due")
    return Item(row.id, row.number, row.title, row.status, row.requester_id, row.owner_id, row.updated_at, markets, due)
