"""A database outage in the log as two lines, when it starts and when it ends, not a traceback for
every request that met it.

Every request that reaches the database reports here: a failure that means the database is out of
reach (a refused or dropped connection, a full pool) or a success. The first failure after a success
logs one error; the first success after failures logs how long it lasted and how many requests it
cost. What a request sent is never in these lines, only the kind of fault.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

log = logging.getLogger(__name__)


def is_outage(err: BaseException) -> bool:
    """The database could not be reached or kept, as opposed to refusing one statement (a bug)."""
    if isinstance(err, (OperationalError, InterfaceError, PoolTimeout)):
        return True
    return isinstance(err, DBAPIError) and err.connection_invalidated


class DatabaseHealth:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._failures = 0

    @property
    def down(self) -> bool:
        return self._down_since is not None

    def failed(self, err: BaseException, serving: str, *, request: bool = True) -> None:
        """`request=False` for background work (the outbox loop): it marks the outage, is not counted."""
        with self._lock:  # logged under the lock: whoever sees the outage as begun sees its line written
            self._failures += int(request)
            if self._down_since is not None:
                return
            self._down_since = time.monotonic()
            log.error("database unavailable (%s while serving %s): %s", _kind(err), serving, _reason(err))

    def ok(self) -> None:
        if self._down_since is None:  # the common case, without taking the lock
            return
        with self._lock:
            if self._down_since is None:
                return
            lasted, failures = time.monotonic() - self._down_since, self._failures
            self._down_since, self._failures = None, 0
        log.warning("database available again after %.1f s; %d requests were answered as unavailable", lasted, failures)


def _kind(err: BaseException) -> str:
    orig = getattr(err, "orig", None)
    return type(orig if orig is not None else err).__name__


def _reason(err: BaseException) -> str:
    """The driver's first line (a host, a port, "connection refused"), never the statement or its
    parameters, which SQLAlchemy's own message carries."""
    orig = getattr(err, "orig", None)
    text = str(orig if orig is not None else err).strip().splitlines()
    return text[0][:200] if text else ""
