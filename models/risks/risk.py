"""The risk register: risks scored likelihood × impact, their markets, score history and mitigations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, Integer, Text, UniqueConstraint, delete, func, or_
from sqlmodel import Field, Session, SQLModel, select

from models import audit
from models.base import UTCDateTime, utcnow
from models.risks.exposure import DecimalText
from models.risks.grid import band, escalated, score, score_range
from models.workspace import next_number

KEY_PREFIX = "RISK"
ENTITY = "risk"

TITLE_MAX = 200
TEXT_MAX = 1000
MARKETS_MAX = 30


class Category(StrEnum):
    FX = "fx"
    TARIFF = "tariff"
    LOGISTICS = "logistics"
    QUALITY = "quality"
    RETURNS = "returns"
    PLATFORM = "platform"
    PRIVACY = "privacy"
    SUPPLIER = "supplier"
    OTHER = "other"


class RiskStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"  # tolerated by a decision of an approver or admin; still watched and reviewed
    CLOSED = "closed"


ACTIVE = (RiskStatus.OPEN.value, RiskStatus.ACCEPTED.value)


class Risk(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("workspace_id", "number"),
        Index("ix_risk_workspace_status_score", "workspace_id", "status", "score"),
        Index("ix_risk_status_next_review", "status", "next_review"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), nullable=False))
    number: int
    title: str = Field(max_length=TITLE_MAX)
    category: str = Field(max_length=16)
    likelihood: int
    impact: int
    score: int
    status: str = Field(default=RiskStatus.OPEN, max_length=16)
    reporter_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id"), nullable=False))
    owner_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("member.id")))
    exposure_amount: Decimal | None = Field(default=None, sa_type=DecimalText)
    exposure_currency: str | None = Field(default=None, max_length=3)
    review_every_days: int | None = None
    next_review: date | None = None
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    review_reminded_for: date | None = None  # the overdue review date whose owner was told
    requirement_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("requirement.id")))
    channel_ref: str | None = Field(default=None, max_length=64)
    acknowledged_by: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("member.id")))
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("member.id")))
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    playbook_started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    close_reason: str | None = Field(default=None, sa_column=Column(Text))
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def key(self) -> str:
        return f"{KEY_PREFIX}-{self.number}"

    @property
    def band(self) -> str:
        return band(self.score)


class RiskMarket(SQLModel, table=True):
    __tablename__ = "risk_market"
    __table_args__ = (Index("ix_risk_market_market", "market", "risk_id"),)

    risk_id: int = Field(sa_column=Column(Integer, ForeignKey("risk.id", ondelete="CASCADE"), primary_key=True))
    market: str = Field(primary_key=True, max_length=2)


class RiskScore(SQLModel, table=True):
    """Every score a risk has had, oldest first."""

    __tablename__ = "risk_score"
    __table_args__ = (Index("ix_risk_score_risk", "risk_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    risk_id: int = Field(sa_column=Column(Integer, ForeignKey("risk.id", ondelete="CASCADE"), nullable=False))
    likelihood: int
    impact: int
    score: int
    actor_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("member.id")))
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


@dataclass(frozen=True)
class RiskView:
    item: Risk
    markets: tuple[str, ...]


@dataclass(frozen=True)
class RiskFilter:
    statuses: tuple[str, ...] = ACTIVE
    category: str | None = None
    market: str | None = None
    band: str | None = None
    at_least: str | None = None  # this band and above
    member_id: int | None = None  # "mine": owned or reported by this member


# Fields a user may set; `markets` lives in its own table.
EDITABLE_FIELDS = (
    "title",
    "category",
    "likelihood",
    "impact",
    "owner_id",
    "markets",
    "exposure_amount",
    "exposure_currency",
    "review_every_days",
    "next_review",
    "requirement_id",
)


def create(*, db: Session, workspace_id: int, reporter_id: int, values: dict[str, Any]) -> RiskView:
    fields = dict(values)
    markets = tuple(dict.fromkeys(fields.pop("markets", ()) or ()))
    now = utcnow()
    item = Risk(
        **fields,
        workspace_id=workspace_id,
        reporter_id=reporter_id,
        number=next_number(db=db, workspace_id=workspace_id, kind=KEY_PREFIX),
        score=score(fields["likelihood"], fields["impact"]),
        created_at=now,
        updated_at=now,
    )
    db.add(item)
    db.flush()
    for market in markets:
        db.add(RiskMarket(risk_id=id_of(item), market=market))
    db.add(
        RiskScore(
            risk_id=id_of(item),
            likelihood=item.likelihood,
            impact=item.impact,
            score=item.score,
            actor_id=reporter_id,
            at=now,
        )
    )
    audit.record(
        db=db,
        workspace_id=workspace_id,
        actor_id=reporter_id,
        entity=ENTITY,
        entity_id=id_of(item),
        action="create",
        changes={k: [None, plain(v)] for k, v in {**fields, "markets": list(markets)}.items() if v},
        at=now,
    )
    db.flush()
    return RiskView(item, markets)


def get_by_number(*, db: Session, workspace_id: int, number: int) -> RiskView | None:
    item = db.exec(select(Risk).where(Risk.workspace_id == workspace_id, Risk.number == number)).first()
    return None if item is None else RiskView(item, markets_of(db, [id_of(item)]).get(id_of(item), ()))


def get_by_id(*, db: Session, workspace_id: int, risk_id: int) -> RiskView | None:
    item = db.get(Risk, risk_id)
    if item is None or item.workspace_id != workspace_id:
        return None
    return RiskView(item, markets_of(db, [risk_id]).get(risk_id, ()))


def update(*, db: Session, view: RiskView, actor_id: int, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Apply what changed; returns {field: [old, new]}. A new likelihood or impact is kept in the history."""
    item = view.item
    changes: dict[str, list[Any]] = {}
    for name, new in values.items():
        old: Any = list(view.markets) if name == "markets" else getattr(item, name)
        if name == "markets":
            new = list(new)
        if old == new:
            continue
        changes[name] = [plain(old), plain(new)]
        if name == "markets":
            db.exec(delete(RiskMarket).where(RiskMarket.risk_id == id_of(item)))  # type: ignore[arg-type]
            for market in dict.fromkeys(new):
                db.add(RiskMarket(risk_id=id_of(item), market=market))
        else:
            setattr(item, name, new)
    if "next_review" in changes:
        item.review_reminded_for = None
    if not changes:
        return changes
    if "likelihood" in changes or "impact" in changes:
        rescore(db=db, item=item, actor_id=actor_id, likelihood=item.likelihood, impact=item.impact, record=False)
        changes["score"] = [score(*_old_pair(changes, item)), item.score]
    touch(db, item, actor_id, "edit", changes)
    return changes


def rescore(
    *, db: Session, item: Risk, actor_id: int | None, likelihood: int, impact: int, record: bool = True
) -> bool:
    """Set a new likelihood and impact; returns whether the risk escalated into high or critical."""
    old = item.score
    item.likelihood, item.impact = likelihood, impact
    item.score = score(likelihood, impact)
    db.add(RiskScore(risk_id=id_of(item), likelihood=likelihood, impact=impact, score=item.score, actor_id=actor_id))
    rose = escalated(old, item.score)
    if rose:
        # A new, graver situation: acknowledgement and acceptance were given for the old one.
        item.acknowledged_by = item.acknowledged_at = None
        if item.status == RiskStatus.ACCEPTED:
            item.status = RiskStatus.OPEN
            item.decided_by = item.decided_at = None
    if record:
        touch(db, item, actor_id, "risk_raise", {"likelihood": [None, likelihood], "score": [old, item.score]})
    return rose


def set_state(*, db: Session, item: Risk, actor_id: int, action: str, **fields: Any) -> None:
    """Acknowledge, accept, close, start a playbook, review: set the fields and audit them."""
    changes = {name: [plain(getattr(item, name)), plain(value)] for name, value in fields.items()}
    for name, value in fields.items():
        setattr(item, name, value)
    touch(db, item, actor_id, action, changes)


def mark_review_reminded(*, db: Session, item: Risk) -> None:
    """Its owner was told that the review of `item.next_review` is overdue: not again for that date."""
    item.review_reminded_for = item.next_review
    db.add(item)
    db.flush()


def score_history(*, db: Session, risk_id: int, limit: int = 6) -> list[RiskScore]:
    """The last `limit` scores, oldest first."""
    rows = db.exec(
        select(RiskScore).where(RiskScore.risk_id == risk_id).order_by(RiskScore.id.desc()).limit(limit)  # type: ignore[union-attr]
    ).all()
    return list(reversed(rows))


@dataclass(frozen=True)
class Page:
    items: list[RiskView]
    total: int
    more: bool


def page(*, db: Session, workspace_id: int, where: RiskFilter, offset: int, limit: int) -> Page:
    """The register, gravest first (score, then newest)."""
    query = _filtered(workspace_id, where)
    total = db.exec(select(func.count()).select_from(query.subquery())).one()
    rows = list(
        db.exec(query.order_by(Risk.score.desc(), Risk.number.desc()).offset(offset).limit(limit + 1)).all()  # type: ignore[attr-defined]
    )
    shown = rows[:limit]
    ids = [id_of(r) for r in shown]
    markets = markets_of(db, ids)
    return Page(
        [RiskView(r, markets.get(id_of(r), ())) for r in shown],
        total,
        len(rows) > limit,
    )


def matrix_cells(*, db: Session, workspace_id: int, where: RiskFilter) -> list[tuple[int, int]]:
    query = _filtered(workspace_id, where).with_only_columns(Risk.likelihood, Risk.impact)
    return [(row[0], row[1]) for row in db.connection().execute(query).all()]


def overdue_reviews(*, db: Session, workspace_id: int, today: date) -> list[Risk]:
    """Open and accepted risks whose review date has passed, most overdue first (for the digest too)."""
    return list(
        db.exec(
            select(Risk)
            .where(Risk.workspace_id == workspace_id, Risk.status.in_(ACTIVE), Risk.next_review < today)  # type: ignore[attr-defined,operator]
            .order_by(Risk.next_review, Risk.number)  # type: ignore[arg-type]
        ).all()
    )


def reviews_to_remind(*, db: Session, before: date) -> list[Risk]:
    """Active risks, in every workspace, due for review before `before` whose owner was not yet told.
    Locked until the caller's transaction ends; rows another clock is reminding about are skipped
    (PostgreSQL; SQLite's write lock already lets one clock in at a time)."""
    return list(
        db.exec(
            select(Risk)
            .with_for_update(skip_locked=True, of=Risk)  # type: ignore[arg-type]
            .where(
                Risk.status.in_(ACTIVE),  # type: ignore[attr-defined]
                Risk.next_review < before,  # type: ignore[operator]
                or_(Risk.review_reminded_for.is_(None), Risk.review_reminded_for != Risk.next_review),  # type: ignore[union-attr]
            )
            .order_by(Risk.workspace_id, Risk.number)  # type: ignore[arg-type]
        ).all()
    )


def markets_of(db: Session, ids: list[int]) -> dict[int, tuple[str, ...]]:
    if not ids:
        return {}
    rows = db.exec(
        select(RiskMarket.risk_id, RiskMarket.market)
        .where(RiskMarket.risk_id.in_(ids))  # type: ignore[attr-defined]
        .order_by(RiskMarket.risk_id, RiskMarket.market)
    ).all()
    found: dict[int, list[str]] = {}
    for risk_id, market in rows:
        found.setdefault(risk_id, []).append(market)
    return {k: tuple(v) for k, v in found.items()}


def _filtered(workspace_id: int, where: RiskFilter) -> Any:
    query = select(Risk).where(Risk.workspace_id == workspace_id, Risk.status.in_(where.statuses))  # type: ignore[attr-defined]
    if where.category:
        query = query.where(Risk.category == where.category)
    if where.band:
        low, high = score_range(where.band)
        query = query.where(Risk.score >= low, Risk.score <= high)
    if where.at_least:
        query = query.where(Risk.score >= score_range(where.at_least)[0])
    if where.member_id is not None:
        query = query.where(or_(Risk.owner_id == where.member_id, Risk.reporter_id == where.member_id))
    if where.market:
        query = query.where(
            Risk.id.in_(select(RiskMarket.risk_id).where(RiskMarket.market == where.market))  # type: ignore[union-attr]
        )
    return query


def touch(db: Session, item: Risk, actor_id: int | None, action: str, changes: dict[str, list[Any]]) -> None:
    item.updated_at = utcnow()
    db.add(item)
    db.flush()
    audit.record(
        db=db,
        workspace_id=item.workspace_id,
        actor_id=actor_id,
        entity=ENTITY,
        entity_id=id_of(item),
        action=action,
        changes=changes,
    )


def _old_pair(changes: dict[str, list[Any]], item: Risk) -> tuple[int, int]:
    likelihood = changes["likelihood"][0] if "likelihood" in changes else item.likelihood
    impact = changes["impact"][0] if "impact" in changes else item.impact
    return likelihood, impact


def id_of(item: Risk) -> int:
    assert item.id is not None, "risk not flushed"
    return item.id


def plain(value: Any) -> Any:
    """A JSON-safe form of a field value for the audit log."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, tuple):
        return list(value)
    return value
