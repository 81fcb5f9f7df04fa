"""What the market cards draw, each read in one call: a market's profile with its checklist, and a
requirement's launch check in one market with the people it names."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from models.markets import launch_check as launch_model
from models.markets import profile as profile_model
from models.markets.launch_check import ItemState, MarketLaunch
from models.markets.profile import CheckItem, MarketProfile
from models.requirements.requirement import Requirement
from models.workspace import names_of

People = dict[int, tuple[str, str | None]]


@dataclass(frozen=True)
class ProfileCard:
    market: str
    profile: MarketProfile | None  # None: the market is shown from the shipped defaults
    items: list[CheckItem]  # its launch checklist


@dataclass(frozen=True)
class LaunchCard:
    requirement_id: int
    key: str
    title: str
    market: str
    states: list[ItemState]  # every checklist item, done or not, and who ticked it when
    launch: MarketLaunch | None  # the approved launch, if there is one
    people: People  # who ticked and who approved: member id → (platform id, name)


@dataclass(frozen=True)
class Blockers:
    key: str  # the requirement's key
    items: list[CheckItem]  # the required items still open


def profile_card(*, db: Session, workspace_id: int, market: str) -> ProfileCard:
    profile = profile_model.get_profile(db=db, workspace_id=workspace_id, market=market)
    return ProfileCard(market, profile, profile_model.checklist(db=db, workspace_id=workspace_id, market=market))


def market_list(*, db: Session, workspace_id: int) -> list[MarketProfile]:
    return profile_model.profiles(db=db, workspace_id=workspace_id)


def launch_card(
    *, db: Session, workspace_id: int, requirement_id: int, key: str, title: str, market: str
) -> LaunchCard:
    states = launch_model.states(db=db, workspace_id=workspace_id, requirement_id=requirement_id, market=market)
    launch = launch_model.launch_of(db=db, requirement_id=requirement_id, market=market)
    people = names_of(db=db, member_ids=[s.by for s in states] + ([launch.approved_by] if launch else []))
    return LaunchCard(requirement_id, key, title, market, states, launch, people)


def launch_blockers(*, db: Session, requirement_id: int, market: str) -> Blockers | None:
    """What keeps the launch of a requirement in a market from being approved, or None when nothing does."""
    blocking = launch_model.open_required_items(db, requirement_id, market)
    if not blocking:
        return None
    item = db.get(Requirement, requirement_id)
    return Blockers(item.key if item is not None else f"#{requirement_id}", blocking)
