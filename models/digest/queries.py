"""What the digest's views draw, read in one call each: a channel's settings card (its upcoming
skipped dates, the next digest due and the last one), and what a digest adds to the features'
sections (the window's standup answers and everyone its lines name)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from models.digest import run as run_model
from models.digest import schedule as digest_model
from models.digest.run import DigestRun
from models.digest.schedule import DigestChannel, Schedule
from models.standup import answer as standup_model
from models.standup.answer import Answer
from models.workspace import Workspace, names_of

SLOTS_LOOKED_AT = 60  # how many scheduled slots the next digest is looked for in, past skipped dates


@dataclass(frozen=True)
class SettingsView:
    settings: DigestChannel | None  # None: the channel has never had digest settings
    skips: tuple[date, ...]  # skipped dates from today on, soonest first
    last: DigestRun | None  # the latest digest the next one starts from
    next_slot: datetime | None  # the next digest due (skipped dates passed over), when scheduled


def settings_view(
    *, db: Session, workspace_id: int, channel_ref: str, settings: DigestChannel | None, today: date, now: datetime
) -> SettingsView:
    if settings is None:
        return SettingsView(None, (), None, None)
    skips = tuple(digest_model.skipped_days(db=db, workspace_id=workspace_id, channel_ref=channel_ref, from_day=today))
    last = run_model.last_covering(db=db, workspace_id=workspace_id, channel_ref=channel_ref)
    upcoming = next_slot(digest_model.plan_of(db, settings), set(skips), now) if settings.scheduled else None
    return SettingsView(settings, skips, last, upcoming)


def next_slot(plan: Schedule, skips: set[date], now: datetime) -> datetime | None:
    """The first slot after `now` whose day is not skipped (None when none is in sight)."""
    cursor = now
    for _ in range(SLOTS_LOOKED_AT):
        slot = plan.next_slot(cursor)
        if plan.day_of(slot) not in skips:
            return slot
        cursor = slot + timedelta(seconds=1)
    return None


@dataclass(frozen=True)
class DigestContent:
    answers: list[Answer]  # each person's newest standup answer in the window, oldest first
    people: dict[int, tuple[str, str | None]]  # platform id and name of the answerers and of `also`


def digest_content(
    *,
    db: Session,
    workspace_id: int,
    channel_ref: str,
    since: datetime,
    until: datetime,
    also: Iterable[int | None] = (),
) -> DigestContent:
    answers = standup_model.answers_between(
        db=db, workspace_id=workspace_id, channel_ref=channel_ref, since=since, until=until
    )
    people = names_of(db=db, member_ids={*also, *(a.member_id for a in answers)})
    return DigestContent(answers, people)


def workspace_lang(*, db: Session, workspace_id: int) -> str:
    """The workspace's own language, which a channel's digest is drawn in unless it chose another."""
    lang = db.exec(select(Workspace.default_lang).where(Workspace.id == workspace_id)).first()
    assert lang is not None, f"no workspace {workspace_id}"
    return lang
