"""Market profiles (what selling there means) and each market's launch checklist.

A requirement's launch checks against that checklist are in models/markets/launch_check.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, UniqueConstraint, func
from sqlmodel import Field, Session, SQLModel, select

from models import audit
from models.base import UTCDateTime, utcnow
from models.markets.defaults import PROFILE_FIELDS, PROFILE_PLATFORMS, checklist_for, currency_of

ENTITY = "market"
TEXT_MAX = 300
LABEL_MAX = 150


class MarketProfile(SQLModel, table=True):
    """A text field left None shows the shipped default in the reader's language."""

    __tablename__ = "market_profile"
    __table_args__ = (UniqueConstraint("workspace_id", "market"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), nullable=False))
    market: str = Field(max_length=2)
    currency: str | None = Field(default=None, max_length=3)
    platforms: list[str] | None = Field(default=None, sa_column=Column(JSON))
    language: str | None = Field(default=None, max_length=TEXT_MAX)
    payments: str | None = Field(default=None, max_length=TEXT_MAX)
    delivery: str | None = Field(default=None, max_length=TEXT_MAX)
    returns: str | None = Field(default=None, max_length=TEXT_MAX)
    age: str | None = Field(default=None, max_length=TEXT_MAX)
    motives: str | None = Field(default=None, max_length=TEXT_MAX)
    pains: str | None = Field(default=None, max_length=TEXT_MAX)
    price_quality: str | None = Field(default=None, max_length=TEXT_MAX)
    created_by: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("member.id")))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def effective_currency(self) -> str | None:
        return self.currency or currency_of(self.market)

    @property
    def effective_platforms(self) -> list[str]:
        return list(self.platforms) if self.platforms is not None else list(PROFILE_PLATFORMS.get(self.market, ()))


class MarketCheckItem(SQLModel, table=True):
    """One item of a market's launch checklist: a shipped one (label None) or the team's own."""

    __tablename__ = "market_check_item"
    __table_args__ = (UniqueConstraint("workspace_id", "market", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), nullable=False))
    market: str = Field(max_length=2)
    key: str = Field(max_length=16)
    label: str | None = Field(default=None, max_length=LABEL_MAX)
    required: bool = True
    position: int


@dataclass(frozen=True)
class CheckItem:
    key: str
    required: bool
    label: str | None = None  # the team's own text; None for a shipped item
    position: int = 0

    @property
    def label_key(self) -> str:
        """The catalogue key of a shipped item's text."""
        return f"launch.item.{self.key}"


def get_profile(*, db: Session, workspace_id: int, market: str) -> MarketProfile | None:
    return db.exec(
        select(MarketProfile).where(MarketProfile.workspace_id == workspace_id, MarketProfile.market == market)
    ).first()


def profiles(*, db: Session, workspace_id: int) -> list[MarketProfile]:
    return list(
        db.exec(select(MarketProfile).where(MarketProfile.workspace_id == workspace_id).order_by(MarketProfile.market))
    )


def ensure_profile(*, db: Session, workspace_id: int, actor_id: int, market: str) -> tuple[MarketProfile, bool]:
    """The market's profile, created from the shipped defaults (with its checklist) when missing."""
    found = get_profile(db=db, workspace_id=workspace_id, market=market)
    if found is not None:
        return found, False
    profile = MarketProfile(workspace_id=workspace_id, market=market, created_by=actor_id)
    db.add(profile)
    for position, default in enumerate(checklist_for(market), start=1):
        db.add(
            MarketCheckItem(
                workspace_id=workspace_id,
                market=market,
                key=default.key,
                required=default.required,
                position=position,
            )
        )
    db.flush()
    assert profile.id is not None
    audit.record(
        db=db,
        workspace_id=workspace_id,
        actor_id=actor_id,
        entity=ENTITY,
        entity_id=profile.id,
        action="create",
        changes={"market": [None, market]},
    )
    return profile, True


def update_profile(*, db: Session, profile: MarketProfile, actor_id: int, values: dict[str, Any]) -> dict[str, list]:
    changes: dict[str, list[Any]] = {}
    for name in ("currency", "platforms", *PROFILE_FIELDS):
        if name in values and getattr(profile, name) != values[name]:
            changes[name] = [getattr(profile, name), values[name]]
            setattr(profile, name, values[name])
    if changes:
        profile.updated_at = utcnow()
        db.add(profile)
        db.flush()
        assert profile.id is not None
        audit.record(
            db=db,
            workspace_id=profile.workspace_id,
            actor_id=actor_id,
            entity=ENTITY,
            entity_id=profile.id,
            action="edit",
            changes=changes,
        )
    return changes


def checklist(*, db: Session, workspace_id: int, market: str) -> list[CheckItem]:
    """The market's checklist as the team keeps it; the shipped one when the market has no profile yet."""
    rows = db.exec(
        select(MarketCheckItem)
        .where(MarketCheckItem.workspace_id == workspace_id, MarketCheckItem.market == market)
        .order_by(MarketCheckItem.position)  # type: ignore[arg-type]
    ).all()
    if rows or get_profile(db=db, workspace_id=workspace_id, market=market) is not None:
        return [CheckItem(r.key, r.required, r.label, r.position) for r in rows]
    return [CheckItem(d.key, d.required, None, i) for i, d in enumerate(checklist_for(market), start=1)]


def add_item(*, db: Session, profile: MarketProfile, actor_id: int, label: str, required: bool) -> CheckItem:
    rows = db.exec(
        select(func.max(MarketCheckItem.position), func.count()).where(
            MarketCheckItem.workspace_id == profile.workspace_id, MarketCheckItem.market == profile.market
        )
    ).one()
    last, count = rows[0] or 0, rows[1]
    key = f"own{count + 1}"
    taken = {i.key for i in checklist(db=db, workspace_id=profile.workspace_id, market=profile.market)}
    while key in taken:
        count += 1
        key = f"own{count + 1}"
    row = MarketCheckItem(
        workspace_id=profile.workspace_id,
        market=profile.market,
        key=key,
        label=label,
        required=required,
        position=last + 1,
    )
    db.add(row)
    db.flush()
    _audit_profile(db, profile, actor_id, "item_add", {"item": [None, label], "required": [None, required]})
    return CheckItem(key, required, label, row.position)


def drop_item(*, db: Session, profile: MarketProfile, actor_id: int, key: str) -> bool:
    row = db.exec(
        select(MarketCheckItem).where(
            MarketCheckItem.workspace_id == profile.workspace_id,
            MarketCheckItem.market == profile.market,
            MarketCheckItem.key == key,
        )
    ).first()
    if row is None:
        return False
    db.delete(row)
    db.flush()
    _audit_profile(db, profile, actor_id, "item_drop", {"item": [row.label or row.key, None]})
    return True


def _audit_profile(db: Session, profile: MarketProfile, actor_id: int, action: str, changes: dict[str, Any]) -> None:
    assert profile.id is not None
    audit.record(
        db=db,
        workspace_id=profile.workspace_id,
        actor_id=actor_id,
        entity=ENTITY,
        entity_id=profile.id,
        action=action,
        changes=changes,
    )
