"""Market profiles (what selling there means), each market's launch checklist, and the launch checks
of requirements: who ticked which item when, and whether a launch was approved.

For other features (approvals: refuse a launch while a required item is open)::

    from models.market_profile import open_required_items
    blocking = open_required_items(db, requirement_id, "DE")   # [] when nothing blocks
    [item.key for item in blocking]; item.label (custom text) or item.label_key (catalogue key)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, UniqueConstraint, func
from sqlmodel import Field, Session, SQLModel, select

from models import audit
from models.base import UTCDateTime, utcnow
from models.market_defaults import PROFILE_FIELDS, PROFILE_PLATFORMS, checklist_for, currency_of
from models.requirement import Requirement

ENTITY = "market"
REQUIREMENT_ENTITY = "requirement"  # launch checks show in the requirement's own history
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


class LaunchCheck(SQLModel, table=True):
    __tablename__ = "launch_check"
    __table_args__ = (UniqueConstraint("requirement_id", "market", "item_key"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), nullable=False))
    requirement_id: int = Field(
        sa_column=Column(Integer, ForeignKey("requirement.id", ondelete="CASCADE"), nullable=False)
    )
    market: str = Field(max_length=2)
    item_key: str = Field(max_length=16)
    done: bool = False
    done_by: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("member.id")))
    done_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MarketLaunch(SQLModel, table=True):
    """A requirement's launch in a market, approved by someone once every required item was done."""

    __tablename__ = "market_launch"
    __table_args__ = (UniqueConstraint("requirement_id", "market"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), nullable=False))
    requirement_id: int = Field(
        sa_column=Column(Integer, ForeignKey("requirement.id", ondelete="CASCADE"), nullable=False)
    )
    market: str = Field(max_length=2)
    approved_by: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("member.id")))
    approved_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


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


@dataclass(frozen=True)
class ItemState:
    item: CheckItem
    done: bool
    by: int | None
    at: datetime | None


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


def states(*, db: Session, workspace_id: int, requirement_id: int, market: str) -> list[ItemState]:
    """Each checklist item with whether it is done for this requirement, and by whom."""
    checks = {
        c.item_key: c
        for c in db.exec(
            select(LaunchCheck).where(LaunchCheck.requirement_id == requirement_id, LaunchCheck.market == market)
        )
    }
    out = []
    for item in checklist(db=db, workspace_id=workspace_id, market=market):
        check = checks.get(item.key)
        if check is None:
            out.append(ItemState(item, False, None, None))
        else:
            out.append(ItemState(item, check.done, check.done_by, check.done_at))
    return out


def tick(
    *, db: Session, workspace_id: int, requirement_id: int, market: str, key: str, actor_id: int, done: bool
) -> bool:
    """Mark an item done (or not done again); False when it already was."""
    found = db.exec(
        select(LaunchCheck).where(
            LaunchCheck.requirement_id == requirement_id, LaunchCheck.market == market, LaunchCheck.item_key == key
        )
    ).first()
    if (found.done if found else False) == done:
        return False
    row = found or LaunchCheck(workspace_id=workspace_id, requirement_id=requirement_id, market=market, item_key=key)
    row.done, row.done_by, row.done_at = done, actor_id, utcnow()
    db.add(row)
    db.flush()
    audit.record(
        db=db,
        workspace_id=workspace_id,
        actor_id=actor_id,
        entity=REQUIREMENT_ENTITY,
        entity_id=requirement_id,
        action="launch_check",
        changes={"market": [None, market], "item": [None, key], "done": [not done, done]},
    )
    return True


def open_required_items(db: Session, requirement_id: int, market: str) -> list[CheckItem]:
    """The required checklist items not yet done for launching this requirement in this market."""
    workspace_id = db.exec(select(Requirement.workspace_id).where(Requirement.id == requirement_id)).first()
    if workspace_id is None:
        return []
    found = states(db=db, workspace_id=workspace_id, requirement_id=requirement_id, market=market)
    return [s.item for s in found if s.item.required and not s.done]


def launch_of(*, db: Session, requirement_id: int, market: str) -> MarketLaunch | None:
    return db.exec(
        select(MarketLaunch).where(MarketLaunch.requirement_id == requirement_id, MarketLaunch.market == market)
    ).first()


def approve_launch(*, db: Session, workspace_id: int, requirement_id: int, market: str, actor_id: int) -> MarketLaunch:
    """Record the launch (the caller has checked that nothing required is open)."""
    launch = MarketLaunch(workspace_id=workspace_id, requirement_id=requirement_id, market=market, approved_by=actor_id)
    db.add(launch)
    db.flush()
    audit.record(
        db=db,
        workspace_id=workspace_id,
        actor_id=actor_id,
        entity=REQUIREMENT_ENTITY,
        entity_id=requirement_id,
        action="launch",
        changes={"market": [None, market]},
    )
    return launch


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
