"""Early-warning indicators: named figures a team feeds (`fx.USDCNY`), the risks that watch them, the
alerts sent when a figure crossed a threshold, and the token scripts use to push figures.

A figure named `fx.<BASE><QUOTE>` of two currencies is the team's exchange rate for that pair: it is kept
in one place, the rates of models/costs/fx.py, whether it came by `/pm figure`, an HTTP push or `/pm fx`.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, select

from models import audit
from models.base import UTCDateTime, utcnow
from models.costs import fx as fx_model
from models.money import CURRENCIES
from models.risks.exposure import DecimalText
from models.risks.grid import crossing

NAME_MAX = 80
FX_NAME = re.compile(r"fx\.([a-z]{3})([a-z]{3})")
FX_SOURCE = "fx"  # a figure read from the exchange rates
TOKEN_PREFIX = "twf_"


class Figure(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), nullable=False))
    key: str = Field(max_length=NAME_MAX)  # the name folded to lower case: names match whatever their case
    name: str = Field(max_length=NAME_MAX)  # as first written, for display
    value: Decimal = Field(sa_type=DecimalText)
    source: str = Field(max_length=16)  # "command" or "http"
    updated_by: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("member.id")))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FigureToken(SQLModel, table=True):
    """The one token per workspace that may push figures over HTTP; only its SHA-256 is kept."""

    __tablename__ = "figure_token"

    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), primary_key=True))
    token_hash: str = Field(max_length=64, unique=True)
    created_by: int = Field(sa_column=Column(Integer, ForeignKey("member.id"), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RiskWatch(SQLModel, table=True):
    __tablename__ = "risk_watch"
    __table_args__ = (
        UniqueConstraint("risk_id", "figure_key", "direction"),
        Index("ix_risk_watch_figure", "workspace_id", "figure_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), nullable=False))
    risk_id: int = Field(sa_column=Column(Integer, ForeignKey("risk.id", ondelete="CASCADE"), nullable=False))
    figure_key: str = Field(max_length=NAME_MAX)
    figure_name: str = Field(max_length=NAME_MAX)
    direction: str = Field(max_length=8)  # above | below
    threshold: Decimal = Field(sa_type=DecimalText)
    tripped: bool = False  # past the threshold and alerted; re-armed when the figure comes back
    created_by: int = Field(sa_column=Column(Integer, ForeignKey("member.id"), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RiskAlert(SQLModel, table=True):
    """One crossing of a threshold, as announced; `raised_*` once someone raised the likelihood from it."""

    __tablename__ = "risk_alert"
    __table_args__ = (Index("ix_risk_alert_risk", "risk_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), nullable=False))
    risk_id: int = Field(sa_column=Column(Integer, ForeignKey("risk.id", ondelete="CASCADE"), nullable=False))
    figure_name: str = Field(max_length=NAME_MAX)
    direction: str = Field(max_length=8)
    threshold: Decimal = Field(sa_type=DecimalText)
    value: Decimal = Field(sa_type=DecimalText)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    raised_by: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("member.id")))
    raised_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


def figure_key(name: str) -> str:
    return name.casefold()


def fx_pair(name: str) -> tuple[str, str] | None:
    """(USD, CNY) for `fx.USDCNY` (any case) when both are currencies; None for any other figure."""
    match = FX_NAME.fullmatch(name.casefold())
    if match is None:
        return None
    base, quote = match.group(1).upper(), match.group(2).upper()
    return (base, quote) if base in CURRENCIES and quote in CURRENCIES and base != quote else None


def fx_figure_name(base: str, quote: str) -> str:
    return f"fx.{base}{quote}"


def get_figure(*, db: Session, workspace_id: int, name: str) -> Figure | None:
    pair = fx_pair(name)
    if pair is not None:
        rate = fx_model.rate_book(db=db, workspace_id=workspace_id).rate(*pair)
        return None if rate is None else _fx_figure(workspace_id, rate)
    return db.exec(select(Figure).where(Figure.workspace_id == workspace_id, Figure.key == figure_key(name))).first()


def figures(*, db: Session, workspace_id: int) -> list[Figure]:
    """Every figure by name, the exchange rates the team set among them (an unsaved Figure each)."""
    stored = db.exec(select(Figure).where(Figure.workspace_id == workspace_id)).all()
    rates = fx_model.rate_book(db=db, workspace_id=workspace_id).latest()
    found = [f for f in stored if fx_pair(f.name) is None] + [_fx_figure(workspace_id, r) for r in rates]
    return sorted(found, key=lambda f: f.key)


def _fx_figure(workspace_id: int, rate: fx_model.Rate) -> Figure:
    name = fx_figure_name(rate.base, rate.quote)
    return Figure(
        workspace_id=workspace_id,
        key=figure_key(name),
        name=name,
        value=rate.value,
        source=FX_SOURCE,
        updated_at=rate.set_at,
    )


@dataclass(frozen=True)
class Crossed:
    watch: RiskWatch
    alert: RiskAlert


def set_figure(
    *,
    db: Session,
    workspace_id: int,
    name: str,
    value: Decimal,
    source: str,
    actor_id: int | None,
    on: date | None = None,
) -> list[Crossed]:
    """Store a figure's new value and re-check every watch on it; returns the crossings to announce.
    An exchange rate (`fx.USDCNY`, which must be positive) is set for the day `on` (default: today, UTC);
    one set for an earlier day than the pair's newest is stored but moves no watch.

    Rows of the watches are locked on PostgreSQL, so two pushes of the same figure cannot both announce
    one crossing (SQLite writers are serialised by BEGIN IMMEDIATE).
    """
    now = utcnow()
    pair = fx_pair(name)
    if pair is not None:
        assert value > 0, "an exchange rate is positive"
        as_of = on or now.date()
        fx_model.set_rate(
            db=db, workspace_id=workspace_id, actor_id=actor_id, base=pair[0], quote=pair[1], rate=value, as_of=as_of
        )
        newest = fx_model.rate_book(db=db, workspace_id=workspace_id).direct[pair]
        if newest.as_of != as_of:
            return []
        shown = fx_figure_name(*pair)
        return _recheck(db, workspace_id, figure_key(shown), shown, value, now)
    found = get_figure(db=db, workspace_id=workspace_id, name=name)
    old = found.value if found else None
    if found is None:
        found = Figure(workspace_id=workspace_id, key=figure_key(name), name=name, value=value, source=source)
    found.value, found.source, found.updated_by, found.updated_at = value, source, actor_id, now
    db.add(found)
    db.flush()
    assert found.id is not None
    audit.record(
        db=db,
        workspace_id=workspace_id,
        actor_id=actor_id,
        entity="figure",
        entity_id=found.id,
        action="figure_set",
        changes={"value": [None if old is None else format(old, "f"), format(value, "f")], "source": [None, source]},
        at=now,
    )
    return _recheck(db, workspace_id, found.key, found.name, value, now)


def _recheck(db: Session, workspace_id: int, key: str, name: str, value: Decimal, now: datetime) -> list[Crossed]:
    watching = db.exec(
        select(RiskWatch)
        .where(RiskWatch.workspace_id == workspace_id, RiskWatch.figure_key == key)
        .order_by(RiskWatch.id)  # type: ignore[arg-type]
        .with_for_update()
    ).all()
    crossed: list[Crossed] = []
    for watch in watching:
        tripped, alert = crossing(watch.tripped, value, watch.direction, watch.threshold)
        if tripped != watch.tripped:
            watch.tripped = tripped
            db.add(watch)
        if alert:
            row = RiskAlert(
                workspace_id=workspace_id,
                risk_id=watch.risk_id,
                figure_name=name,
                direction=watch.direction,
                threshold=watch.threshold,
                value=value,
                at=now,
            )
            db.add(row)
            crossed.append(Crossed(watch, row))
    db.flush()
    return crossed


def watches_of(*, db: Session, risk_id: int) -> list[RiskWatch]:
    return list(db.exec(select(RiskWatch).where(RiskWatch.risk_id == risk_id).order_by(RiskWatch.id)).all())  # type: ignore[arg-type]


def add_watch(
    *,
    db: Session,
    workspace_id: int,
    risk_id: int,
    name: str,
    direction: str,
    threshold: Decimal,
    tripped: bool,
    actor_id: int,
) -> tuple[RiskWatch, Decimal | None]:
    """Watch a figure (or move the threshold of the same watch); returns it and its old threshold."""
    key = figure_key(name)
    found = db.exec(
        select(RiskWatch).where(
            RiskWatch.risk_id == risk_id, RiskWatch.figure_key == key, RiskWatch.direction == direction
        )
    ).first()
    old = found.threshold if found else None
    if found is None:
        found = RiskWatch(
            workspace_id=workspace_id,
            risk_id=risk_id,
            figure_key=key,
            figure_name=name,
            direction=direction,
            threshold=threshold,
            created_by=actor_id,
        )
    found.threshold, found.tripped = threshold, tripped
    db.add(found)
    db.flush()
    return found, old


def remove_watches(*, db: Session, risk_id: int, name: str) -> int:
    found = db.exec(
        select(RiskWatch).where(RiskWatch.risk_id == risk_id, RiskWatch.figure_key == figure_key(name))
    ).all()
    for watch in found:
        db.delete(watch)
    db.flush()
    return len(found)


def get_alert(*, db: Session, workspace_id: int, alert_id: int) -> RiskAlert | None:
    alert = db.get(RiskAlert, alert_id)
    return alert if alert is not None and alert.workspace_id == workspace_id else None


def mark_raised(*, db: Session, alert: RiskAlert, actor_id: int) -> None:
    """Someone raised the risk's likelihood from this alert: its button is spent."""
    alert.raised_by, alert.raised_at = actor_id, utcnow()
    db.add(alert)
    db.flush()


def issue_token(*, db: Session, workspace_id: int, actor_id: int) -> str:
    """A new push token for the workspace, replacing any earlier one; shown once, stored hashed."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    found = db.get(FigureToken, workspace_id)
    if found is None:
        found = FigureToken(workspace_id=workspace_id, token_hash=hash_token(token), created_by=actor_id)
    found.token_hash, found.created_by, found.created_at = hash_token(token), actor_id, utcnow()
    db.add(found)
    audit.record(
        db=db,
        workspace_id=workspace_id,
        actor_id=actor_id,
        entity="figure_token",
        entity_id=workspace_id,
        action="figure_token",
    )
    return token


def workspace_for_token(*, db: Session, token: str) -> int | None:
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    found = db.exec(select(FigureToken.workspace_id).where(FigureToken.token_hash == hash_token(token))).first()
    return found


def hash_token(token: str) -> str:
    # The token is 256 random bits, so a plain SHA-256 is enough: there is nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()
