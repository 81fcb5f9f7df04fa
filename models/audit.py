"""The audit log: who changed what, when, from what to what."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, insert
from sqlmodel import Field, Session, SQLModel

from models.base import UTCDateTime, utcnow

Changes = dict[str, list[Any]]


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entity", "workspace_id", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), nullable=False))
    actor_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("member.id")))
    entity: str = Field(max_length=24)
    entity_id: int
    action: str = Field(max_length=32)
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


_INSERT = insert(AuditEntry)
COLUMNS = ("workspace_id", "actor_id", "entity", "entity_id", "action", "changes", "at")


def insert_from(query: Any) -> Any:
    """An entry per row of `query`, whose columns are COLUMNS in order (to write it in another statement)."""
    return insert(AuditEntry).from_select(list(COLUMNS), query)


def record(
    *,
    db: Session,
    workspace_id: int,
    actor_id: int | None,
    entity: str,
    entity_id: int,
    action: str,
    changes: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    db.connection().execute(
        _INSERT,
        {
            "workspace_id": workspace_id,
            "actor_id": actor_id,
            "entity": entity,
            "entity_id": entity_id,
            "action": action,
            "changes": changes or {},
            "at": at or utcnow(),
        },
    )


def setting_changed(*, db: Session, workspace_id: int, actor_id: int | None, changes: Changes) -> None:
    """Record a change to a workspace-wide setting; nothing when nothing changed."""
    changed = {key: pair for key, pair in changes.items() if pair[0] != pair[1]}
    if changed:
        record(
            db=db,
            workspace_id=workspace_id,
            actor_id=actor_id,
            entity="workspace",
            entity_id=workspace_id,
            action="settings",
            changes=changed,
        )
