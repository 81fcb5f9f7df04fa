"""The scheduler's first schedule sync: time from start until every channel's cron job is added and
each channel has been checked for due digests and reminders, for 1,000 / 3,000 / 10,000 channels
(10 channels a workspace, half of them with standup reminders, none due). It should grow at most
linearly: the last column (ms per channel) stays about flat.

    python bench/bench_schedule_sync.py [--channels 1000,3000,10000] [--backend sqlite|postgres]
        [--pg postgresql://postgres@127.0.0.1:5432/test]

On PostgreSQL a scratch database is created and dropped for each size.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PER_WORKSPACE = 10


def seed(url: str, channels: int) -> None:
    from sqlalchemy import insert

    from bot.db import make_engine
    from bot.migrate import migrate
    from models.base import utcnow
    from models.digest.schedule import DigestChannel
    from models.workspace import Workspace

    engine = make_engine(url)
    migrate(engine)
    now = utcnow()
    at = (now + timedelta(hours=3)).strftime("%H:%M")  # never due while measured
    workspaces = (channels + PER_WORKSPACE - 1) // PER_WORKSPACE
    with engine.begin() as conn:
        conn.execute(
            insert(Workspace),
            [
                {
                    "platform": "slack",
                    "external_id": f"T{i}",
                    "default_lang": "en",
                    "default_tz": "UTC",
                    "created_at": now,
                }
                for i in range(workspaces)
            ],
        )
        ids = [row[0] for row in conn.exec_driver_sql("SELECT id FROM workspace ORDER BY id")]
        conn.execute(
            insert(DigestChannel),
            [
                {
                    "workspace_id": ids[i // PER_WORKSPACE],
                    "channel_ref": f"C{i}",
                    "enabled": True,
                    "at_time": at,
                    "tz": "UTC",
                    "days": "mon,tue,wed,thu,fri,sat,sun",
                    "remind_minutes": 30 if i % 2 else None,
                    "markets": "",
                    "always": False,
                    "effective_from": now,
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(channels)
            ],
        )
    engine.dispose()


class _Silent:
    """A notifier that is never called: nothing is due."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"nothing should be posted ({name})")


def measure(url: str) -> float:
    from bot.db import make_engine
    from bot.scheduler import Scheduler

    engine = make_engine(url)
    scheduler = Scheduler(engine, {"slack": _Silent()}, jobs=())  # type: ignore[dict-item]
    began = time.perf_counter()
    scheduler.start()
    scheduler.wait_idle(0, timeout=3600)
    took = time.perf_counter() - began
    scheduler.shutdown(wait=True)
    engine.dispose()
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--channels", default="1000,3000,10000")
    parser.add_argument("--backend", default="sqlite", choices=("sqlite", "postgres"))
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    print(f"{'channels':>9} {'first sync s':>13} {'ms/channel':>11}")
    for n in [int(x) for x in args.channels.split(",")]:
        with tempfile.TemporaryDirectory() as tmp:
            if args.backend == "sqlite":
                url, drop = f"sqlite:///{tmp}/sync.db", None
            else:
                url, drop = _scratch(args.pg)
            try:
                seed(url, n)
                took = measure(url)
            finally:
                if drop:
                    drop()
        print(f"{n:>9} {took:>13.2f} {took * 1000 / n:>11.2f}", flush=True)


def _scratch(admin_url: str) -> tuple[str, object]:
    from sqlalchemy import create_engine, text

    name = f"sync_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + "/" + name

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


if __name__ == "__main__":
    main()
