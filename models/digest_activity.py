"""Read queries behind the requirement sections of a digest: what changed in a window of the audit
log, and the most recently active open items. Core statements, built once (the digest reads many rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlmodel import Session

from models.audit import AuditEntry
from models.requirement import ENTITY, Requirement, RequirementMarket, Status

OPEN = (Status.NEW, Status.TRIAGED, Status.APPROVED, Status.IN_PROGRESS)
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

    @property
    def key(self) -> str:
        return f"REQ-{self.number}"


_CHANGES = (
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
        AuditEntry.entity == ENTITY,
        AuditEntry.action.in_(["create", "status"]),  # type: ignore[attr-defined]
    )
    .order_by(AuditEntry.id)
)


def requirement_changes(*, db: Session, workspace_id: int, after: int, upto: int) -> list[Change]:
    """Requirements created or moved in the window, oldest first."""
    rows = db.connection().execute(_CHANGES, {"after": after, "upto": upto, "workspace_id": workspace_id})
    return [Change(r.id, r.entity_id, r.action, r.changes or {}, r.actor_id, r.at) for r in rows]


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
    Requirement.id.in_(bindparam("ids", expanding=True))  # type: ignore[union-attr]
)


def items_by_id(*, db: Session, ids: list[int]) -> dict[int, Item]:
    found: dict[int, Item] = {}
    connection = db.connection()
    for start in range(0, len(ids), CHUNK):
        for row in connection.execute(_BY_IDS, {"ids": ids[start : start + CHUNK]}):
            found[row.id] = _item(row)
    return found


def most_active_open(*, db: Session, workspace_id: int, markets: tuple[str, ...], limit: int) -> list[Item]:
    """Open requirements for these markets (all when empty), most recently changed first."""
    params: dict[str, Any] = {"workspace_id": workspace_id, "limit": limit, "open": [s.value for s in OPEN]}
    if markets:
        params["markets"] = list(markets)
    rows = db.connection().execute(_active_statement(bool(markets)), params)
    return [_item(row) for row in rows]


@cache
def _active_statement(by_market: bool) -> Select[Any]:
    query = select(*_COLUMNS, _markets_csv()).where(
        Requirement.workspace_id == bindparam("workspace_id"),
        Requirement.status.in_(bindparam("open", expanding=True)),  # type: ignore[attr-defined]
    )
    if by_market:
        query = query.where(
            Requirement.id.in_(  # type: ignore[union-attr]
                select(RequirementMarket.requirement_id).where(
                    RequirementMarket.market.in_(bindparam("markets", expanding=True))  # type: ignore[attr-defined]
                )
            )
        )
    return query.order_by(Requirement.updated_at.desc(), Requirement.id.desc()).limit(bindparam("limit"))  # type: ignore[attr-defined,union-attr]


def _item(row: Any) -> Item:
    markets = tuple(sorted(row.markets_csv.split(","))) if row.markets_csv else ()
    return Item(row.id, row.number, row.title, row.status, row.requester_id, row.owner_id, row.updated_at, markets)
