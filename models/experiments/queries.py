"""What an experiment card draws, read in one call: the experiment, its counts and their reading
(overall or for one market), the people it names and the key of the requirement it tests."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from models.experiments import result as results
from models.experiments.experiment import Experiment
from models.experiments.readout import ArmCounts, Readout, read
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


def readout_of(item: Experiment, found: Counts, market: str | None) -> Readout:
    """The counts of all markets (or of one) read against the experiment's plan."""
    numbers = found.market(market, item.arms) if market else found.overall(item.arms)
    arms = [ArmCounts(arm, *numbers[arm]) for arm in item.arms]
    return read(arms, weights=item.split, needed=item.needed, alpha=item.alpha)


def experiment_card(*, db: Session, item: Experiment, market: str | None = None) -> ExperimentCard:
    assert item.id is not None
    found = results.counts(db=db, experiment_id=item.id)
    people = names_of(db=db, member_ids=[item.requester_id, item.decided_by])
    requirement = None
    if item.requirement_id is not None:
        linked = req_model.get_by_id(db=db, workspace_id=item.workspace_id, requirement_id=item.requirement_id)
        requirement = linked.item.key if linked else None
    return ExperimentCard(item, found, market, readout_of(item, found, market), people, requirement)
