"""Messages the bot posted about something (an approval card, a risk alert), so it can update them later."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer
from sqlmodel import Field, Session, SQLModel, select

from models.base import UTCDateTime, utcnow


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
