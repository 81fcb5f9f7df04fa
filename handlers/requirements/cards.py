"""Requirement replies: the card, the list page and their buttons, as plain data for the templates."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlmodel import Session

from handlers.core.reply import Button, Reply, Text, Visibility
from handlers.requirements.audit_text import describe
from handlers.scoring import cards as scoring_view
from models import audit
from models.requirements import requirement as req_model
from models.requirements.requirement import TRANSITIONS, Page, RequirementView, Status
from models.scoring import score as score_model
from models.workspace import names_of

MOVE_ACTION = "req.move"
PAGE_ACTION = "req.page"
PAGE_SIZE = 10
HISTORY_SHOWN = 5


def people(db: Session, ids: Iterable[int | None]) -> dict[int, dict[str, Any]]:
    return {i: {"ref": ref, "name": name} for i, (ref, name) in names_of(db=db, member_ids=ids).items()}


def item_data(view: RequirementView, who: dict[int, dict[str, Any]]) -> dict[str, Any]:
    item = view.item
    return {
        "id": item.id,
        "key": item.key,
        "title": item.title,
        "status": item.status,
        "markets": list(view.markets),
        "platform": item.platform,
        "metric": item.metric,
        "acceptance": item.acceptance,
        "description": item.description,
        "due": item.due,
        "requester": who.get(item.requester_id),
        "owner": who.get(item.owner_id) if item.owner_id else None,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
    }


def card(
    db: Session,
    view: RequirementView,
    *,
    notice: Text | None = None,
    visibility: Visibility = Visibility.EPHEMERAL,
    replace_original: bool = False,
    history: bool = True,
) -> Reply:
    item = view.item
    assert item.id is not None
    entries = (
        audit.history(
            db=db, workspace_id=item.workspace_id, entity=req_model.ENTITY, entity_id=item.id, limit=HISTORY_SHOWN
        )
        if history
        else []
    )
    described = [describe(e) for e in entries]
    who = people(db, [item.requester_id, item.owner_id, *(e.actor_id for e in entries), *_whos(described)])
    lines = [
        {
            "at": e.at,
            "actor": who.get(e.actor_id) if e.actor_id else None,
            "action": e.action,
            "changes": e.changes,
            "text": d.get("text"),
            "who": who.get(d["who"]) if isinstance(d.get("who"), int) else None,
            "detail": d.get("detail"),
        }
        for e, d in zip(entries, described, strict=True)
    ]
    score = None
    if history:  # a new requirement has no score yet
        found = score_model.current(db=db, requirement_id=item.id)
        score = scoring_view.score_data(db, item.workspace_id, found, trend_of=item.id)
    return Reply(
        "req_card",
        {"item": item_data(view, who), "history": lines, "notice": notice, "score": score},
        buttons=move_buttons(item.id, Status(item.status)),
        visibility=visibility,
        replace_original=replace_original,
    )


def _whos(described: list[dict[str, Any]]) -> list[int]:
    return [d["who"] for d in described if isinstance(d.get("who"), int)]


def move_buttons(requirement_id: int, status: Status) -> list[Button]:
    return [
        Button(
            Text(f"req.move.{target.value}"),
            MOVE_ACTION,
            {"id": requirement_id, "from": status.value, "to": target.value},
            style="danger" if target is Status.REJECTED else ("primary" if i == 0 else None),
        )
        for i, target in enumerate(TRANSITIONS[status])
    ]


def list_page(
    db: Session,
    found: Page,
    *,
    page: int,
    filters: dict[str, Any],
    replace_original: bool = False,
) -> Reply:
    views = found.items
    who = {i: {"ref": ref, "name": name} for i, (ref, name) in found.people.items()}
    buttons = []
    if page > 1:
        buttons.append(Button(Text("common.prev_page"), PAGE_ACTION, {"f": filters, "p": page - 1}))
    if found.more:
        buttons.append(Button(Text("common.next_page"), PAGE_ACTION, {"f": filters, "p": page + 1}))
    first = (page - 1) * PAGE_SIZE + 1 if views else 0
    return Reply(
        "req_list",
        {
            "items": [item_data(v, who) for v in views],
            "total": f"{found.total}+" if found.capped else found.total,
            "page": page,
            "first": first,
            "last": first + len(views) - 1 if views else 0,
            "filters": filters,
        },
        buttons=buttons,
        replace_original=replace_original,
    )
