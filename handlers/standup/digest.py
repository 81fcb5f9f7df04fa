"""The standup's own digest sections: blockers that have stayed open for days, and who is away."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from handlers.core.card import When
from handlers.core.digest import DigestItem, DigestScope, DigestSection
from handlers.core.reply import Text
from models.standup import answer as standup_model
from models.standup import queries
from models.workspace import BLOCKER_DAYS, workspace_by_id

ROSTER = timedelta(days=30)  # as for the reminders: who answered within this long


def standup_sections(db: Session, scope: DigestScope) -> list[DigestSection]:
    day = scope.until.astimezone(ZoneInfo(scope.tz)).date()
    workspace = workspace_by_id(db=db, workspace_id=scope.workspace_id)
    min_days = (workspace.blocker_days if workspace else None) or BLOCKER_DAYS
    sections = []
    stuck = queries.long_blockers(
        db=db, workspace_id=scope.workspace_id, channel_ref=scope.channel_ref, day=day, min_days=min_days
    )
    if stuck:
        items = tuple(
            DigestItem(None, b.text, Text("digest.standup.blocked_since", {"days": (day - b.since).days}), b.member_id)
            for b in stuck
        )
        sections.append(
            DigestSection(
                "standup.long_blockers",
                Text("digest.standup.long_blockers_title", {"days": min_days}),
                items,
                summary=Text("digest.standup.long_blockers_count", {"n": len(items), "days": min_days}),
                order=4,
            )
        )
    roster = standup_model.roster(
        db=db, workspace_id=scope.workspace_id, channel_ref=scope.channel_ref, since=scope.until - ROSTER
    )
    away = queries.away_until(db=db, member_ids=roster, day=day)
    if away:
        items = tuple(
            DigestItem(None, None, Text("digest.standup.away_until", {"date": When(until)}), member_id)
            for member_id, until in sorted(away.items(), key=lambda pair: (pair[1], pair[0]))
        )
        sections.append(DigestSection("standup.away", Text("digest.standup.away_title"), items, news=False, order=6))
    return sections


COMMANDS = ()
ACTIONS = ()
JOBS = ()
DIGEST_SECTIONS = (standup_sections,)
