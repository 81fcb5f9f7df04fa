"""Work done after a request has been answered (Web API calls, charts), on one small pool per process."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class Background:
    def __init__(self, workers: int = 4) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="after-answer")
        self._pending = 0
        self._idle = threading.Condition()

    def submit(self, fn: Callable[..., None], *args: Any) -> Future[None]:
        with self._idle:
            self._pending += 1
        future = self._pool.submit(fn, *args)
        future.add_done_callback(self._done)
        return future

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until everything submitted so far has finished (tests and shutdown)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout=timeout)

    def _done(self, _future: Future[None]) -> None:
        with self._idle:
            self._pending -= 1
            self._idle.notify_all()
