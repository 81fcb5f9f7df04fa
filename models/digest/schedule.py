"""Standup digests: each channel's schedule and settings, the dates it skips, and when it is due
(APScheduler's CronTrigger in the channel's IANA zone). The runs are in models/digest/run.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint, delete
from sqlmodel import Field, Session, SQLModel, select

from models.base import UTCDateTime, dialect_insert, utcnow
from models.team_calendar import DayKind, day_kind
from models.workspace import Workspace

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAYS = DAYS[:5]
LOOKBACK = timedelta(days=7)  # how far back a scheduler looks for slots it has not seen
CALENDAR_HORIZON_DAYS = 60  # the longest run of days a schedule may have without a slot (holidays, one weekday)


class DigestChannel(SQLModel, table=True):
    """A channel's digest settings; `enabled` once it has a schedule that is not switched off."""

    __tablename__ = "digest_channel"
    __table_args__ = (UniqueConstraint("workspace_id", "channel_ref"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), nullable=False))
    channel_ref: str = Field(max_length=64)
    enabled: bool = False
    at_time: str | None = Field(default=None, max_length=5)  # "09:30", local to tz
    tz: str | None = Field(default=None, max_length=64)
    days: str | None = Field(default=None, max_length=32)  # "mon,tue,wed,thu,fri"
    lang: str | None = Field(default=None, max_length=8)  # None: the workspace's language
    remind_minutes: int | None = None
    always: bool = False  # post even when nothing happened
    markets: str = Field(default="", max_length=120)  # "DE,US"; empty: every market
    effective_from: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)  # slots before are not owed
    updated_by: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("member.id")))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def market_list(self) -> tuple[str, ...]:
        return tuple(m for m in self.markets.split(",") if m)

    @property
    def day_list(self) -> tuple[str, ...]:
        return tuple(d for d in (self.days or "").split(",") if d)

    @property
    def scheduled(self) -> bool:
        return bool(self.enabled and self.at_time and self.tz and self.days)


class DigestSkip(SQLModel, table=True):
    __tablename__ = "digest_skip"

    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), primary_key=True))
    channel_ref: str = Field(primary_key=True, max_length=64)
    day: date = Field(primary_key=True)


# ---- settings ----------------------------------------------------------------------------------


def channel_settings(*, db: Session, workspace_id: int, channel_ref: str) -> DigestChannel | None:
    return db.exec(
        select(DigestChannel).where(
            DigestChannel.workspace_id == workspace_id, DigestChannel.channel_ref == channel_ref
        )
    ).first()


def ensure_channel(*, db: Session, workspace_id: int, channel_ref: str) -> DigestChannel:
    found = channel_settings(db=db, workspace_id=workspace_id, channel_ref=channel_ref)
    if found is not None:
        return found
    now = utcnow()
    db.exec(
        dialect_insert(db, DigestChannel)
        .values(
            workspace_id=workspace_id,
            channel_ref=channel_ref,
            enabled=False,
            always=False,
            markets="",
            effective_from=now,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["workspace_id", "channel_ref"])
    )
    found = channel_settings(db=db, workspace_id=workspace_id, channel_ref=channel_ref)
    assert found is not None
    return found


def save_channel(*, db: Session, settings: DigestChannel, by: int) -> None:
    """Store changed settings, as changed by member `by` now."""
    settings.updated_by = by
    settings.updated_at = utcnow()
    db.add(settings)
    db.flush()


def scheduled_channels(*, db: Session, platforms: frozenset[str]) -> list[tuple[DigestChannel, str]]:
    """Every channel with a running schedule on these platforms, with its workspace's platform."""
    rows = db.exec(
        select(DigestChannel, Workspace.platform)
        .join(Workspace, Workspace.id == DigestChannel.workspace_id)  # type: ignore[arg-type]
        .where(DigestChannel.enabled, Workspace.platform.in_(sorted(platforms)))  # type: ignore[attr-defined]
        .where(Workspace.uninstalled_at.is_(None))  # type: ignore[union-attr]
    ).all()
    return [(channel, platform) for channel, platform in rows if channel.scheduled]


def skipped_days(*, db: Session, workspace_id: int, channel_ref: str, from_day: date | None = None) -> list[date]:
    query = select(DigestSkip.day).where(DigestSkip.workspace_id == workspace_id, DigestSkip.channel_ref == channel_ref)
    if from_day is not None:
        query = query.where(DigestSkip.day >= from_day)
    return sorted(db.exec(query).all())


def add_skip(*, db: Session, workspace_id: int, channel_ref: str, day: date) -> bool:
    inserted = db.exec(
        dialect_insert(db, DigestSkip)
        .values(workspace_id=workspace_id, channel_ref=channel_ref, day=day)
        .on_conflict_do_nothing(index_elements=["workspace_id", "channel_ref", "day"])
        .returning(DigestSkip.day)
    ).first()
    return inserted is not None


def remove_skip(*, db: Session, workspace_id: int, channel_ref: str, day: date) -> bool:
    result = db.exec(
        delete(DigestSkip).where(  # type: ignore[arg-type]
            DigestSkip.workspace_id == workspace_id, DigestSkip.channel_ref == channel_ref, DigestSkip.day == day
        )
    )
    return bool(result.rowcount)


# ---- slots --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    """When a channel's digest is due: a local time on some weekdays in an IANA zone; with a team
    calendar, not on its public holidays, and on its make-up workdays when it runs every weekday."""

    at_time: str
    tz: str
    days: str
    calendar: str | None = None

    @classmethod
    def of(cls, channel: DigestChannel, calendar: str | None = None) -> Schedule:
        assert channel.at_time and channel.tz and channel.days
        return cls(channel.at_time, channel.tz, channel.days, calendar)

    def due_on(self, day: date) -> bool:
        """Whether the digest is due on this local day."""
        named = DAYS[day.weekday()] in self.days.split(",")
        if not self.calendar:
            return named
        kind = day_kind(self.calendar, day)
        if kind is DayKind.HOLIDAY:
            return False
        if kind is DayKind.MAKEUP:
            return named or set(WEEKDAYS) <= set(self.days.split(","))
        return named

    def slots(self, after: datetime, until: datetime) -> list[datetime]:
        """Every fire time in (after, until], in UTC. A fall-back fold yields the time twice; both
        fall on the same local day, and the day is what a run claims."""
        trigger = _trigger(self._daily())
        found: list[datetime] = []
        cursor = after.astimezone(UTC) + timedelta(microseconds=1)
        while True:
            fire = trigger.get_next_fire_time(None, cursor)
            if fire is None or fire > until:
                return found
            # Step in UTC: wall-clock arithmetic would drop the fold and find the same time again.
            fire = fire.astimezone(UTC)
            if self.due_on(self.day_of(fire)):
                found.append(fire)
            cursor = fire + timedelta(microseconds=1)

    def next_slot(self, now: datetime) -> datetime:
        trigger = _trigger(self._daily())
        cursor = now.astimezone(UTC)
        for _ in range(CALENDAR_HORIZON_DAYS):
            fire = trigger.get_next_fire_time(None, cursor)
            assert fire is not None
            fire = fire.astimezone(UTC)
            if self.due_on(self.day_of(fire)):
                return fire
            cursor = fire + timedelta(microseconds=1)
        raise AssertionError(f"no working day within {CALENDAR_HORIZON_DAYS} days for {self}")

    def _daily(self) -> Schedule:
        """With a calendar every day is a candidate (a make-up Saturday too); due_on picks."""
        return Schedule(self.at_time, self.tz, ",".join(DAYS)) if self.calendar else self

    def previous_slot(self, before: datetime) -> datetime | None:
        earlier = self.slots(before - timedelta(days=8), before - timedelta(microseconds=1))
        return earlier[-1] if earlier else None

    def day_of(self, slot: datetime) -> date:
        return slot.astimezone(ZoneInfo(self.tz)).date()

    def cron_fields(self) -> dict[str, Any]:
        hour, minute = self.at_time.split(":")
        return {"hour": int(hour), "minute": int(minute), "day_of_week": self.days, "timezone": ZoneInfo(self.tz)}


def plan_of(db: Session, channel: DigestChannel) -> Schedule:
    """The channel's schedule under its team's calendar (`/pm settings calendar=CN`)."""
    workspace = db.get(Workspace, channel.workspace_id)
    return Schedule.of(channel, workspace.calendar if workspace is not None else None)


@cache
def _trigger(schedule: Schedule) -> CronTrigger:
    return CronTrigger(**schedule.cron_fields())
