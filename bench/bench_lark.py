"""Time `tradewind serve` answering Lark: typed commands (message events) and card clicks.

Requests are encrypted and signed as Lark sends them (tests/support/lark_requests.py); the bot's Open
API calls land in the Lark-like server of the tests. The figure is the HTTP answer's latency, which is
what Lark's 3-second limit applies to (a click's answer carries the toast and the redrawn card).

    python bench/bench_lark.py [--requests 300] [--concurrency 1,8] [--database-url sqlite:///...]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.lark_api import APP_ID, APP_SECRET, FakeLark  # noqa: E402
from tests.lark.test_cli_lark import wait_healthy  # noqa: E402
from tests.support.lark_requests import (  # noqa: E402
    ENCRYPT_KEY,
    VERIFICATION_TOKEN,
    LarkSender,
    LarkUser,
    button,
)
from tests.test_cli import free_port  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed(send: object) -> float:
    started = time.perf_counter()
    response = send()  # type: ignore[operator]
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"HTTP {response.status_code}: {response.text}")
    return elapsed


def run(url: str, fake: FakeLark, requests: int, concurrency: int) -> dict[str, tuple[float, float, float]]:
    senders = [LarkSender(url, fake) for _ in range(concurrency)]
    users = [LarkUser(open_id=f"ou_bench_{i}", chat=f"oc_bench_{i}") for i in range(concurrency)]
    before = len(fake.calls_to("im.message.create", "im.message.reply"))
    with ThreadPoolExecutor(concurrency) as pool:
        adds = list(
            pool.map(
                lambda i: timed(
                    lambda: senders[i % concurrency].message(
                        f"/req add bench {i} market=DE", who=users[i % concurrency]
                    )
                ),
                range(requests),
            )
        )
    posted = fake.sent(count=before + requests, timeout=120)[before:]
    cards = [p.card for p in posted]
    with ThreadPoolExecutor(concurrency) as pool:
        clicks = list(
            pool.map(
                lambda i: timed(
                    lambda: senders[i % concurrency].click(button(cards[i], "评估"), who=users[i % concurrency])
                ),
                range(requests),
            )
        )
    for sender in senders:
        sender.close()
    return {
        "message /req add": (statistics.median(adds), percentile(adds, 0.99), max(adds)),
        "card click (toast + card)": (statistics.median(clicks), percentile(clicks, 0.99), max(clicks)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", default="1,8")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    fake = FakeLark()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = os.environ | {
            "DATABASE_URL": args.database_url or f"sqlite:///{tmp}/bench.db",
            "LARK_APP_ID": APP_ID,
            "LARK_APP_SECRET": APP_SECRET,
            "LARK_VERIFICATION_TOKEN": VERIFICATION_TOKEN,
            "LARK_ENCRYPT_KEY": ENCRYPT_KEY,
            "LARK_DOMAIN": fake.domain,
            "LOG_LEVEL": "WARNING",
        }
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_healthy(url, proc)
            print(f"{'path':28} {'conc':>4} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
            for level in (int(c) for c in args.concurrency.split(",")):
                for path, (p50, p99, worst) in run(url, fake, args.requests, level).items():
                    print(f"{path:28} {level:>4} {p50:8.1f} {p99:8.1f} {worst:8.1f}")
        finally:
            proc.terminate()
            proc.wait(timeout=10)
            fake.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
