"""Fan-out through the outbox: N channels with a card due at the same moment, delivered by W
`tradewind worker` processes against the fake Slack (tests/fakes/slack_api.py) pacing each channel to
one message a second and answering 5 % of posts with 429 (Retry-After: 1). Reports the time from
enqueue until the last card is in its channel, duplicates, and each run's peak worker RSS.

    python bench/bench_fanout.py [--channels 200,1000] [--workers 1,2] [--backend postgres|sqlite]
        [--cards-per-channel 1] [--json out.json]

PostgreSQL: a scratch database on TEST_POSTGRES_URL's server (default postgresql://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from bot.db import make_engine, session_scope  # noqa: E402
from bot.effects import Where  # noqa: E402
from bot.migrate import migrate  # noqa: E402
from bot.outbox import queue  # noqa: E402
from bot.render.viewer import Viewer  # noqa: E402
from handlers.core.reply import PostToChannel, Reply  # noqa: E402
from models.workspace import ensure_workspace  # noqa: E402
from tests.fakes.slack_api import Chaos, FakeSlack  # noqa: E402


def scratch_url(backend: str) -> tuple[str, object]:
    if backend == "sqlite":
        folder = tempfile.TemporaryDirectory()
        return f"sqlite:///{folder.name}/fanout.db", folder
    import psycopg

    base = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    name = f"fanout_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return base.rsplit("/", 1)[0] + f"/{name}", name


def drop(backend: str, handle: object) -> None:
    if backend == "postgres":
        import psycopg

        base = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{handle}" WITH (FORCE)')


def run(backend: str, channels: int, workers: int, per_channel: int) -> dict[str, object]:
    url, handle = scratch_url(backend)
    fake = FakeSlack()
    try:
        engine = make_engine(url)
        migrate(engine)
        with session_scope(engine) as db:
            workspace = ensure_workspace(
                db=db, platform="slack", external_id="T1", name="Bench", default_lang="en", default_tz="UTC"
            )
            workspace_id = workspace.id
        fake.channel_pace_s = 1.0
        fake.chaos = Chaos(seed=14, rate=0.05, methods=("chat.postMessage",), kinds=("429",), retry_after=1)
        started = time.monotonic()
        with session_scope(engine) as db:  # everything due in one moment, as a 09:00 digest slot
            for n in range(per_channel):
                for c in range(channels):
                    queue.add(
                        db=db,
                        effect=PostToChannel(Reply.message("common.usage", usage=f"fan-{c:05d}-{n}")),
                        platform="slack",
                        team_ref="T1",
                        viewer=Viewer(),
                        where=Where(workspace_id=workspace_id, user_ref="", channel_ref=f"C{c:05d}"),
                    )
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": "bench",
            "SLACK_API_URL": fake.api_url,
            "POST_INTERVAL_S": "1.0",
            "LOG_LEVEL": "WARNING",
        }
        procs = [
            subprocess.Popen([sys.executable, "-m", "bot", "worker"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
            for _ in range(workers)
        ]
        total = channels * per_channel
        with engine.connect() as conn:
            while True:
                sent = conn.execute(text("SELECT count(*) FROM outbox WHERE status = 'sent'")).scalar_one()
                conn.rollback()
                if sent >= total:
                    break
                time.sleep(0.05)
        elapsed = time.monotonic() - started
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(30)
        posted = [str(m.get("text")) for m in fake.posted()]
        markers = [p.split("fan-", 1)[1] for p in posted if "fan-" in p]
        engine.dispose()
        return {
            "backend": backend,
            "channels": channels,
            "cards": total,
            "workers": workers,
            "seconds": round(elapsed, 2),
            "posted": len(markers),
            "duplicates": len(markers) - len(set(markers)),
            "429s_injected": len(fake.chaos.injected),
            "peak_rss_mb_any_worker": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
        }
    finally:
        fake.close()
        drop(backend, handle)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--channels", default="200,1000")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--backend", default="postgres", choices=["postgres", "sqlite"])
    parser.add_argument("--cards-per-channel", type=int, default=1)
    parser.add_argument("--json")
    args = parser.parse_args()
    results = []
    for channels in (int(c) for c in args.channels.split(",")):
        for workers in (int(w) for w in args.workers.split(",")):
            result = run(args.backend, channels, workers, args.cards_per_channel)
            print(json.dumps(result), flush=True)
            results.append(result)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
