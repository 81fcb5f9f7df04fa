"""What claiming a request (models/request_claim.py) costs a command: the same `/req add` and `/req list`
through the runtime, in one process, without and with `once`, interleaved so that both see the same
machine. No HTTP, so the difference is the claim's INSERT alone.

    python bench/bench_request_claim.py [--backends sqlite,postgres] [--requests 2000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.db import make_engine
from bot.migrate import migrate
from bot.runtime import Caller, Runtime
from handlers import REGISTRY
from models.request_claim import request_key


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(url: str, requests: int) -> list[tuple[str, str, float, float]]:
    engine = make_engine(url)
    migrate(engine)
    runtime = Runtime(engine, REGISTRY)
    caller = Caller("slack", "T1", "U1", channel_ref="C1")
    runtime.command(caller, "/req", "add warm-up")
    timings: dict[tuple[str, bool], list[float]] = {(c, o): [] for c in ("add", "list") for o in (False, True)}
    for i in range(requests):
        for command in ("add", "list"):
            for claimed in (i % 2 == 0, i % 2 == 1):  # alternate which goes first
                text = f"add bench {i}" if command == "add" else "list"
                once = request_key("command", uuid.uuid4().hex) if claimed else None
                started = time.perf_counter()
                runtime.command(caller, "/req", text, once=once)
                timings[(command, claimed)].append(time.perf_counter() - started)
    engine.dispose()
    return [
        (command, "with claim" if claimed else "no claim", statistics.median(t) * 1000, percentile(t, 0.99) * 1000)
        for (command, claimed), t in timings.items()
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    print(f"{'backend':8} {'command':8} {'':10} {'p50 ms':>8} {'p99 ms':>8}")
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        with tempfile.TemporaryDirectory(prefix="tradewind-claim-bench-") as tmp:
            if backend == "sqlite":
                url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            else:
                import psycopg

                name = f"tradewind_claim_bench_{uuid.uuid4().hex[:8]}"
                with psycopg.connect(args.pg_url, autocommit=True) as conn:
                    conn.execute(f"CREATE DATABASE {name}")
                url = (
                    make_url(args.pg_url)
                    .set(drivername="postgresql+psycopg", database=name)
                    .render_as_string(hide_password=False)
                )
            try:
                for command, label, p50, p99 in measure(url, args.requests):
                    print(f"{backend:8} {command:8} {label:10} {p50:8.2f} {p99:8.2f}")
            finally:
                if backend == "postgres":
                    with psycopg.connect(args.pg_url, autocommit=True) as conn:
                        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
