"""The MoSCoW budget of /score top, kept per workspace and per market as scores and statuses change.

A requirement adds to its workspace's budget (market "") and to that of each of its markets while it is
not closed and its MoSCoW class is planned: its effort to the planned sum (and to the Must sum when it is
a Must), or one to the count of planned items without an estimate. Every write that can move a
requirement's share takes its share before and after (`Share.of`), and `apply` adds the difference, so
reading the budget is one primary-key lookup however large the backlog. `recount` adds it up from
scratch; `rebuild` puts that in place (for rows written in bulk, bypassing the models).

Effort is kept in hundredths (it is stored with two decimals), so that the sums are exact integers on
both databases.

This module reads the tables by name: models/requirements/requirement.py calls it, so it cannot import
the scoring models that import that module.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, Numeric, String, bindparam, case, column, func
from sqlalchemy import select as core_select
from sqlalchemy import table as core_table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel

from models.scoring import rice as math

EVERY = ""  # the market key of the workspace's whole budget
CLOSED = ("shipped", "rejected")  # Status.SHIPPED / Status.REJECTED: not in the ranked backlog
PLANNED = tuple(m.value for m in math.PLANNED)


class ScoreBudget(SQLModel, table=True):
    __tablename__ = "score_budget"

    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), primary_key=True))
    market: str = Field(sa_column=Column(String(2), primary_key=True))  # EVERY, or one market
    must_cents: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    planned_cents: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    missing: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))


_requirement = core_table("requirement", column("id"), column("workspace_id"), column("status"))
_score = core_table(
    "requirement_score",
    column("requirement_id"),
    column("workspace_id"),
    column("moscow"),
    column("effort", Numeric(8, 2)),
)
_market = core_table("requirement_market", column("requirement_id"), column("market"))


@dataclass(frozen=True)
class Share:
    """One requirement's part of its workspace's budgets: (must, planned, missing) and the markets it adds to."""

    workspace_id: int | None
    amounts: tuple[int, int, int]
    markets: tuple[str, ...]

    @classmethod
    def of(cls, db: Session, requirement_id: int) -> Share:
        """Read the requirement's share, locking its row (PostgreSQL) so that writers of one requirement
        take turns between the before and the after."""
        connection = db.connection()
        row = connection.execute(_SHARE, {"rid": requirement_id}).one_or_none()
        if row is None:
            return cls(None, (0, 0, 0), ())
        workspace_id, status, moscow, effort = row
        if status in CLOSED or moscow not in PLANNED:
            return cls(workspace_id, (0, 0, 0), ())
        if effort is None:
            amounts = (0, 0, 1)
        else:
            cents = int(Decimal(effort) * 100)
            amounts = (cents if moscow == math.Moscow.MUST.value else 0, cents, 0)
        markets = tuple(m for (m,) in connection.execute(_MARKETS, {"rid": requirement_id}))
        return cls(workspace_id, amounts, markets)

    def budgets(self) -> tuple[str, ...]:
        return (EVERY, *self.markets) if self.amounts != (0, 0, 0) else ()


def apply(db: Session, before: Share, after: Share) -> None:
    """Add the difference between a requirement's share before and after a change to the kept budgets."""
    deltas: dict[tuple[int, str], list[int]] = {}
    for share, sign in ((before, -1), (after, 1)):
        for key in share.budgets():
            assert share.workspace_id is not None
            delta = deltas.setdefault((share.workspace_id, key), [0, 0, 0])
            for i, amount in enumerate(share.amounts):
                delta[i] += sign * amount
    rows = [
        {"workspace_id": w, "market": m, "must_cents": d[0], "planned_cents": d[1], "missing": d[2]}
        for (w, m), d in sorted(deltas.items())
        if d != [0, 0, 0]
    ]
    if rows:
        db.connection().execute(_upsert(db.get_bind().dialect.name), rows)


@cache
def _upsert(dialect: str) -> Any:
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(ScoreBudget)
    kept = ScoreBudget.__table__.c  # type: ignore[attr-defined]
    return statement.on_conflict_do_update(
        index_elements=["workspace_id", "market"],
        set_={name: kept[name] + statement.excluded[name] for name in ("must_cents", "planned_cents", "missing")},
    )


def read(*, db: Session, workspace_id: int, market: str | None) -> math.Budget:
    row = db.connection().execute(READ, {"workspace_id": workspace_id, "budget_market": market or EVERY}).one_or_none()
    return from_amounts(row or (0, 0, 0))


def recount(*, db: Session, workspace_id: int) -> dict[str, math.Budget]:
    """Every budget of the workspace added up from the scores themselves: {market or EVERY: budget}."""
    connection = db.connection()
    found = {EVERY: from_amounts(connection.execute(_RECOUNT_EVERY, {"workspace_id": workspace_id}).one())}
    for market, *amounts in connection.execute(_RECOUNT_MARKETS, {"workspace_id": workspace_id}):
        if any(amounts):
            found[market] = from_amounts(amounts)
    return found


def rebuild(*, db: Session, workspace_id: int) -> None:
    """Replace the workspace's kept budgets with a recount (after rows were written in bulk)."""
    connection = db.connection()
    connection.execute(ScoreBudget.__table__.delete().where(ScoreBudget.workspace_id == workspace_id))  # type: ignore[attr-defined]
    rows = []
    for market, budget in recount(db=db, workspace_id=workspace_id).items():
        must, planned = int(budget.must_effort * 100), int(budget.planned_effort * 100)
        rows.append(
            {
                "workspace_id": workspace_id,
                "market": market,
                "must_cents": must,
                "planned_cents": planned,
                "missing": budget.without_effort,
            }
        )
    connection.execute(ScoreBudget.__table__.insert(), rows)  # type: ignore[attr-defined]


def kept(*, db: Session, workspace_id: int) -> dict[str, math.Budget]:
    """The kept budgets of the workspace, leaving out those that add up to nothing (as a recount does)."""
    rows = db.connection().execute(
        core_select(ScoreBudget.market, ScoreBudget.must_cents, ScoreBudget.planned_cents, ScoreBudget.missing).where(
            ScoreBudget.workspace_id == workspace_id
        )
    )
    found = {EVERY: from_amounts((0, 0, 0))}
    for market, *amounts in rows:
        if market == EVERY or any(amounts):
            found[market] = from_amounts(amounts)
    return found


def from_amounts(amounts: Iterable[Any]) -> math.Budget:
    must, planned, missing = (int(a or 0) for a in amounts)
    return math.Budget(Decimal(must).scaleb(-2), Decimal(planned).scaleb(-2), missing)


_SHARE = (
    core_select(_requirement.c.workspace_id, _requirement.c.status, _score.c.moscow, _score.c.effort)
    .select_from(_requirement.outerjoin(_score, _score.c.requirement_id == _requirement.c.id))
    .where(_requirement.c.id == bindparam("rid"))
    .with_for_update(of=_requirement)
)
_MARKETS = core_select(_market.c.market).where(_market.c.requirement_id == bindparam("rid")).order_by(_market.c.market)
READ = core_select(ScoreBudget.must_cents, ScoreBudget.planned_cents, ScoreBudget.missing).where(
    ScoreBudget.workspace_id == bindparam("workspace_id"), ScoreBudget.market == bindparam("budget_market")
)


def _sums(*group: Any) -> Any:
    cents = func.round(_score.c.effort * 100)
    return core_select(
        *group,
        func.coalesce(func.sum(case((_score.c.moscow == math.Moscow.MUST.value, cents), else_=0)), 0),
        func.coalesce(func.sum(cents), 0),
        func.count() - func.count(_score.c.effort),
    ).where(
        _requirement.c.workspace_id == bindparam("workspace_id"),
        _requirement.c.status.not_in(CLOSED),
        _score.c.moscow.in_(PLANNED),
    )


_joined = _score.join(_requirement, _requirement.c.id == _score.c.requirement_id)
_RECOUNT_EVERY = _sums().select_from(_joined)
_RECOUNT_MARKETS = (
    _sums(_market.c.market)
    .select_from(_joined.join(_market, _market.c.requirement_id == _score.c.requirement_id))
    .group_by(_market.c.market)
)
