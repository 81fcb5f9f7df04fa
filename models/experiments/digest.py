"""Experiments for the standup digest: the experiments an audit window names and their results,
summed by the database for all of them in two statements."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlmodel import Session

from models.experiments.experiment import Experiment
from models.experiments.result import Counts, ExperimentDaily, ExperimentTotal, typed_counts

CHUNK = 900


def by_id(*, db: Session, ids: list[int]) -> dict[int, Experiment]:
    found: dict[int, Experiment] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for item in db.scalars(select(Experiment).where(Experiment.id.in_(chunk))):  # type: ignore[union-attr]
            found[item.id or 0] = item
    return found


def counts_of(*, db: Session, ids: list[int]) -> dict[int, Counts]:
    """Per experiment, what `experiment_result.counts` gives: daily rows summed per (market, arm), else
    the typed totals, else nothing."""
    slices: dict[int, dict[tuple[str, str], tuple[int, int]]] = {}
    days: dict[int, list[date]] = {}
    connection = db.connection()
    for start in range(0, len(ids), CHUNK):
        for r in connection.execute(_DAILY, {"ids": ids[start : start + CHUNK]}):
            slices.setdefault(r.experiment_id, {})[(r.market, r.arm)] = (int(r.visitors), int(r.conversions))
            days.setdefault(r.experiment_id, []).extend((r.first, r.last))
    found = {i: Counts("daily", s, min(days[i]), max(days[i])) for i, s in slices.items()}
    typed: dict[int, list[Any]] = {}
    rest = [i for i in ids if i not in found]
    for start in range(0, len(rest), CHUNK):
        for r in connection.execute(_TYPED, {"ids": rest[start : start + CHUNK]}):
            typed.setdefault(r.experiment_id, []).append(r)
    found |= {i: typed_counts(rows) for i, rows in typed.items()}
    return {i: found.get(i, Counts(None)) for i in ids}


D, T = ExperimentDaily, ExperimentTotal
_DAILY = (
    select(
        D.experiment_id,
        D.market,
        D.arm,
        func.sum(D.visitors).label("visitors"),
        func.sum(D.conversions).label("conversions"),
        func.min(D.day).label("first"),
        func.max(D.day).label("last"),
    )
    .where(D.experiment_id.in_(bindparam("ids", expanding=True)))  # type: ignore[attr-defined]
    .group_by(D.experiment_id, D.market, D.arm)
)
_TYPED = select(T.experiment_id, T.market, T.arm, T.visitors, T.conversions, T.total, T.squares).where(
    T.experiment_id.in_(bindparam("ids", expanding=True))  # type: ignore[attr-defined]
)
