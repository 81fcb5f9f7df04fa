"""Requirement cards: one requirement with its score and history, and a page of the backlog."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlmodel import Session

from handlers.core.card import (
    Card,
    Header,
    Inline,
    Line,
    Link,
    Note,
    Row,
    Rows,
    Section,
    Strong,
    When,
    fields,
    joined,
)
from handlers.core.reply import Button, Reply, Text, Visibility
from handlers.core.views import page_buttons
from handlers.requirements.audit import history_lines, who_of
from handlers.scoring import cards as scoring_view
from models.approvals import approval as approval_model
from models.requirements import queries
from models.requirements.queries import RequirementCard
from models.requirements.requirement import TRANSITIONS, Page, RequirementView, Status
from models.workspace import names_of

MOVE_ACTION = "req.move"
PAGE_ACTION = "req.page"
PAGE_SIZE = 10
# The header's colour for each state (Lark shows it; the others ignore it).
STATE_COLOURS = {
    "new": "blue",
    "triaged": "wathet",
    "approved": "green",
    "in_progress": "turquoise",
    "shipped": "green",
    "rejected": "red",
    "parked": "grey",
}


def people(db: Session, ids: Iterable[int | None]) -> dict[int, dict[str, Any]]:
    return {i: {"ref": ref, "name": name} for i, (ref, name) in names_of(db=db, member_ids=ids).items()}


def card(
    db: Session,
    view: RequirementView,
    *,
    notice: Line | None = None,
    visibility: Visibility = Visibility.EPHEMERAL,
    replace_original: bool = False,
    history: bool = True,
) -> Reply:
    item = view.item
    assert item.id is not None
    drawn = requirement_card(queries.requirement_card(db=db, view=view, history=history), notice=notice)
    pending = approval_model.pending_for(db=db, workspace_id=item.workspace_id, requirement_id=item.id)
    return Reply(
        "req_card",
        card=drawn,
        buttons=_approval_buttons(pending.id or 0) if pending else move_buttons(item.id, Status(item.status)),
        visibility=visibility,
        replace_original=replace_original,
    )


def requirement_card(data: RequirementCard, *, notice: Line | None = None) -> Card:
    item, markets, people = data.view.item, data.view.markets, data.trail.people
    status = Text(f"status.{item.status}")
    score = scoring_view.score_data(data.score)
    none = Text("common.none")
    parts: list[Any] = [
        fields(
            (Text("req.field.status"), status),
            (Text("req.field.market"), ", ".join(markets) or none),
            (Text("req.field.platform"), item.platform or none),
            (Text("req.field.due"), When(item.due) if item.due else none),
            (Text("req.field.requester"), who_of(people, item.requester_id)),
            (Text("req.field.owner"), who_of(people, item.owner_id)),
            (Text("req.field.source"), _source(item.source, item.source_link)),
        )
    ]
    if score:
        moved = [[Text("score.moved"), ": ", scoring_view.trend_line(score)]] if score["trend"] else []
        parts.append(Section((scoring_view.score_line(score), *moved), title=Text("score.label")))
    for label, value in (
        ("req.field.metric", item.metric),
        ("req.field.ac", item.acceptance),
        ("req.field.desc", item.description),
    ):
        if value:
            parts.append(Section((value,), title=Text(label)))
    if item.archived_at is not None:
        parts.append(Note((Text("req.archived_note", {"key": item.key}),)))
    if data.trail.entries:
        parts.append(Note(history_lines(data.trail), title=Text("common.history")))
    return Card(
        summary=Text("req.fallback", {"key": item.key, "title": item.title, "status": status}),
        header=Header(f"{item.key} · {item.title}", STATE_COLOURS.get(item.status, "blue")),
        parts=tuple(parts),
        notice=(notice,) if notice else (),
    )


def _source(source: str | None, link: str | None) -> Line | None:
    """`customer · the message` (linked to where it was captured from); None hides the field."""
    if not source and not link:
        return None
    shown: list[Line] = [Text(f"req.source.{source}")] if source else []
    if link:
        shown.append(Link(link, Text("req.source_message")))
    return joined(shown)


def _approval_buttons(approval_id: int) -> list[Button]:
    """While an approval is pending, its own buttons: deciding by hand would void it."""
    from handlers.approvals.cards import buttons_for  # approvals draw on this module

    return buttons_for(approval_id)


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


OPEN = frozenset({Status.NEW, Status.TRIAGED, Status.APPROVED, Status.IN_PROGRESS})  # a due date still binds


def summary_line(view: RequirementView, people: dict[int, tuple[str, str | None]], today: date | None = None) -> Line:
    """`triaged · DE, US · amazon · due 2026-12-01 · @li`."""
    item = view.item
    parts: list[Line] = [Text(f"status.{item.status}")]
    if view.markets:
        parts.append(", ".join(view.markets))
    if item.platform:
        parts.append(item.platform)
    if item.due:
        overdue = today is not None and item.due < today and item.status in OPEN
        parts.append(Text("req.due_overdue" if overdue else "req.due", {"date": When(item.due)}))
    if item.owner_id:
        parts.append(who_of(people, item.owner_id))
    return joined(parts)


def list_page(
    found: Page, *, page: int, filters: dict[str, Any], today: date | None = None, replace_original: bool = False
) -> Reply:
    buttons = page_buttons(PAGE_ACTION, page, found.more, f=filters)
    return Reply("req_list", card=list_card(found, page, today), buttons=buttons, replace_original=replace_original)


def list_card(found: Page, page: int, today: date | None = None) -> Card:
    title = Text("req.list_title")
    views = found.items
    if not views:
        return Card(summary=title, header=Header(title), parts=(Section((Text("req.list_empty"),)),))
    first = (page - 1) * PAGE_SIZE + 1
    total = f"{found.total}+" if found.capped else found.total
    counted = Text("common.page", {"first": first, "last": first + len(views) - 1, "total": total})
    rows = tuple(Row([Strong(v.item.key), " ", v.item.title], summary_line(v, found.people, today)) for v in views)
    scope: list[Inline] = [counted, " · ", Text("req.list_newest")]
    return Card(summary=[title, " · ", counted], header=Header(title), parts=(Note((scope,)), Rows(rows)))
