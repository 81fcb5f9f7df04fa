"""Results of an experiment: daily rows from a file and typed running totals, per arm and market,
and the aggregate queries that read them (sums are taken by the database, never row by row)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Column, Date, ForeignKey, Integer, String, bindparam, delete, func
from sqlmodel import Field, Session, SQLModel, select

from models.base import UTCDateTime, dialect_insert, utcnow
from models.experiments.experiment import ARM_MAX, Experiment, bump

OVERALL = ""  # the market of numbers typed for all markets together


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
    total: float | None = None  # a mean metric's Σy (conversions is then 0)
    squares: float | None = None  # and Σy²
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# --- reading results ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """Every recorded number of an experiment, summed per market and arm by the database."""

    source: str | None  # "daily", "typed", or None before any result
    slices: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)  # (market, arm) → (v, c)
    first_day: date | None = None
    last_day: date | None = None
    sums: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)  # mean metrics: Σy, Σy²

    def overall(self, arms: Sequence[str]) -> dict[str, tuple[int, int]]:
        """Per arm, all markets together: typed totals for all markets win over the sum of slices."""
        use_overall = self.source == "typed" and any(m == OVERALL for m, _ in self.slices)
        found = {arm: (0, 0) for arm in arms}
        for (market, arm), (v, c) in self.slices.items():
            if arm not in found or (use_overall and market != OVERALL):
                continue
            found[arm] = (found[arm][0] + v, found[arm][1] + c)
        return found

    def sums_of(self, market: str | None, arms: Sequence[str]) -> dict[str, tuple[float, float]] | None:
        """Per arm, Σy and Σy² of a mean metric (all markets, or one); None when none were recorded."""
        if not self.sums:
            return None
        use_overall = any(m == OVERALL for m, _ in self.sums)
        found = {arm: (0.0, 0.0) for arm in arms}
        for (m, arm), (total, squares) in self.sums.items():
            if arm not in found or (market is not None and m != market):
                continue
            if market is None and use_overall and m != OVERALL:
                continue
            found[arm] = (found[arm][0] + total, found[arm][1] + squares)
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
        return typed_counts(typed)
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
_TOTAL_SLICES = select(T.market, T.arm, T.visitors, T.conversions, T.total, T.squares).where(
    T.experiment_id == bindparam("id")
)


def typed_counts(rows: Iterable[Any]) -> Counts:
    """Counts from typed-total rows (market, arm, visitors, conversions, total, squares)."""
    rows = list(rows)
    slices = {(r.market, r.arm): (int(r.visitors), int(r.conversions)) for r in rows}
    sums = {(r.market, r.arm): (float(r.total), float(r.squares)) for r in rows if r.total is not None}
    return Counts("typed", slices, sums=sums)


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


def record_totals(
    *,
    db: Session,
    item: Experiment,
    actor_id: int,
    market: str,
    numbers: dict[str, tuple[int, int]],
    sums: dict[str, tuple[float, float]] | None = None,
) -> None:
    """Typed running totals per arm for one market (or OVERALL); each replaces that arm's earlier total."""
    stmt = dialect_insert(db, ExperimentTotal)
    stmt = stmt.on_conflict_do_update(
        index_elements=["experiment_id", "market", "arm"],
        set_={
            "visitors": stmt.excluded.visitors,
            "conversions": stmt.excluded.conversions,
            "total": stmt.excluded.total,
            "squares": stmt.excluded.squares,
            "recorded_at": stmt.excluded.recorded_at,
        },
    )
    now = utcnow()
    sums = sums or {}
    rows = [
        {"experiment_id": item.id, "market": market, "arm": arm, "visitors": v, "conversions": c,
         "total": sums.get(arm, (None, None))[0], "squares": sums.get(arm, (None, None))[1], "recorded_at": now}
        for arm, (v, c) in numbers.items()
    ]  # fmt: skip
    db.connection().execute(stmt, rows)
    changes = {
        arm: [None, f"{v}/{sums[arm][0]:g}/{sums[arm][1]:g}" if arm in sums else f"{v}/{c}"]
        for arm, (v, c) in numbers.items()
    }
    bump(db, item, actor_id, "result", {"market": [None, market or None], **changes})


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
    bump(
        db,
        item,
        actor_id,
        "import",
        {"file": [None, source], "rows": [None, len(batch)], "days": [None, f"{days[0]}..{days[-1]}"]},
    )
    return int(dropped or 0)
