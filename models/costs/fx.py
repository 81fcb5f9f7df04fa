"""Exchange rates the team sets itself (monthly rates, as ERPs keep them) and the home currency.

The bot never fetches live rates. Each rate is kept with the date it was set for; a conversion says
which rate it used and how old it is, and returns None when the team has set no usable rate.

For other features::

    from models.costs.fx import convert
    found = convert(db=db, workspace_id=ws, amount=Decimal("12.50"), from_currency="EUR",
                    to_currency="CNY", on=today)
    if found is None: ...                     # no rate known: say so, do not guess
    found.amount                              # Decimal, unrounded
    found.rate.value, found.rate.age_days(today), found.rate.stale(today)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Column, Date, ForeignKey, Index, Integer, true
from sqlmodel import Field, Session, SQLModel, select

from models import audit
from models.base import UTCDateTime, utcnow
from models.money import HOME_CURRENCY, DecimalText

ENTITY = "fx_rate"
STALE_AFTER_DAYS = 31  # a monthly rate older than a month is flagged
PIVOTS = ("CNY", "USD", "EUR")


class FxRate(SQLModel, table=True):
    """1 `base` = `rate` `quote`, as set by someone for the date `as_of`. Rows are never changed."""

    __tablename__ = "fx_rate"
    __table_args__ = (Index("ix_fx_rate_pair", "workspace_id", "base", "quote", "as_of"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), nullable=False))
    base: str = Field(max_length=3)
    quote: str = Field(max_length=3)
    rate: Decimal = Field(sa_column=Column(DecimalText(), nullable=False))
    as_of: date = Field(sa_column=Column(Date, nullable=False))
    set_by: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("member.id")))
    set_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MoneySetting(SQLModel, table=True):
    """A workspace's home (report) currency, CNY when never set; and whether it reclaims import VAT/GST
    (models/costs/vat.py)."""

    __tablename__ = "money_setting"

    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), primary_key=True))
    home_currency: str = Field(default=HOME_CURRENCY, max_length=3)
    import_vat_reclaimed: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, server_default=true()))
    vat_reclaim_days: int = Field(default=60, sa_column=Column(Integer, nullable=False, server_default="60"))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


@dataclass(frozen=True)
class Rate:
    """1 base = value quote. `as_of` is the date it was set for (the oldest leg's, for a cross rate)."""

    base: str
    quote: str
    value: Decimal
    as_of: date
    set_at: datetime
    via: str | None = None  # the pivot currency of a cross rate
    inverted: bool = False  # derived from the rate set for quote → base

    def age_days(self, today: date) -> int:
        return 0 if self.base == self.quote else (today - self.as_of).days

    def stale(self, today: date) -> bool:
        return self.age_days(today) > STALE_AFTER_DAYS

    @property
    def pair(self) -> str:
        return f"{self.base}{self.quote}"

    @property
    def as_set(self) -> Rate:
        """The rate in the direction the team set it (EURCNY 7.82 rather than CNYEUR 0.1279)."""
        if not self.inverted:
            return self
        return replace(self, base=self.quote, quote=self.base, value=1 / self.value, inverted=False)


@dataclass(frozen=True)
class Converted:
    amount: Decimal
    rate: Rate


class RateBook:
    """The rates in force on one date, loaded once; conversions direct, inverse or across a pivot."""

    def __init__(self, rates: Iterable[Rate], *, pivots: tuple[str, ...] = PIVOTS) -> None:
        self.direct: dict[tuple[str, str], Rate] = {}
        for found in rates:
            held = self.direct.get((found.base, found.quote))
            if held is None or (found.as_of, found.set_at) >= (held.as_of, held.set_at):
                self.direct[(found.base, found.quote)] = found
        self.pivots = pivots

    def rate(self, base: str, quote: str) -> Rate | None:
        if base == quote:
            return Rate(base, quote, Decimal(1), date.max, datetime.max, None, False)
        found = self._one_leg(base, quote)
        if found is not None:
            return found
        for pivot in self.pivots:
            if pivot in (base, quote):
                continue
            first, second = self._one_leg(base, pivot), self._one_leg(pivot, quote)
            if first is not None and second is not None:
                oldest = min(first, second, key=lambda r: r.as_of)
                return Rate(base, quote, first.value * second.value, oldest.as_of, oldest.set_at, pivot, False)
        return None

    def convert(self, amount: Decimal, from_currency: str, to_currency: str) -> Converted | None:
        found = self.rate(from_currency, to_currency)
        return None if found is None else Converted(amount * found.value, found)

    def _one_leg(self, base: str, quote: str) -> Rate | None:
        found = self.direct.get((base, quote))
        if found is not None:
            return found
        reverse = self.direct.get((quote, base))
        if reverse is not None:
            return replace(reverse, base=base, quote=quote, value=1 / reverse.value, inverted=True)
        return None

    def latest(self) -> list[Rate]:
        """Every pair as the team set it, by pair."""
        return sorted(self.direct.values(), key=lambda r: r.pair)


def rate_book(*, db: Session, workspace_id: int, on: date | None = None) -> RateBook:
    """Rates set for `on` or earlier (every rate when `on` is None); the home currency is tried first
    as the pivot of cross rates."""
    query = select(FxRate).where(FxRate.workspace_id == workspace_id)
    if on is not None:
        query = query.where(FxRate.as_of <= on)
    rows = db.exec(query).all()
    home = home_currency(db=db, workspace_id=workspace_id)
    pivots = (home, *(p for p in PIVOTS if p != home))
    return RateBook((Rate(r.base, r.quote, r.rate, r.as_of, r.set_at) for r in rows), pivots=pivots)


def convert(
    *, db: Session, workspace_id: int, amount: Decimal, from_currency: str, to_currency: str, on: date | None = None
) -> Converted | None:
    """`amount` in `to_currency` at the team's rate for `on` (default: the newest), or None when no
    rate is known. The result carries the rate used and its date, so callers can say how old it is."""
    return rate_book(db=db, workspace_id=workspace_id, on=on).convert(amount, from_currency, to_currency)


def set_rate(
    *, db: Session, workspace_id: int, actor_id: int, base: str, quote: str, rate: Decimal, as_of: date
) -> Rate:
    previous = rate_book(db=db, workspace_id=workspace_id).direct.get((base, quote))
    row = FxRate(workspace_id=workspace_id, base=base, quote=quote, rate=rate, as_of=as_of, set_by=actor_id)
    db.add(row)
    db.flush()
    assert row.id is not None
    audit.record(
        db=db,
        workspace_id=workspace_id,
        actor_id=actor_id,
        entity=ENTITY,
        entity_id=row.id,
        action="fx",
        changes={
            "pair": [None, f"{base}{quote}"],
            "rate": [format(previous.value, "f") if previous else None, format(rate, "f")],
            "as_of": [previous.as_of.isoformat() if previous else None, as_of.isoformat()],
        },
    )
    return Rate(base, quote, rate, as_of, row.set_at)


def home_currency(*, db: Session, workspace_id: int) -> str:
    found = db.get(MoneySetting, workspace_id)
    return found.home_currency if found else HOME_CURRENCY


def set_home_currency(*, db: Session, workspace_id: int, actor_id: int, currency: str) -> str:
    """Returns the previous home currency."""
    found = db.get(MoneySetting, workspace_id)
    old = found.home_currency if found else HOME_CURRENCY
    if found is None:
        found = MoneySetting(workspace_id=workspace_id)
    found.home_currency = currency
    found.updated_at = utcnow()
    db.add(found)
    audit.setting_changed(
        db=db, workspace_id=workspace_id, actor_id=actor_id, changes={"home_currency": [old, currency]}
    )
    return old
