"""Experiments: the plan of an A/B test, its results per arm and market (typed totals or daily rows
from a CSV), and its lifecycle draft → running → stopped / shipped."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    bindparam,
    delete,
    func,
    update,
)
from sqlmodel import Field, Session, SQLModel, select

from models import audit
from models.base import UTCDateTime, dialect_insert, utcnow
from models.workspace import next_number

KEY_PREFIX = "EXP"
ENTITY = "experiment"
NAME_MAX = 120
METRIC_MAX = 40
ARM_MAX = 16
OVERALL = ""  # the market of numbers typed for all markets together
COUNT_CAP = 1000


class ExpStatus(StrEnum):
    DRAFT = "draft"
    RUNNING = "running"
    STOPPED = "stopped"
    SHIPPED = "shipped"


class Decision(StrEnum):
    SHIP = "ship"
    STOP = "stop"
    EXTEND = "extend"


class Experiment(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("workspace_id", "number"),
        Index("ix_experiment_workspace_status", "workspace_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), nullable=False))
    number: int
    name: str = Field(max_length=NAME_MAX)
    metric: str = Field(max_length=METRIC_MAX)
    markets: str = Field(default="", max_length=120)  # "DE,FR"; "" when it names none
    requirement_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("requirement.id")))
    baseline: float
    mde: float
    mde_relative: bool = True
    alpha: float = 0.05
    power: float = 0.8
    traffic_per_day: int | None = None
    arms: list[str] = Field(sa_column=Column(JSON, nullable=False))  # control first
    split: list[float] = Field(sa_column=Column(JSON, nullable=False))  # planned weights, per arm
    needed: list[int] = Field(sa_column=Column(JSON, nullable=False))  # planned users, per arm
    status: str = Field(default=ExpStatus.DRAFT, max_length=16)
    decision: str | None = Field(default=None, max_length=16)
    decided_by: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("member.id")))
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    extensions: int = 0
    data_version: int = 0  # bumped by every recorded result; buttons carry it
    requester_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id"), nullable=False))
    channel_ref: str | None = Field(default=None, max_length=64)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    stopped_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def key(self) -> str:
        return f"{KEY_PREFIX}-{self.number}"

    @property
    def market_list(self) -> list[str]:
        return [m for m in self.markets.split(",") if m]


class ExperimentDaily(SQLModel, table=True):
    """One day of one arm in one market, from a CSV; a re-sent day replaces the earlier one."""

    __tablename__ = "experiment_daily"

    experiment_id: int = Field(
        sa_column=Column(Integer, ForeignKey("experiment.id", ondelete="CASCADE"), primary_key=True)
    )
    market: str = Field(sa_column=Column(String(2), primary_key=True))
    arm: str = Field(sa_column=Column(String(ARM_MAX), primary_key=True))
    day: date = Field(sa_column=Column(Date, primary_key=True))
    visitors: int = Field(sa_column=Column(BigInteger, nullable=False))
    conversions: int = Field(sa_column=Column(BigInteger, nullable=False))


class ExperimentTotal(SQLModel, table=True):
    """Running totals of one arm, typed by hand, for all markets (market "") or one market."""

    __tablename__ = "experiment_total"

    experiment_id: int = Field(
        sa_column=Column(Integer, ForeignKey("experiment.id", ondelete="CASCADE"), primary_key=True)
    )
    market: str = Field(sa_column=Column(String(2), primary_key=True))
    arm: str = Field(sa_column=Column(String(ARM_MAX), primary_key=True))
    visitors: int = Field(sa_column=Column(BigInteger, nullable=False))
    conversions: int = Field(sa_column=Column(BigInteger, nullable=False))
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# --- reading results ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """Every recorded number of an experiment, summed per market and arm by the database."""

    source: str | None  # "daily", "typed", or None before any result
    slices: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)  # (market, arm) → (v, c)
    first_day: date | None = None
    last_day: date | None = None

    def overall(self, arms: Sequence[str]) -> dict[str, tuple[int, int]]:
        """Per arm, all markets together: typed totals for all markets win over the sum of slices."""
        use_overall = self.source == "typed" and any(m == OVERALL for m, _ in self.slices)
        found = {arm: (0, 0) for arm in arms}
        for (market, arm), (v, c) in self.slices.items():
            if arm not in found or (use_overall and market != OVERALL):
                continue
            found[arm] = (found[arm][0] + v, found[arm][1] + c)
        return found

    def markets(self) -> list[str]:
        return sorted({m for m, _ in self.slices if m != OVERALL})

    def market(self, market: str, arms: Sequence[str]) -> dict[str, tuple[int, int]]:
        return {arm: self.slices.get((market, arm), (0, 0)) for arm in arms}

    @property
    def days(self) -> int | None:
        if self.first_day is None or self.last_day is None:
            return None
        return (self.last_day - self.first_day).days + 1


def counts(*, db: Session, experiment_id: int) -> Counts:
    """Sums per (market, arm) in one aggregate query (typed totals only when there are no daily rows)."""
    connection = db.connection()
    rows = connection.execute(_DAILY_SLICES, {"id": experiment_id}).all()
    if rows:
        return Counts(
            "daily",
            {(r.market, r.arm): (int(r.visitors), int(r.conversions)) for r in rows},
            min(r.first for r in rows),
            max(r.last for r in rows),
        )
    typed = connection.execute(_TOTAL_SLICES, {"id": experiment_id}).all()
    if typed:
        return Counts("typed", {(r.market, r.arm): (int(r.visitors), int(r.conversions)) for r in typed})
    return Counts(None)


@dataclass(frozen=True)
class DayPoint:
    day: date
    arm: str
    visitors: int
    conversions: int


def daily_series(*, db: Session, experiment_id: int, market: str | None = None) -> list[DayPoint]:
    """Visitors and conversions per day and arm (all markets, or one), oldest first."""
    params: dict[str, Any] = {"id": experiment_id, "market": market}
    rows = db.connection().execute(_series_statement(market is not None), params).all()
    return [DayPoint(r.day, r.arm, int(r.visitors), int(r.conversions)) for r in rows]


def has_daily(*, db: Session, experiment_id: int) -> bool:
    return db.connection().execute(_HAS_DAILY, {"id": experiment_id}).first() is not None


D, T = ExperimentDaily, ExperimentTotal
_DAILY_SLICES = (
    select(
        D.market,
        D.arm,
        func.sum(D.visitors).label("visitors"),
        func.sum(D.conversions).label("conversions"),
        func.min(D.day).label("first"),
        func.max(D.day).label("last"),
    )
    .where(D.experiment_id == bindparam("id"))
    .group_by(D.market, D.arm)
)
_TOTAL_SLICES = select(T.market, T.arm, T.visitors, T.conversions).where(T.experiment_id == bindparam("id"))
_HAS_DAILY = select(D.day).where(D.experiment_id == bindparam("id")).limit(1)


@cache
def _series_statement(one_market: bool) -> Any:
    query = select(
        D.day, D.arm, func.sum(D.visitors).label("visitors"), func.sum(D.conversions).label("conversions")
    ).where(D.experiment_id == bindparam("id"))
    if one_market:
        query = query.where(D.market == bindparam("market"))
    return query.group_by(D.day, D.arm).order_by(D.day, D.arm)


# --- writing ------------------------------------------------------------------------------------


def create(*, db: Session, workspace_id: int, requester_id: int, values: dict[str, Any]) -> Experiment:
    now = utcnow()
    item = Experiment(
        **values,
        workspace_id=workspace_id,
        requester_id=requester_id,
        number=next_number(db=db, workspace_id=workspace_id, kind=KEY_PREFIX),
        status=ExpStatus.DRAFT,
        created_at=now,
        updated_at=now,
    )
    db.add(item)
    db.flush()
    _audit(db, item, requester_id, "create", {k: [None, _plain(v)] for k, v in values.items() if v not in (None, "")})
    return item


def get_by_number(*, db: Session, workspace_id: int, number: int) -> Experiment | None:
    return db.exec(
        select(Experiment).where(Experiment.workspace_id == workspace_id, Experiment.number == number)
    ).first()


def get_by_id(*, db: Session, workspace_id: int, experiment_id: int) -> Experiment | None:
    item = db.get(Experiment, experiment_id)
    return item if item is not None and item.workspace_id == workspace_id else None


def set_status(*, db: Session, item: Experiment, actor_id: int, target: ExpStatus) -> None:
    now = utcnow()
    before = item.status
    item.status = target
    if target is ExpStatus.RUNNING and item.started_at is None:
        item.started_at = now
    if target is ExpStatus.STOPPED:
        item.stopped_at = now
    item.updated_at = now
    db.add(item)
    _audit(db, item, actor_id, "status", {"status": [before, target.value]})


def record_totals(
    *, db: Session, item: Experiment, actor_id: int, market: str, numbers: dict[str, tuple[int, int]]
) -> None:
    """Typed running totals per arm for one market (or OVERALL); each replaces that arm's earlier total."""
    stmt = dialect_insert(db, ExperimentTotal)
    stmt = stmt.on_conflict_do_update(
        index_elements=["experiment_id", "market", "arm"],
        set_={
            "visitors": stmt.excluded.visitors,
            "conversions": stmt.excluded.conversions,
            "recorded_at": stmt.excluded.recorded_at,
        },
    )
    now = utcnow()
    rows = [
        {"experiment_id": item.id, "market": market, "arm": arm, "visitors": v, "conversions": c, "recorded_at": now}
        for arm, (v, c) in numbers.items()
    ]
    db.connection().execute(stmt, rows)
    changes = {arm: [None, f"{v}/{c}"] for arm, (v, c) in numbers.items()}
    _bump(db, item, actor_id, "result", {"market": [None, market or None], **changes})


@dataclass(frozen=True)
class DailyRow:
    day: date
    arm: str
    market: str
    visitors: int
    conversions: int


def import_daily(*, db: Session, item: Experiment, actor_id: int, rows: Iterable[DailyRow], source: str) -> int:
    """Daily rows from a file: a day already stored for that arm and market is replaced. Typed totals
    are dropped, since the daily rows now describe the whole experiment. Returns how many were typed."""
    stmt = dialect_insert(db, ExperimentDaily)
    stmt = stmt.on_conflict_do_update(
        index_elements=["experiment_id", "market", "arm", "day"],
        set_={"visitors": stmt.excluded.visitors, "conversions": stmt.excluded.conversions},
    )
    batch = [
        {
            "experiment_id": item.id,
            "market": r.market,
            "arm": r.arm,
            "day": r.day,
            "visitors": r.visitors,
            "conversions": r.conversions,
        }
        for r in rows
    ]
    connection = db.connection()
    connection.execute(stmt, batch)
    dropped = connection.execute(delete(ExperimentTotal).where(ExperimentTotal.experiment_id == item.id)).rowcount
    days = sorted({r["day"] for r in batch})
    _bump(
        db,
        item,
        actor_id,
        "import",
        {"file": [None, source], "rows": [None, len(batch)], "days": [None, f"{days[0]}..{days[-1]}"]},
    )
    return int(dropped or 0)


def decide(
    *, db: Session, item: Experiment, actor_id: int, decision: Decision, data_version: int, needed: list[int]
) -> bool:
    """Apply a decision if nobody decided and no data arrived since the card was drawn (one atomic
    UPDATE, so two approvers clicking at once cannot both decide)."""
    db.flush()
    now = utcnow()
    values: dict[str, Any] = {"updated_at": now}
    if decision is Decision.EXTEND:
        values |= {"needed": needed, "extensions": Experiment.extensions + 1, "status": ExpStatus.RUNNING.value}
    else:
        target = ExpStatus.SHIPPED if decision is Decision.SHIP else ExpStatus.STOPPED
        values |= {"status": target.value, "decision": decision.value, "decided_by": actor_id, "decided_at": now}
        if target is ExpStatus.STOPPED and item.stopped_at is None:
            values["stopped_at"] = now
    done = db.connection().execute(
        update(Experiment)
        .where(
            Experiment.id == item.id,  # type: ignore[arg-type]
            Experiment.decision.is_(None),  # type: ignore[union-attr]
            Experiment.data_version == data_version,  # type: ignore[arg-type]
            Experiment.extensions == item.extensions,  # type: ignore[arg-type]
        )
        .values(**values)
    )
    if done.rowcount != 1:
        return False
    changes: dict[str, list[Any]] = {"decision": [None, decision.value]}
    if decision is Decision.EXTEND:
        changes["needed"] = [list(item.needed), needed]
    else:
        changes["status"] = [item.status, values["status"]]
    _audit(db, item, actor_id, "decision", changes, at=now)
    db.refresh(item)
    return True


# --- lists --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListPage:
    items: list[Experiment]
    total: int
    capped: bool
    more: bool


def page(
    *, db: Session, workspace_id: int, status: str | None, market: str | None, offset: int, limit: int
) -> ListPage:
    """Newest first; `market` matches experiments that name it."""
    query = select(Experiment).where(Experiment.workspace_id == workspace_id)
    if status:
        query = query.where(Experiment.status == status)
    if market:
        query = query.where(("," + Experiment.markets + ",").like(f"%,{market},%"))  # type: ignore[operator]
    counted = db.exec(
        select(func.count()).select_from(query.with_only_columns(Experiment.id).limit(COUNT_CAP + 1).subquery())
    ).one()
    items = list(db.exec(query.order_by(Experiment.number.desc()).offset(offset).limit(limit + 1)).all())  # type: ignore[attr-defined]
    return ListPage(items[:limit], min(counted, COUNT_CAP), counted > COUNT_CAP, len(items) > limit)


def _bump(db: Session, item: Experiment, actor_id: int, action: str, changes: dict[str, list[Any]]) -> None:
    db.flush()  # pending changes to `item` first: the refresh below reloads it
    now = utcnow()
    db.connection().execute(
        update(Experiment)
        .where(Experiment.id == item.id)  # type: ignore[arg-type]
        .values(data_version=Experiment.data_version + 1, updated_at=now)
    )
    db.refresh(item)
    _audit(db, item, actor_id, action, changes, at=now)


def _audit(
    db: Session, item: Experiment, actor_id: int, action: str, changes: dict[str, Any], at: datetime | None = None
) -> None:
    assert item.id is not None
    audit.record(
        db=db,
        workspace_id=item.workspace_id,
        actor_id=actor_id,
        entity=ENTITY,
        entity_id=item.id,
        action=action,
        changes=changes,
        at=at,
    )


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
