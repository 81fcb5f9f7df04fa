"""A time budget per request, kept by the database layer: past it no statement is sent, no COMMIT is
made, and a connection still waiting on the database is cut so that its blocked read returns.

Slack and Lark want an answer within 3 seconds. A database that stalls (socket open, nothing
answering) is not noticed by TCP keep-alives or by a server-side statement timeout, so the bound
must be kept here, on the client: `request_deadline` opens the budget, bot/db.py consults it on
every checkout, statement and commit, and `Watchdog` cuts what is still waiting when it runs out.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeout

log = logging.getLogger(__name__)

REQUEST_BUDGET_S = 2.0  # inside Slack's and Lark's 3 s, with room to draw and send the answer
WATCH_EVERY_S = 0.02


class DeadlineExceeded(SQLAlchemyTimeout):
    """The request's time budget ran out before the database answered; nothing was committed.

    A kind of SQLAlchemy's TimeoutError (which a pool wait also raises), so that everything that
    answers "temporarily unavailable" for a pool time-out answers it for this too."""


@dataclass(frozen=True)
class Deadline:
    at: float  # time.monotonic()

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def expired(self) -> bool:
        return time.monotonic() >= self.at

    def check(self, what: str) -> None:
        if self.expired():
            raise DeadlineExceeded(f"request deadline passed before {what}")


_current: ContextVar[Deadline | None] = ContextVar("tradewind_deadline", default=None)


def current() -> Deadline | None:
    return _current.get()


def expired() -> bool:
    deadline = _current.get()
    return deadline is not None and deadline.expired()


@contextlib.contextmanager
def request_deadline(budget_s: float = REQUEST_BUDGET_S, *, started: float | None = None) -> Iterator[Deadline]:
    """Bound the database work of everything inside the block to `budget_s` from `started` (a
    time.monotonic() value: when the request arrived, so that time spent queueing counts)."""
    deadline = Deadline((time.monotonic() if started is None else started) + budget_s)
    token = _current.set(deadline)
    try:
        yield deadline
    finally:
        _current.reset(token)


class Watchdog:
    """One thread that cuts the connections whose request ran out of time.

    A connection is watched from checkout to checkin (bot/db.py); `cut` is called for it, under the
    watchdog's lock, once its deadline passes: the lock is also taken to stop watching before the
    connection is closed, so a cut never reaches a socket number that has since been reused.
    """

    def __init__(self) -> None:
        self._watched: dict[int, tuple[float, Any, Callable[[Any], None]]] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def watch(self, dbapi_conn: Any, deadline: Deadline, cut: Callable[[Any], None]) -> None:
        with self._lock:
            self._watched[id(dbapi_conn)] = (deadline.at, dbapi_conn, cut)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="db-deadline-watchdog", daemon=True)
                self._thread.start()
        self._wake.set()

    def unwatch(self, dbapi_conn: Any) -> None:
        with self._lock:
            self._watched.pop(id(dbapi_conn), None)

    def _run(self) -> None:
        while True:
            if not self._watched:
                self._wake.wait()
            self._wake.clear()
            time.sleep(WATCH_EVERY_S)
            now = time.monotonic()
            with self._lock:
                due = [key for key, (at, _conn, _cut) in self._watched.items() if at <= now]
                for key in due:
                    _at, conn, cut = self._watched.pop(key)
                    STALLS.note()
                    try:
                        cut(conn)
                    except Exception:
                        log.warning("could not cut a database connection past its deadline", exc_info=True)


WATCHDOG = Watchdog()


class StallSign:
    """When the database was last found not answering: a connection cut at its deadline, or an
    SQLite lock waited for until the deadline. CPU-bound slowness is not a sign."""

    def __init__(self) -> None:
        self._last = float("-inf")

    def note(self) -> None:
        self._last = time.monotonic()

    def within(self, seconds: float) -> bool:
        return time.monotonic() - self._last < seconds


STALLS = StallSign()


def shut_socket(fileno: int) -> None:
    """Shut a socket down in both directions: a read blocked on it returns at once (end of file).

    The descriptor stays open, so the driver that owns it closes it as it always does."""
    if fileno < 0:
        return
    sock = socket.socket(fileno=fileno)
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already shut, or never connected
    finally:
        sock.detach()
