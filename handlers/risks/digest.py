"""The risk sections of the standup digest: risks filed in the window, risks that escalated into high
or critical, and reviews that are overdue."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlmodel import Session

from handlers.core.digest import DigestItem, DigestScope, DigestSection
from handlers.core.reply import Text
from models.digest import activity
from models.risks import digest as risk_digest
from models.risks import risk as risk_model
from models.risks.digest import RiskRow
from models.risks.grid import band, escalated
from models.risks.risk import ACTIVE

MAX_ITEMS = 100
SCORED = ("create", "edit", "risk_raise")  # the audit actions that set a risk's score


def risk_sections(db: Session, scope: DigestScope) -> list[DigestSection]:
    sections = [*_changed(db, scope), _overdue(db, scope)]
    return [s for s in sections if s is not None]


def _changed(db: Session, scope: DigestScope) -> list[DigestSection]:
    """New risks and escalations, from one read of the window's risk entries."""
    entries = activity.window_entries(
        db=db,
        workspace_id=scope.workspace_id,
        entity=risk_model.ENTITY,
        actions=SCORED,
        after=scope.audit_after,
        upto=scope.audit_upto,
    )
    if not entries:
        return []
    created: set[int] = set()
    start: dict[int, int] = {}  # the score a risk had when the window opened
    raised_by: dict[int, int | None] = {}
    for entry in entries:
        if entry.action == "create":
            created.add(entry.entity_id)
        elif "score" in entry.changes:
            start.setdefault(entry.entity_id, entry.changes["score"][0])
            raised_by[entry.entity_id] = entry.actor_id
    risks = risk_digest.by_id(db=db, ids=sorted(created | set(start)))
    new_lines, raised_lines = [], []
    for rid, risk in risks.items():
        if not scope.in_markets(risk.markets):
            continue
        if rid in created:
            new_lines.append(DigestItem(risk.key, risk.title, _facts(risk), risk.reporter_id))
        elif risk.status in ACTIVE and isinstance(start.get(rid), int) and escalated(start[rid], risk.score):
            params = {"from": _band(start[rid]), "to": _band(risk.score)}
            raised_lines.append(DigestItem(risk.key, risk.title, Text("risk.digest.escalated", params), raised_by[rid]))
    new_lines.sort(key=lambda line: _number(line.key))
    raised_lines.sort(key=lambda line: _number(line.key))
    sections = []
    if new_lines:
        sections.append(
            _section("risk.new", Text("risk.digest.new_title"), "risk.digest.new_count", new_lines, order=50)
        )
    if raised_lines:
        sections.append(
            _section(
                "risk.escalated",
                Text("risk.digest.escalated_title"),
                "risk.digest.escalated_count",
                raised_lines,
                order=55,
            )
        )
    return sections


def _overdue(db: Session, scope: DigestScope) -> DigestSection | None:
    """Most overdue first. News only when a review fell due in the window; the rest are listed with it."""
    tz = ZoneInfo(scope.tz)
    today, first_day = scope.until.astimezone(tz).date(), scope.since.astimezone(tz).date()
    overdue = risk_model.overdue_reviews(db=db, workspace_id=scope.workspace_id, today=today)
    if not overdue:
        return None
    markets = risk_model.markets_of(db, [r.id for r in overdue if r.id is not None])
    lines, fresh = [], 0
    for risk in overdue:
        if risk.next_review is None or not scope.in_markets(markets.get(risk.id or 0, ())):
            continue
        days = (today - risk.next_review).days
        detail = Text("risk.digest.overdue_line", {"due": risk.next_review.isoformat(), "days": days})
        lines.append(DigestItem(risk.key, risk.title, detail, risk.owner_id or risk.reporter_id))
        fresh += risk.next_review >= first_day
    if not lines:
        return None
    return _section(
        "risk.overdue",
        Text("risk.digest.overdue_title"),
        "risk.digest.overdue_count",
        lines,
        order=60,
        news=fresh > 0,
    )


def _facts(risk: RiskRow) -> Text:
    params = {"band": _band(risk.score), "category": Text(f"risk.category.{risk.category}")}
    if not risk.markets:
        return Text("risk.digest.new_line", params)
    return Text("risk.digest.new_line_markets", {**params, "markets": ", ".join(risk.markets)})


def _band(score: int) -> Text:
    return Text("risk.digest.band", {"band": Text(f"risk.band.{band(score)}"), "score": score})


def _number(key: str | None) -> int:
    return int((key or "0").rsplit("-", 1)[-1])


def _section(
    name: str, title: Text, count: str, lines: list[DigestItem], *, order: int, news: bool = True
) -> DigestSection:
    return DigestSection(
        name,
        title,
        tuple(lines[:MAX_ITEMS]),
        summary=Text(count, {"n": len(lines)}),
        news=news,
        order=order,
        total=len(lines),
    )


SECTIONS = (risk_sections,)
