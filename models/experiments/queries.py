"""What an experiment card draws, read in one call: the experiment, its counts and their reading
(overall or for one market), the people it names and the key of the requirement it tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from models.experiments import experiment as exp_model
from models.experiments import result as results
from models.experiments.experiment import Experiment
from models.experiments.guardrails import GuardReading, blocks_ship, read_guardrails
from models.experiments.readout import ArmCounts, Direction, Method, Readout, Verdict, read
from models.experiments.result import Counts
from models.requirements import requirement as req_model
from models.workspace import names_of


@dataclass(frozen=True)
class ExperimentCard:
    item: Experiment
    counts: Counts
    market: str | None  # read for this market only; None: all markets together
    readout: Readout
    people: dict[int, tuple[str, str | None]]  # the requester and the decider: member id → (platform id, name)
    requirement: str | None  # the key of the linked requirement, if it still exists
    guards: tuple[GuardReading, ...] = ()  # every guardrail against every variant (overall only)

    @property
    def ship_blocked(self) -> bool:
        """A win whose guardrails are not all shown to hold for the winning arm is not "ship"."""
        return self.readout.verdict is Verdict.WIN and blocks_ship(list(self.guards), self.readout.lead)


def readout_of(item: Experiment, found: Counts, market: str | None) -> Readout:
    """The counts of all markets (or of one) read against the experiment's plan. A fixed-horizon
    experiment past its planned sample is read from the counts it had there (its lock)."""
    arms = _arms(item, found, market)
    if market is None and item.method == Method.FIXED and item.locked:
        kept = item.locked.get("arms", {})
        arms = [_kept(a.name, kept[a.name]) if a.name in kept else a for a in arms]
    return read(
        arms,
        weights=item.split,
        needed=item.needed,
        alpha=item.alpha,
        method=Method(item.method),
        direction=Direction(item.direction),
    )


def _arms(item: Experiment, found: Counts, market: str | None) -> list[ArmCounts]:
    numbers = found.market(market, item.arms) if market else found.overall(item.arms)
    if item.kind != "mean":
        return [ArmCounts(arm, *numbers[arm]) for arm in item.arms]
    sums = found.sums_of(market, item.arms) or {}
    return [ArmCounts(arm, numbers[arm][0], 0, *sums.get(arm, (0.0, 0.0))) for arm in item.arms]


def _kept(arm: str, values: list[Any]) -> ArmCounts:
    """An arm as the lock kept it: [visitors, conversions] or, for a mean, [visitors, 0, Σy, Σy²]."""
    if len(values) == 4:
        return ArmCounts(arm, int(values[0]), 0, float(values[2]), float(values[3]))
    return ArmCounts(arm, int(values[0]), int(values[1]))


def later_look(item: Experiment, found: Counts) -> dict[str, tuple[int, int]] | None:
    """A fixed-horizon experiment's counts now, when they have moved on from its lock."""
    if item.method != Method.FIXED or not item.locked:
        return None
    now = found.overall(item.arms)
    kept = item.locked.get("arms", {})
    return now if any(tuple(kept.get(arm, (0, 0))[:2]) != now[arm] for arm in item.arms) else None


def lock_if_reached(*, db: Session, item: Experiment) -> bool:
    """After new results: a fixed-horizon experiment that reaches its planned sample keeps the counts
    it had there (for daily rows, at the end of the first day every arm had reached it)."""
    if item.method != Method.FIXED or item.locked or item.id is None:
        return False
    found = results.counts(db=db, experiment_id=item.id)
    now = found.overall(item.arms)
    planned = dict(zip(item.arms, item.needed, strict=True))
    if any(now[arm][0] < planned[arm] for arm in item.arms):
        return False
    if found.source != "daily":
        kept: dict[str, tuple[Any, ...]] = dict(now)
        if item.kind == "mean":
            kept = {a.name: (a.visitors, 0, a.total, a.squares) for a in _arms(item, found, None)}
        exp_model.lock(db, item, kept, None)
        return True
    running = {arm: (0, 0) for arm in item.arms}
    series = results.daily_series(db=db, experiment_id=item.id)
    for i, point in enumerate(series):
        if point.arm in running:
            v, c = running[point.arm]
            running[point.arm] = (v + point.visitors, c + point.conversions)
        last_of_day = i + 1 == len(series) or series[i + 1].day != point.day
        if last_of_day and all(running[arm][0] >= planned[arm] for arm in item.arms):
            exp_model.lock(db, item, dict(running), point.day)
            return True
    return False


def experiment_card(*, db: Session, item: Experiment, market: str | None = None) -> ExperimentCard:
    assert item.id is not None
    found = results.counts(db=db, experiment_id=item.id)
    people = names_of(db=db, member_ids=[item.requester_id, item.decided_by])
    requirement = None
    if item.requirement_id is not None:
        linked = req_model.get_by_id(db=db, workspace_id=item.workspace_id, requirement_id=item.requirement_id)
        requirement = linked.item.key if linked else None
    return ExperimentCard(
        item, found, market, readout_of(item, found, market), people, requirement, guards_of(item, market)
    )


def guards_of(item: Experiment, market: str | None) -> tuple[GuardReading, ...]:
    if market is not None or not item.guardrails:
        return ()
    return tuple(
        read_guardrails(item.guardrails, arms=item.arms, weights=item.split, needed=item.needed, alpha=item.alpha,
                        method=item.method)
    )  # fmt: skip
