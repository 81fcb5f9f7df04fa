"""What the score cards draw, read in one call each: the current score, whether market weights are
on, and (for a requirement's own card) the recent re-scores that show how it moved; a page of a
requirement's score history with the people who scored."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, func, select

from models.scoring import score as score_model
from models.scoring.score import Current, ScoreEntry
from models.workspace import names_of

TREND_SHOWN = 4


@dataclass(frozen=True)
class ScoreView:
    current: Current
    weighted_on: bool
    recent: list[ScoreEntry] = field(default_factory=list)  # newest first; empty unless asked for


def score_view(*, db: Session, workspace_id: int, requirement_id: int, trend: bool = False) -> ScoreView | None:
    """The requirement's score as a card shows it; None when it has none."""
    found = score_model.current(db=db, requirement_id=requirement_id)
    return of(db=db, workspace_id=workspace_id, found=found, trend_of=requirement_id if trend else None)


def of(*, db: Session, workspace_id: int, found: Current | None, trend_of: int | None = None) -> ScoreView | None:
    """A score already read, with what drawing it needs besides."""
    if found is None or (found.rice is None and found.ice is None and found.moscow is None):
        return None
    weighted_on = bool(score_model.weights(db=db, workspace_id=workspace_id)) if found.rice else False
    recent = score_model.history(db=db, requirement_id=trend_of, limit=TREND_SHOWN * 6) if trend_of else []
    return ScoreView(found, weighted_on, recent)


@dataclass(frozen=True)
class HistoryPage:
    entries: list[ScoreEntry]  # newest first
    total: int  # re-scores of the requirement in all
    offset: int
    people: dict[int, tuple[str, str | None]]  # who scored, by member id

    @property
    def more(self) -> bool:
        return self.offset + len(self.entries) < self.total


def history_page(*, db: Session, requirement_id: int, offset: int, limit: int) -> HistoryPage:
    """One page of a requirement's re-scores, newest first, with everyone who made them."""
    total = int(db.exec(select(func.count()).where(ScoreEntry.requirement_id == requirement_id)).one())
    offset = min(offset, max(0, total - 1) // limit * limit)  # a page past the end shows the last one
    entries = score_model.history(db=db, requirement_id=requirement_id, limit=limit, offset=offset)
    people = names_of(db=db, member_ids=(e.actor_id for e in entries))
    return HistoryPage(entries, total, offset, people)
