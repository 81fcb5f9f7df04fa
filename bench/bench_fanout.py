"""Fan-out through the outbox: N channels in workspaces of 10, each with a digest (a summary and two
thread pages) due at one slot, delivered by W `tradewind worker` processes against the fake Slack
(tests/fakes/slack_api.py) allowing one post a second per channel, a workspace-wide bucket (100 posts,
refilled at 100 a minute) and answering 5 % of posts with 429 (Retry-After: 1).

Reports, per run: seconds from the slot (or from the end of seeding, should that run past it) until
the last message is posted, messages per second over that time, each worker's peak RSS (VmHWM), the
429s answered, CPU seconds of each worker and of the fake Slack, and checks that every message arrived
once, none before the slot, each page in its summary's thread and in order.

    python bench/bench_fanout.py [--channels 1000,10000] [--workers 1,2,4] [--per-workspace 10]
        [--pages 2] [--backend postgres|sqlite] [--json out.json]

PostgreSQL: a scratch database on TEST_POSTGRES_URL's server (default postgresql://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.db import make_engine  # noqa: E402
from bot.migrate import migrate  # noqa: E402
from tests.fakes.slack_api import Chaos, FakeSlack, WorkspaceTier  # noqa: E402
from tests.outbox import fanout  # noqa: E402

LEAD_S = 8.0  # the workers start before the slot, as they would be running at 09:00
SEED_S_PER_CHANNEL = 0.015  # room for seeding before the slot (about 9 ms a channel on the loaded machine)


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


def run(backend: str, channels: int, workers: int, per_workspace: int, pages: int) -> dict[str, object]:
    url, handle = scratch_url(backend)
    fake = FakeSlack()
    try:
        engine = make_engine(url)
        migrate(engine)
        fake.channel_pace_s = 1.0
        fake.workspace_tier = WorkspaceTier()
        fake.chaos = Chaos(seed=14, rate=0.05, methods=("chat.postMessage",), kinds=("429",), retry_after=1)
        env = {
            "DATABASE_URL": url,
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": "bench",
            "SLACK_API_URL": fake.api_url,
            "POST_INTERVAL_S": "1.0",
            "LOG_LEVEL": "WARNING",
        }
        seeding = time.monotonic()
        slot = time.time() + LEAD_S + channels * SEED_S_PER_CHANNEL
        digests = fanout.seed(engine, fake, channels=channels, per_workspace=per_workspace, pages=pages, slot_of=slot)
        seeded_s = time.monotonic() - seeding
        # Had seeding outrun the lead, the clock starts when the rows are in, not at the slot.
        start = max(slot, time.time())
        procs = fanout.start_workers(workers, env)
        peaks: list[float | None] = [None] * workers
        cpu: list[float | None] = [None] * workers
        own_cpu = resource.getrusage(resource.RUSAGE_SELF)
        try:
            while fanout.pending(engine):
                peaks = [fanout.peak_rss_mb(p) or peaks[i] for i, p in enumerate(procs)]
                if any(p.poll() is not None for p in procs):
                    raise RuntimeError("a worker died")
                time.sleep(0.25)
            peaks = [fanout.peak_rss_mb(p) or peaks[i] for i, p in enumerate(procs)]
            cpu = [fanout.cpu_s(p) for p in procs]
            own = resource.getrusage(resource.RUSAGE_SELF)
        finally:
            codes = fanout.stop_workers(procs)
        found = fanout.seen(fake)
        stamps = [t for times in found.ts.values() for t in times]
        messages = sum(d.parts for d in digests)
        elapsed = max(stamps) - start
        wrong = fanout.problems(digests, found)
        engine.dispose()
        return {
            "backend": backend,
            "channels": channels,
            "workspaces": (channels + per_workspace - 1) // per_workspace,
            "messages": messages,
            "workers": workers,
            "seeded_s": round(seeded_s, 1),
            "seeding_past_slot_s": round(start - slot, 1),
            "last_posted_after_slot_s": round(elapsed, 2),
            "messages_per_s": round(messages / elapsed, 1),
            "posted": len(stamps),
            "duplicates": len(stamps) - len(found.ts),
            "problems": len(wrong),
            "first_problems": wrong[:3],
            "429_pace": fake.paced_refusals,
            "429_workspace_tier": fake.workspace_tier.refused,
            "429_injected": len(fake.chaos.injected),
            "peak_rss_mb_per_worker": peaks,
            "cpu_s_per_worker": cpu,
            # This process serves the fake Slack (and polls the outbox) while the workers deliver.
            "cpu_s_fake_slack": round(own.ru_utime + own.ru_stime - own_cpu.ru_utime - own_cpu.ru_stime, 1),
            "load_average_1m": round(os.getloadavg()[0], 1),
            "worker_exit_codes": codes,
        }
    finally:
        fake.close()
        drop(backend, handle)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--channels", default="1000")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--per-workspace", type=int, default=10)
    parser.add_argument("--pages", type=int, default=2, help="thread pages per digest")
    parser.add_argument("--backend", default="postgres", choices=["postgres", "sqlite"])
    parser.add_argument("--json")
    args = parser.parse_args()
    results = []
    for channels in (int(c) for c in args.channels.split(",")):
        for workers in (int(w) for w in args.workers.split(",")):
            result = run(args.backend, channels, workers, args.per_workspace, args.pages)
            print(json.dumps(result), flush=True)
            results.append(result)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
