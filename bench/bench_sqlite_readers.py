"""SQLite with two processes: while one exports 100,000 requirements (`/req export`, over and over),
the other logs requirements (`/req add`, one every 20 ms). An export is the answer and then its file,
drawn from all the rows on one read transaction, as the work after a real answer does. How many adds
fail, and their latency.
Read-only units begin DEFERRED and take no write lock, so the adds should neither fail nor wait.

    python bench/bench_sqlite_readers.py [--requirements 100000] [--seconds 20]

Both processes run the bot's Runtime on the same database file, as `tradewind serve` would, each
command within the request budget a web request gets (bot/deadline.py).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PACE_S = 0.02


def seed(url: str, n: int) -> None:
    from sqlalchemy import insert

    from bot.db import make_engine
    from bot.migrate import migrate
    from models.requirements.requirement import Requirement
    from models.workspace import Counter, Member, Workspace

    engine = make_engine(url)
    migrate(engine)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(insert(Workspace).values(id=1, platform="slack", external_id="T1", created_at=now))
        conn.execute(
            insert(Member),
            [
                {
                    "id": i,
                    "workspace_id": 1,
                    "external_id": f"U{i}",
                    "role": "admin" if i == 1 else "member",
                    "created_at": now,
                }
                for i in (1, 2)
            ],
        )
        rows = [
            {
                "id": i,
                "workspace_id": 1,
                "number": i,
                "title": f"Requirement {i} for the export bench",
                "status": "new",
                "requester_id": 1,
                "created_at": now,
                "updated_at": now,
            }
            for i in range(1, n + 1)
        ]
        for start in range(0, n, 10_000):
            conn.execute(insert(Requirement), rows[start : start + 10_000])
        conn.execute(insert(Counter).values(workspace_id=1, kind="REQ", value=n))
    engine.dispose()


def _runtime(url: str):  # type: ignore[no-untyped-def]
    from bot.db import make_engine
    from bot.runtime import Runtime
    from handlers import REGISTRY

    return Runtime(make_engine(url, background_checkpoints=True), REGISTRY)


def export(url: str, seconds: float) -> None:
    """The answer, then the file drawn from 100k rows on its own read transaction, as after a real answer."""
    from bot import built_files
    from bot.i18n import catalog
    from bot.runtime import Caller
    from handlers.core.reply import UploadFile

    runtime = _runtime(url)
    caller = Caller("slack", "T1", "U1", channel_ref="C1")
    took = []
    stop = time.monotonic() + seconds
    print("started", flush=True)
    while time.monotonic() < stop:
        began = time.perf_counter()
        outcome = runtime.command(caller, "req", "export")
        for effect in outcome.reply.effects:
            if isinstance(effect, UploadFile):
                built_files.build(effect, runtime.engine, lambda text: catalog().t("en", text))
        took.append(time.perf_counter() - began)
    print(json.dumps({"exports": len(took), "export_s": statistics.median(took)}), flush=True)


def add(url: str, seconds: float) -> None:
    from bot import deadline
    from bot.runtime import Caller

    runtime = _runtime(url)
    caller = Caller("slack", "T1", "U2", channel_ref="C1")
    took, failed = [], 0
    stop = time.monotonic() + seconds
    n = 0
    while time.monotonic() < stop:
        n += 1
        began = time.perf_counter()
        with deadline.request_deadline():
            outcome = runtime.command(caller, "req", f"add reader bench {n}")
        took.append(time.perf_counter() - began)
        summary = outcome.reply.card.summary if outcome.reply.card else None
        if getattr(summary, "key", "").startswith("common."):
            failed += 1
        time.sleep(PACE_S)
    took.sort()
    print(
        json.dumps(
            {
                "adds": len(took),
                "failed": failed,
                "p50_ms": 1000 * took[len(took) // 2],
                "p99_ms": 1000 * took[int(len(took) * 0.99)],
                "max_ms": 1000 * took[-1],
            }
        ),
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requirements", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--role", choices=("export", "add"))
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.role == "export":
        return export(args.url, args.seconds)
    if args.role == "add":
        return add(args.url, args.seconds)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/readers.db"
        seed(url, args.requirements)
        me = [sys.executable, __file__, "--url", url, "--seconds"]
        exporter = subprocess.Popen([*me, str(args.seconds + 5), "--role", "export"], stdout=subprocess.PIPE, text=True)
        assert exporter.stdout is not None
        exporter.stdout.readline()  # started
        time.sleep(2)  # the first export is under way
        adder = subprocess.run([*me, str(args.seconds), "--role", "add"], capture_output=True, text=True, check=True)
        exported = json.loads(exporter.communicate()[0].strip().splitlines()[-1])
        added = json.loads(adder.stdout.strip().splitlines()[-1])
    print(f"exports of {args.requirements:,} rows: {exported['exports']}, median {exported['export_s']:.2f} s")
    print(
        f"/req add meanwhile: {added['failed']} of {added['adds']} failed; p50 {added['p50_ms']:.0f} ms, "
        f"p99 {added['p99_ms']:.0f} ms, max {added['max_ms']:.0f} ms"
    )


if __name__ == "__main__":
    main()
