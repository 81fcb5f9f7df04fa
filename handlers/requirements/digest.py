"""The requirement sections of a digest: new requirements, status moves, and what is due soon or late.

The top of the backlog, by score, is the scoring feature's section (handlers/scoring/digest.py).
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from handlers.core.digest import DigestItem, DigestScope, DigestSection
from handlers.core.reply import Text
from models.digest import activity
from models.digest.activity import Change, Item

MAX_ITEMS = 200  # per section; beyond that the section says how many more there were
DUE_SOON_DAYS = 2  # the reminder names open requirements due within this many days, and overdue ones


def requirement_sections(db: Session, scope: DigestScope) -> list[DigestSection]:
    """New requirements and status moves, from one read of the window's audit entries."""
    changes = activity.requirement_changes(
        db=db, workspace_id=scope.workspace_id, after=scope.audit_after, upto=scope.audit_upto
    )
    if not changes:
        return []
    items = activity.items_by_id(db=db, ids=sorted({c.requirement_id for c in changes}))
    created: dict[int, Change] = {}
    moves: dict[int, list[Change]] = {}
    for change in changes:
        item = items.get(change.requirement_id)
        if item is None or not scope.in_markets(item.markets):
            continue
        if change.action == "create":
            created[item.id] = change
        elif change.changes.get("status"):
            moves.setdefault(item.id, []).append(change)
    sections = []
    if created:
        new_items = [_new_line(items[i]) for i in created]
        sections.append(_section("req.new", "digest.req.new_title", "digest.req.new_count", new_items, order=10))
    moved = [_move_line(items[i], steps) for i, steps in moves.items() if i not in created]
    moved = [line for line in moved if line is not None]
    if moved:
        sections.append(_section("req.moved", "digest.req.moved_title", "digest.req.moved_count", moved, order=20))
    return sections


def due_section(db: Session, scope: DigestScope) -> DigestSection | None:
    """Open requirements overdue or due within DUE_SOON_DAYS of the digest's day, in the team's time zone.
    Overdue ones alone are a standing list: they do not make a digest by themselves every day."""
    today = scope.until.astimezone(ZoneInfo(scope.tz)).date()
    found = activity.due_by(
        db=db, workspace_id=scope.workspace_id, upto=today + timedelta(days=DUE_SOON_DAYS), limit=MAX_ITEMS * 5
    )
    lines: list[DigestItem] = []
    soon = False
    for item in found:
        if item.due is None or not scope.in_markets(item.markets):
            continue
        late = item.due < today
        soon = soon or not late
        detail = Text("digest.req.overdue" if late else "digest.req.due_on", {"date": item.due.isoformat()})
        lines.append(DigestItem(item.key, item.title, detail, item.owner_id or item.requester_id))
    if not lines:
        return None
    return DigestSection(
        "req.due",
        Text("digest.req.due_title"),
        tuple(lines[:MAX_ITEMS]),
        summary=Text("digest.req.due_count", {"n": len(lines)}),
        news=soon,
        order=15,
        total=len(lines),
    )


def _new_line(item: Item) -> DigestItem:
    return DigestItem(item.key, item.title, _status_markets(item), item.requester_id)


def _move_line(item: Item, steps: list[Change]) -> DigestItem | None:
    first, last = steps[0].changes["status"][0], steps[-1].changes["status"][1]
    if first == last:
        return None  # moved away and back within the window: nothing to report
    params = {"from": Text(f"status.{first}"), "to": Text(f"status.{last}")}
    detail = (
        Text("digest.req.moved_steps", {**params, "steps": len(steps)})
        if len(steps) > 1
        else Text("digest.req.moved", params)
    )
    return DigestItem(item.key, item.title, detail, steps[-1].actor_id)


def _status_markets(item: Item) -> Text:
    status = Text(f"status.{item.status}")
    if not item.markets:
        return Text("digest.req.status_only", {"status": status})
    return Text("digest.req.status_markets", {"status": status, "markets": ", ".join(item.markets)})


def _section(name: str, title: str, count: str, lines: list[DigestItem], *, order: int) -> DigestSection:
    return DigestSection(
        name,
        Text(title),
        tuple(lines[:MAX_ITEMS]),
        summary=Text(count, {"n": len(lines)}),
        order=order,
        total=len(lines),
    )


SECTIONS = (requirement_sections, due_section)
