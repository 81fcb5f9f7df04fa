"""Experiments: the plan of an A/B test and its lifecycle draft → running → stopped / shipped, with the
decisions taken on it. Its results live in models/experiments/result.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    Integer,
    UniqueConstraint,
    func,
    update,
)
from sqlmodel import Field, Session, SQLModel, select

from models import audit
from models.base import UTCDateTime, utcnow
from models.workspace import next_number

KEY_PREFIX = "EXP"
ENTITY = "experiment"
NAME_MAX = 120
METRIC_MAX = 40
ARM_MAX = 16
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
    # "sequential" (always-valid, read at any look) or "fixed" (read once, at the planned sample)
    method: str = Field(default="sequential", max_length=16, sa_column_kwargs={"server_default": "sequential"})
    direction: str = Field(default="higher", max_length=8, sa_column_kwargs={"server_default": "higher"})
    # fixed method: the counts per arm when the planned sample was first reached, {"arms": {arm: [v, c]}}
    locked: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # "proportion" (visitors/conversions) or "mean" (revenue per visitor: n, Σy, Σy² per arm)
    kind: str = Field(default="proportion", max_length=16, sa_column_kwargs={"server_default": "proportion"})
    baseline_sd: float | None = None  # a mean metric's standard deviation per visitor, for the plan
    # rates that must not rise by more than a limit: [{"metric", "limit", "totals": {arm: [v, c]}}]
    guardrails: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False,
                                                                                  server_default="[]"))  # fmt: skip
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


def decide(
    *, db: Session, item: Experiment, actor_id: int, decision: Decision, data_version: int, needed: list[int]
) -> bool:
    """Apply a decision if nobody decided and no data arrived since the card was drawn (one atomic
    UPDATE, so two approvers clicking at once cannot both decide)."""
    db.flush()
    now = utcnow()
    values: dict[str, Any] = {"updated_at": now}
    if decision is Decision.EXTEND:
        values |= {
            "needed": needed,
            "extensions": Experiment.extensions + 1,
            "status": ExpStatus.RUNNING.value,
            "locked": None,  # a fixed-horizon test is read again at the new planned sample
        }
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


def lock(db: Session, item: Experiment, numbers: dict[str, tuple[int, int]], day: date | None) -> None:
    """Keep a fixed-horizon experiment's counts at its planned sample: its verdict is read from them."""
    item.locked = {"arms": {arm: list(vc) for arm, vc in numbers.items()}, "day": day.isoformat() if day else None}
    db.add(item)
    db.flush()


def set_guardrail(db: Session, item: Experiment, actor_id: int, metric: str, limit: float) -> None:
    """Add a guardrail, or change the limit of one already named."""
    guards = [dict(g) for g in item.guardrails]
    found = next((g for g in guards if g["metric"] == metric), None)
    before = found["limit"] if found else None
    if found:
        found["limit"] = limit
    else:
        guards.append({"metric": metric, "limit": limit, "totals": {}})
    item.guardrails = guards
    db.add(item)
    bump(db, item, actor_id, "guardrail", {metric: [before, limit]})


def record_guardrail(
    db: Session, item: Experiment, actor_id: int, metric: str, numbers: dict[str, tuple[int, int]]
) -> None:
    """Running totals of a guardrail's rate per arm; each replaces that arm's earlier total."""
    guards = [dict(g) for g in item.guardrails]
    guard = next(g for g in guards if g["metric"] == metric)
    guard["totals"] = {**guard.get("totals", {}), **{arm: list(vc) for arm, vc in numbers.items()}}
    item.guardrails = guards
    db.add(item)
    bump(
        db,
        item,
        actor_id,
        "result",
        {"guardrail": [None, metric], **{a: [None, f"{v}/{c}"] for a, (v, c) in numbers.items()}},
    )


def bump(db: Session, item: Experiment, actor_id: int, action: str, changes: dict[str, list[Any]]) -> None:
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
