"""The embedded delivery loop: one thread in this process draining the outbox (SQLite, the console, a
single process). Woken when something is queued; otherwise it looks again when the next row is due."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from bot.outage import DatabaseHealth, is_outage
from bot.outbox.worker import OutboxWorker

log = logging.getLogger(__name__)


class OutboxLoop:
    def __init__(self, worker: OutboxWorker, *, idle_s: float = 1.0, health: DatabaseHealth | None = None) -> None:
        self.worker = worker
        self.health = health or DatabaseHealth()
        self.idle_s = idle_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> OutboxLoop:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="outbox", daemon=True)
            self._thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def drain(self, timeout: float = 30.0) -> bool:
        """Deliver in this thread until nothing pending is due within `timeout` (tests, the console)."""
        end = datetime.now(UTC).timestamp() + timeout
        while datetime.now(UTC).timestamp() < end:
            if self.worker.run_once():
                continue
            due = self.worker.next_due()
            if due is None:
                return True
            self._wake.wait(min(0.05, max(0.0, due.timestamp() - datetime.now(UTC).timestamp())))
        return False

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if self.worker.run_once():
                    self.health.ok()
                    continue
                due = self.worker.next_due()
                self.health.ok()
            except Exception as err:
                if is_outage(err):  # logged once for the whole outage, with the requests that met it
                    self.health.failed(err, "the outbox", request=False)
                else:
                    log.exception("outbox loop: could not read the outbox; trying again")
                due = None
            wait = self.idle_s if due is None else due.timestamp() - datetime.now(UTC).timestamp()
            self._wake.wait(max(0.01, min(self.idle_s, wait)))
            self._wake.clear()
