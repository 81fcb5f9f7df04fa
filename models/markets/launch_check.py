"""Launch checks: which items of a market's checklist are done for a requirement, who ticked them when,
and whether the requirement's launch in that market was approved.

For other features (approvals: refuse a launch while a required item is open)::

    from models.markets.launch_check import open_required_items
    blocking = open_required_items(db, requirement_id, "DE")   # [] when nothing blocks
    [item.key for item in blocking]; item.label (the team's own text) or item.label_key (catalogue key)

handlers/markets/commands.py `launch_refusal(db, requirement_id, market)` turns the same into a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, select

from models import audit
from models.base import UTCDateTime, utcnow
from models.markets.profile import CheckItem, checklist
from models.requirements.requirement import Requirement, RequirementMarket

REQUIREMENT_ENTITY = "requirement"  # launch checks show in the requirement's own history


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
class ItemState:
    item: CheckItem
    done: bool
    by: int | None
    at: datetime | None


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


def open_required_all(db: Session, requirement_id: int) -> dict[str, list[CheckItem]]:
    """For every market the requirement is tagged with, its open required items (markets with none left
    out): for approving a requirement as a whole rather than one market's launch."""
    markets = db.exec(select(RequirementMarket.market).where(RequirementMarket.requirement_id == requirement_id)).all()
    found = {market: open_required_items(db, requirement_id, market) for market in sorted(markets)}
    return {market: items for market, items in found.items() if items}


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
