"""Messages the bot posted about something (an approval card, a risk alert), so it can update them later."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer
from sqlmodel import Field, Session, SQLModel, col, select

from models.base import UTCDateTime, utcnow
from models.workspace import Workspace


class ChatMessage(SQLModel, table=True):
    __tablename__ = "chat_message"
    __table_args__ = (Index("ix_chat_message_entity", "workspace_id", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), nullable=False))
    platform: str = Field(max_length=16)
    channel_ref: str = Field(max_length=64)
    message_ref: str = Field(max_length=128)
    entity: str = Field(max_length=24)
    entity_id: int
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def remember(
    *, db: Session, workspace_id: int, platform: str, channel_ref: str, message_ref: str, entity: str, entity_id: int
) -> ChatMessage:
    message = ChatMessage(
        workspace_id=workspace_id,
        platform=platform,
        channel_ref=channel_ref,
        message_ref=message_ref,
        entity=entity,
        entity_id=entity_id,
    )
    db.add(message)
    return message


def posted_about(*, db: Session, workspace_id: int, entity: str, entity_id: int) -> list[ChatMessage]:
    return list(
        db.exec(
            select(ChatMessage)
            .where(
                ChatMessage.workspace_id == workspace_id,
                ChatMessage.entity == entity,
                ChatMessage.entity_id == entity_id,
            )
            .order_by(ChatMessage.id)  # type: ignore[arg-type]
        ).all()
    )


def tracked_in(
    *,
    db: Session,
    platform: str,
    team_ref: str,
    channel_ref: str,
    message_refs: Sequence[str] = (),
    since: datetime | None = None,
    limit: int | None = None,
) -> list[tuple[str, int, str]]:
    """(entity, entity id, message ref) of the bot's tracked messages in a channel, newest first: those
    with the given refs, or else those posted since `since`."""
    query = (
        select(ChatMessage.entity, ChatMessage.entity_id, ChatMessage.message_ref)
        .join(Workspace, col(Workspace.id) == ChatMessage.workspace_id)
        .where(
            Workspace.platform == platform,
            Workspace.external_id == team_ref,
            ChatMessage.platform == platform,
            ChatMessage.channel_ref == channel_ref,
        )
        .order_by(col(ChatMessage.id).desc())
    )
    if message_refs:
        query = query.where(col(ChatMessage.message_ref).in_(message_refs))
    if since is not None:
        query = query.where(ChatMessage.created_at >= since)
    if limit is not None:
        query = query.limit(limit)
    return [(entity, entity_id, ref) for entity, entity_id, ref in db.exec(query).all()]
