"""What the standup reminders need, read in one call: who on a channel's roster has not answered
since its last digest."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from models.digest import run as run_model
from models.standup import answer as standup_model

FIRST_WINDOW = timedelta(days=1)  # a channel that has had no digest yet: answers of the last day count


def not_answered(
    *, db: Session, workspace_id: int, channel_ref: str, now: datetime, roster_since: datetime
) -> list[int]:
    """Members who answered in this channel since `roster_since` but not since its last digest."""
    last = run_model.last_covering(db=db, workspace_id=workspace_id, channel_ref=channel_ref)
    since = last.covers_until if last and last.covers_until else now - FIRST_WINDOW
    team = standup_model.roster(db=db, workspace_id=workspace_id, channel_ref=channel_ref, since=roster_since)
    answered = {
        a.member_id
        for a in standup_model.answers_between(
            db=db, workspace_id=workspace_id, channel_ref=channel_ref, since=since, until=now
        )
    }
    return sorted(team - answered)
