"""Periodic work a feature wants done by the scheduler process (`tradewind scheduler`).

A feature lists `JOBS = (JobSpec(...), ...)`; the scheduler runs each every `every`, in its own
transaction, and carries out the deliveries it returns through the workspace's chat platform. A job
must be safe to run twice (two schedulers by mistake, a retry): it records what it has announced in
the same transaction that returns the delivery.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from handlers.core.reply import Effect


@dataclass(frozen=True)
class Delivery:
    workspace_id: int
    effect: Effect  # PostToChannel with a channel_ref, DirectMessage or UpdateTracked
    lang: str | None = None  # channel posts: this language, else the workspace default


Job = Callable[[Session, datetime], list[Delivery]]


@dataclass(frozen=True)
class JobSpec:
    name: str
    every: timedelta
    run: Job
