"""Periodic tidying that belongs to no single feature."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from handlers.core.jobs import Delivery, JobSpec
from models.job_claim import prune_job_claims
from models.processed_event import prune_events
from models.request_claim import prune_requests
from models.slack_install import prune_states


def prune_processed_events(db: Session, now: datetime) -> list[Delivery]:
    """Forget event ids and claimed requests older than any platform still retries or accepts as
    signed (Slack: minutes; Lark: up to hours), and claims of periodic jobs long past."""
    prune_events(db=db, now=now)
    prune_requests(db=db, now=now)
    prune_job_claims(db=db, now=now)
    return []


def prune_install_states(db: Session, now: datetime) -> list[Delivery]:
    """Forget the states of "Add to Slack" attempts nobody finished (each is good for ten minutes)."""
    prune_states(db=db, now=now)
    return []


COMMANDS = ()
ACTIONS = ()
JOBS = (
    JobSpec("events.prune", timedelta(hours=6), prune_processed_events),
    JobSpec("slack_states.prune", timedelta(hours=6), prune_install_states),
)
