"""What the standup reminders need, read in one call: who on a channel's roster has not answered
since its last digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from models.digest import run as run_model
from models.standup import answer as standup_model
from models.standup.answer import StandupAnswer
from models.workspace import Member

FIRST_WINDOW = timedelta(days=1)  # a channel that has had no digest yet: answers of the last day count


BLOCKER_LOOKBACK = 60  # days of answers read to date a blocker that stays open


def not_answered(
    *,
    db: Session,
    workspace_id: int,
    channel_ref: str,
    now: datetime,
    roster_since: datetime,
    today: date | None = None,
) -> list[int]:
    """Members who answered in this channel since `roster_since` but not since its last digest, less
    those away on `today`."""
    last = run_model.last_covering(db=db, workspace_id=workspace_id, channel_ref=channel_ref)
    since = last.covers_until if last and last.covers_until else now - FIRST_WINDOW
    team = standup_model.roster(db=db, workspace_id=workspace_id, channel_ref=channel_ref, since=roster_since)
    answered = {
        a.member_id
        for a in standup_model.answers_between(
            db=db, workspace_id=workspace_id, channel_ref=channel_ref, since=since, until=now
        )
    }
    away = set(away_until(db=db, member_ids=team, day=today)) if today else set()
    return sorted(team - answered - away)


def away_until(*, db: Session, member_ids: set[int] | list[int], day: date) -> dict[int, date]:
    """Who of these people is away on `day`, and until when."""
    if not member_ids:
        return {}
    rows = db.exec(
        select(Member.id, Member.away_until).where(
            col(Member.id).in_(list(member_ids)), col(Member.away_until).is_not(None), Member.away_until >= day
        )
    ).all()
    return {int(i): until for i, until in rows if i is not None and until is not None}


@dataclass(frozen=True)
class OpenBlocker:
    member_id: int
    since: date  # the first answer of the run that has named a blocker every time
    text: str  # the newest answer's blocker


def long_blockers(*, db: Session, workspace_id: int, channel_ref: str, day: date, min_days: int) -> list[OpenBlocker]:
    """People whose every answer since `min_days` or more before `day` names a blocker, oldest first."""
    rows = db.exec(
        select(StandupAnswer.member_id, StandupAnswer.day, StandupAnswer.blockers)
        .where(
            StandupAnswer.workspace_id == workspace_id,
            StandupAnswer.channel_ref == channel_ref,
            StandupAnswer.day <= day,
            StandupAnswer.day > day - timedelta(days=BLOCKER_LOOKBACK),
        )
        .order_by(col(StandupAnswer.member_id), col(StandupAnswer.day).desc())
    ).all()
    by_member: dict[int, list[tuple[date, str | None]]] = {}
    for member_id, answered, blockers in rows:
        by_member.setdefault(member_id, []).append((answered, blockers))
    found = []
    for member_id, answers in by_member.items():
        newest, text = answers[0]
        if not text or (day - newest).days > min_days:
            continue  # not blocked now, or no longer answering here
        since = newest
        for answered, blockers in answers:
            if not blockers:
                break
            since = answered
        if (day - since).days >= min_days:
            found.append(OpenBlocker(member_id, since, text))
    return sorted(found, key=lambda b: (b.since, b.member_id))
