"""The scoring sections of the standup digest: re-scores that moved items into, out of or within the
channel's top ten, and the channel's top five by score.

The ranking at the window's start is rebuilt, not stored. Only the k requirements re-scored in the
window can have had another score then, so the start's top ten is made of the first ten unchanged
items of today's ranking (found within its first 10 + k) and of re-scored items at their earlier
score. The earlier scores come from the score history, read only for re-scored items that could
rank: their RICE before the window (from the audit entry), times the largest market weight, bounds
their score for any channel. However large the backlog, the reads stay bounded by k.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlmodel import Session

from handlers.core.digest import DigestItem, DigestScope, DigestSection
from handlers.core.reply import Text
from models.digest import activity
from models.digest.activity import Item
from models.requirements.requirement import ENTITY as REQUIREMENT
from models.scoring import digest as ranking
from models.scoring import rice as math
from models.scoring import score as score_model
from models.scoring.digest import Valued
from models.scoring.ranking import CLOSED

TOP_SIZE = 5
TOP_TEN = 10
FIRST_READ = 50  # ranked rows read first; more only when re-scored items crowd the top
ROUNDING = Decimal("0.01")  # per-market rounding makes a channel's score a hair above RICE × weight


@dataclass(frozen=True)
class Rescored:
    first_at: datetime  # its first re-score in the window
    rice_before: Decimal | None  # its RICE before the window
    actor_id: int | None  # who re-scored it last


def scoring_sections(db: Session, scope: DigestScope) -> list[DigestSection]:
    """One ranking read serves both: the top ten moves (if anything was re-scored) and the top five."""
    weights = score_model.weights(db=db, workspace_id=scope.workspace_id)
    rescored = _rescored(db, scope)
    read = min(TOP_TEN + len(rescored), FIRST_READ) if rescored else TOP_SIZE
    ranked = _ranked(db, scope, bool(weights), read)
    if rescored and len(ranked) == read and sum(v.id not in rescored for v in ranked) < TOP_TEN:
        ranked = _ranked(db, scope, bool(weights), TOP_TEN + len(rescored))
    sections = []
    if rescored:
        moves = _moves(db, scope, ranked, rescored, weights)
        if moves is not None:
            sections.append(moves)
    top = _top(db, scope, ranked[:TOP_SIZE], bool(weights))
    if top is not None:
        sections.append(top)
    return sections


def _ranked(db: Session, scope: DigestScope, weighted: bool, limit: int) -> list[Valued]:
    return ranking.scored(db=db, workspace_id=scope.workspace_id, markets=scope.markets, weighted=weighted, limit=limit)


def _rescored(db: Session, scope: DigestScope) -> dict[int, Rescored]:
    entries = activity.window_entries(
        db=db,
        workspace_id=scope.workspace_id,
        entity=REQUIREMENT,
        actions=("score",),
        after=scope.audit_after,
        upto=scope.audit_upto,
    )
    found: dict[int, Rescored] = {}
    for entry in entries:
        if "rice" not in entry.changes:
            continue  # ICE or MoSCoW only: the ranking is by RICE
        first = found.get(entry.entity_id)
        if first is None:
            before = entry.changes["rice"][0]
            first = Rescored(entry.at, Decimal(before) if before is not None else None, None)
        found[entry.entity_id] = Rescored(first.first_at, first.rice_before, entry.actor_id)
    return found


def _moves(
    db: Session,
    scope: DigestScope,
    ranked: list[Valued],
    rescored: dict[int, Rescored],
    weights: dict[str, Decimal],
) -> DigestSection | None:
    now_ten = ranked[:TOP_TEN]
    unchanged = [v for v in ranked if v.id not in rescored][:TOP_TEN]
    floor = unchanged[-1].value if len(unchanged) == TOP_TEN else None
    scale = max(weights.values()) if weights else Decimal(1)
    in_now = {v.id for v in now_ten}
    ids = sorted(rid for rid, r in rescored.items() if rid in in_now or _could_rank(r, floor, scale))
    if not ids:
        return None
    history = ranking.rice_inputs(db=db, ids=ids, before=min(rescored[rid].first_at for rid in ids))
    items = activity.items_by_id(db=db, ids=ids)
    old: dict[int, Decimal | None] = {}
    new: dict[int, Decimal | None] = {}
    for rid in ids:
        item = items.get(rid)
        if item is None or item.status in CLOSED:
            old[rid] = new[rid] = None
            continue
        old[rid] = ranking.channel_value(history.before.get(rid), item.markets, scope.markets, weights)
        new[rid] = ranking.channel_value(history.latest.get(rid), item.markets, scope.markets, weights)
    earlier = [Valued(rid, items[rid].number, value) for rid, value in old.items() if value is not None]
    start_ten = sorted(unchanged + earlier, key=lambda v: (-(v.value or 0), v.number))[:TOP_TEN]
    now_rank = {v.id: n for n, v in enumerate(now_ten, start=1)}
    start_rank = {v.id: n for n, v in enumerate(start_ten, start=1)}
    metric = Text("score.digest.weighted" if weights else "score.digest.rice")
    changes: list[tuple[tuple[int, int], int, Text, int | None]] = []
    for rid in now_rank.keys() | start_rank.keys():
        before, after = start_rank.get(rid), now_rank.get(rid)
        moved = rescored.get(rid)
        value = (
            Text("score.digest.value", {"metric": metric, "from": math.shown(old[rid]), "to": math.shown(new[rid])})
            if moved
            else None
        )
        if before is not None and after is not None:
            if moved is None or before == after:
                continue  # shifted by others' re-scores, or the same place
            detail = Text("score.digest.moved", {"from": before, "to": after, "value": value})
        elif after is not None:
            detail = Text(
                "score.digest.entered" if moved else "score.digest.entered_pushed", {"to": after, "value": value}
            )
        else:
            assert before is not None
            detail = Text(
                "score.digest.left" if moved else "score.digest.left_pushed", {"from": before, "value": value}
            )
        place = (0, after) if after is not None else (1, before or 0)
        changes.append((place, rid, detail, moved.actor_id if moved else None))
    if not changes:
        return None
    changes.sort()
    shown = _items_for(db, items, [rid for _, rid, _, _ in changes])
    lines = tuple(
        DigestItem(shown[rid].key, shown[rid].title, detail, who) for _, rid, detail, who in changes if rid in shown
    )
    return DigestSection(
        "score.moves",
        Text("score.digest.moves_title"),
        lines,
        summary=Text("score.digest.moves_count", {"n": len(lines)}),
        order=40,
    )


def _could_rank(item: Rescored, floor: Decimal | None, scale: Decimal) -> bool:
    """Whether its score before the window could have beaten the tenth unchanged item's."""
    if item.rice_before is None:
        return False
    return floor is None or item.rice_before * scale + ROUNDING >= floor


def _top(db: Session, scope: DigestScope, ranked: list[Valued], weighted: bool) -> DigestSection | None:
    top = list(ranked)
    if len(top) < TOP_SIZE:
        top += ranking.unscored(
            db=db,
            workspace_id=scope.workspace_id,
            markets=scope.markets,
            weighted=weighted,
            limit=TOP_SIZE - len(top),
        )
    if not top:
        return None
    items = activity.items_by_id(db=db, ids=[v.id for v in top])
    metric = Text("score.digest.weighted" if weighted else "score.digest.rice")
    lines = []
    for valued in top:
        item = items.get(valued.id)
        if item is None:
            continue
        score = (
            Text("score.digest.score", {"metric": metric, "value": math.shown(valued.value)})
            if valued.value is not None
            else Text("score.digest.unscored")
        )
        lines.append(DigestItem(item.key, item.title, _facts(score, item), item.owner_id or item.requester_id))
    by = Text("score.top.by_weighted" if weighted else "score.top.by_rice")
    title = Text("score.digest.top_title", {"n": TOP_SIZE, "by": by})
    return DigestSection("score.top", title, tuple(lines), news=False, order=90)


def _facts(score: Text, item: Item) -> Text:
    status = Text(f"status.{item.status}")
    if not item.markets:
        return Text("score.digest.facts", {"score": score, "status": status})
    return Text("score.digest.facts_markets", {"score": score, "status": status, "markets": ", ".join(item.markets)})


def _items_for(db: Session, known: dict[int, Item], ids: list[int]) -> dict[int, Item]:
    missing = [rid for rid in ids if rid not in known]
    return {**known, **activity.items_by_id(db=db, ids=missing)} if missing else known


SECTIONS = (scoring_sections,)
