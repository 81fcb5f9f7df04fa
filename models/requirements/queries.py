"""What a requirement card draws, read in one call: the requirement, its recent history with the
people it names, and its score."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from models import audit_trail
from models.audit_trail import Trail
from models.requirements.requirement import ENTITY, RequirementView
from models.scoring import queries as score_queries
from models.scoring.queries import ScoreView
from models.workspace import names_of

HISTORY_SHOWN = 5


@dataclass(frozen=True)
class RequirementCard:
    view: RequirementView
    trail: Trail  # recent history (empty for a new requirement), and everyone the card names
    score: ScoreView | None


def requirement_card(*, db: Session, view: RequirementView, history: bool = True) -> RequirementCard:
    item = view.item
    assert item.id is not None
    people = (item.requester_id, item.owner_id)
    if history:
        trail = audit_trail.page(
            db=db, workspace_id=item.workspace_id, entity=ENTITY, entity_id=item.id, limit=HISTORY_SHOWN, also=people
        )
        score = score_queries.score_view(db=db, workspace_id=item.workspace_id, requirement_id=item.id, trend=True)
    else:  # a new requirement has no history or score yet
        trail = Trail([], people=names_of(db=db, member_ids=people))
        score = None
    return RequirementCard(view, trail, score)
