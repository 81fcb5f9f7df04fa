"""Runs the synchronous front ends (Bolt's App, the Lark front end) off the event loop, on a few
threads sized with the database's connection pool, each request inside its time budget.

Bolt's Starlette adapter calls `App.dispatch` inside `async def`, on the loop itself: a request
waiting on the database held up every other request, /healthz and Lark with it. Here the loop only
reads bodies and writes answers; a stalled request holds one thread, for at most its budget.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy.engine import Engine

from bot.deadline import REQUEST_BUDGET_S, STALLS, request_deadline

T = TypeVar("T")

# SQLite takes its write lock for every unit of work: more than two threads only queue for it.
# PostgreSQL: enough that one stalled request leaves others to answer, and fewer than the pool
# (bot/db.py), which the after-answer pool and the health check also draw on.
SQLITE_WORKERS = 2
POSTGRES_WORKERS = 4
# A request that waited for a thread in a burst or on a busy machine still gets this long for its
# database work: a late answer rather than "temporarily unavailable". Not while the database is
# stalling (bot/deadline.STALLS): then what waited is answered at once.
MIN_BUDGET_S = 1.0
STALL_MEMORY_S = 10.0


def workers_for(engine: Engine) -> int:
    return SQLITE_WORKERS if engine.dialect.name == "sqlite" else POSTGRES_WORKERS


class Dispatcher:
    def __init__(self, workers: int, *, budget_s: float = REQUEST_BUDGET_S) -> None:
        self.workers = workers
        self.budget_s = budget_s
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dispatch")

    async def run(self, fn: Callable[..., T], *args: object, started: float | None = None) -> T:
        """`fn(*args)` on a dispatch thread. The budget counts from `started` (when the request
        arrived), so time spent waiting for a free thread is part of it, down to MIN_BUDGET_S."""
        started = time.monotonic() if started is None else started
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._within, started, fn, args)

    def _within(self, started: float, fn: Callable[..., T], args: tuple[object, ...]) -> T:
        now = time.monotonic()
        budget = self.budget_s - (now - started)
        if budget < MIN_BUDGET_S and not STALLS.within(STALL_MEMORY_S):
            budget = MIN_BUDGET_S
        with request_deadline(budget, started=now):
            return fn(*args)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
