"""The approval sections of the standup digest: decisions taken in the window, and the requirements
still waiting for approval with how long they have waited."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from handlers.core.digest import DigestItem, DigestScope, DigestSection
from handlers.core.reply import Text
from models.approvals import digest as approvals
from models.approvals.approval import State
from models.digest import activity
from models.requirements.requirement import ENTITY as REQUIREMENT

MAX_ITEMS = 100
DECIDED = (State.APPROVED.value, State.REJECTED.value, State.CHANGES.value)


def approval_sections(db: Session, scope: DigestScope) -> list[DigestSection]:
    sections = [decided_section(db, scope), waiting_section(db, scope)]
    return [s for s in sections if s is not None]


def decided_section(db: Session, scope: DigestScope) -> DigestSection | None:
    entries = activity.window_entries(
        db=db,
        workspace_id=scope.workspace_id,
        entity=REQUIREMENT,
        actions=("decide",),
        after=scope.audit_after,
        upto=scope.audit_upto,
    )
    if not entries:
        return None
    found = approvals.by_id(db=db, ids=[int(e.changes.get("approval") or 0) for e in entries])
    items = activity.items_by_id(db=db, ids=sorted({e.entity_id for e in entries}))
    lines = []
    for entry in entries:
        approval = found.get(int(entry.changes.get("approval") or 0))
        item = items.get(entry.entity_id)
        state = (entry.changes.get("state") or [None, None])[-1]
        if approval is None or item is None or state not in DECIDED or not scope.in_markets(item.markets):
            continue
        params = {"state": Text(f"approval.digest.{state}"), "waited": waited(approval.created_at, entry.at)}
        lines.append(DigestItem(item.key, item.title, Text("approval.digest.decided", params), entry.actor_id))
    if not lines:
        return None
    return DigestSection(
        "approval.decided",
        Text("approval.digest.decided_title"),
        tuple(lines[:MAX_ITEMS]),
        summary=Text("approval.digest.decided_count", {"n": len(lines)}),
        order=30,
        total=len(lines),
    )


def waiting_section(db: Session, scope: DigestScope) -> DigestSection | None:
    """Oldest first. It is news only when something was submitted in the window; a request that has
    simply kept waiting is listed, but alone it does not make a digest."""
    pending = approvals.waiting(db=db, workspace_id=scope.workspace_id)
    if not pending:
        return None
    items = activity.items_by_id(db=db, ids=sorted({p.requirement_id for p in pending}))
    lines, fresh = [], 0
    for approval in pending:
        item = items.get(approval.requirement_id)
        if item is None or not scope.in_markets(item.markets):
            continue
        how_long = waited(approval.created_at, scope.until)
        if approval.approvers:
            detail = Text("approval.digest.waiting", {"waited": how_long, "n": len(approval.approvers)})
        else:
            detail = Text("approval.digest.waiting_any", {"waited": how_long})
        lines.append(DigestItem(item.key, item.title, detail, approval.requester_id))
        fresh += approval.created_at > scope.since
    if not lines:
        return None
    return DigestSection(
        "approval.waiting",
        Text("approval.digest.waiting_title"),
        tuple(lines[:MAX_ITEMS]),
        summary=Text("approval.digest.waiting_count", {"n": len(lines)}),
        news=fresh > 0,
        order=35,
        total=len(lines),
    )


def waited(since: datetime, until: datetime) -> Text:
    """How long, in the largest two units that matter: 45 min, 3 h 10 min, 2 d 4 h."""
    span = max(until - since, timedelta(0))
    minutes = int(span.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return Text("approval.digest.days", {"d": days, "h": hours})
    if hours:
        return Text("approval.digest.hours", {"h": hours, "m": minutes})
    return Text("approval.digest.minutes", {"m": minutes})


SECTIONS = (approval_sections,)
