"""Time the economics commands in process: runtime (one transaction), handler and Block Kit drawing, as the
Slack front end runs them before it acks. No HTTP: bench_slack.py measures that layer.

    python bench/bench_economics.py [--backends sqlite,postgres] [--repeat 300]

The workspace holds 40 SKUs with 12 market lanes each, 30 suppliers with scorecards, and a requirement
with a launch check half done.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.db import make_engine
from bot.migrate import migrate
from bot.render.slack import SlackRenderer
from bot.render.viewer import Viewer
from bot.runtime import Caller, Runtime
from handlers import REGISTRY

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
MARKETS = ["DE", "FR", "IT", "ES", "NL", "BE", "AT", "IE", "GB", "JP", "SG", "US"]
CALLER = Caller(platform="slack", team_ref="T1", user_ref="U1", channel_ref="C1")
COMMANDS = [
    ("cost", "show SKU-7"),
    ("cost", "what-if SKU-7 fx=-5% duty=+10pt freight=+30%"),
    ("cost", "price SKU-7 market=DE margin=25%"),
    ("cost", "list"),
    ("pm", "fx"),
    ("supplier", "compare S1 S2 S3 S4 S5"),
    ("supplier", "show S3"),
    ("market", "check REQ-1 DE"),
    ("market", "show JP"),
]


def seed(runtime: Runtime) -> None:
    def run(root: str, text: str) -> None:
        outcome = runtime.command(CALLER, root, text)
        assert outcome.reply.kind not in ("usage", "message") or "added" in str(outcome.reply.data), (root, text)

    for pair, rate in (("EURCNY", "7.82"), ("USDCNY", "7.20"), ("GBPCNY", "9.10"), ("JPYCNY", "0.048")):
        run("pm", f"fx {pair} {rate}")
    run("pm", "fx SGDCNY 5.40")
    for n in range(40):
        run("cost", f"add SKU-{n} purchase={20 + n} currency=CNY weight=0.5kg dims=30x20x5cm")
        for market in MARKETS:
            run("cost", f"lane SKU-{n} market={market} channel=sea freight=1200/cbm duty=4.7% referral=15% price=24.99")
    for n in range(30):
        run("supplier", f"add S{n} city=Shenzhen")
        run("supplier", f"score S{n} quality=4 certification=3 capacity=5 lead_time=4 return_rate=3 service=4")
    runtime.command(CALLER, "req", "add launch market=DE")
    runtime.command(CALLER, "market", "check REQ-1 DE")


def measure(runtime: Runtime, root: str, text: str, repeat: int) -> tuple[float, float]:
    renderer = SlackRenderer()
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        outcome = runtime.command(CALLER, root, text)
        renderer.message(outcome.reply, Viewer("en", "UTC"))
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.99) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    for backend in args.backends.split(","):
        name = None
        if backend == "sqlite":
            url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
        else:
            name = f"tradewind_bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            url = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"
        engine = make_engine(url)
        try:
            migrate(engine)
            runtime = Runtime(engine, REGISTRY)
            seed(runtime)
            for root, text in COMMANDS:
                p50, p99 = measure(runtime, root, text, args.repeat)
                print(f"{backend:8} /{root} {text:50} p50 {p50:6.2f} ms  p99 {p99:6.2f} ms")
        finally:
            engine.dispose()
            if name:
                with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
