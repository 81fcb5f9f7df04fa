"""Where a `tradewind serve` worker's time goes under `/req list` load, by package, sampled with py-spy.

Starts `tradewind serve` (the one on PATH, so `PATH=<tree>/.venv/bin:$PATH` picks a checkout) on a scratch
PostgreSQL database against the fake Slack, adds `--backlog` requirements, then records the server with
`py-spy record --format raw` while signed `/req list` requests run at `--concurrency`, and sums the
samples by the package of the innermost frame (self time). `--gil` samples only while the server holds
the GIL (its Python CPU time); without it, waiting on PostgreSQL counts too. Needs `pip install py-spy`.

    python bench/bench_profile.py [--seconds 12] [--backlog 300] [--concurrency 8] [--gil] [--raw out.txt]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_slack as base

ROOT = Path(__file__).resolve().parent.parent
STDLIB = {"threading", "contextlib", "weakref", "selectors", "socket", "functools", "dataclasses", "typing", "enum"}


def package_of(frame: str) -> str:
    """The package of one py-spy raw frame, `function (path:line)`."""
    found = re.search(r"\((.*?)(?::\d+)?\)$", frame)
    path = found.group(1) if found else frame
    if "site-packages/" in path:
        path = path.split("site-packages/", 1)[1]
    elif str(ROOT) in path:
        path = path.split(str(ROOT) + "/", 1)[1]
    elif "/python3." in path:
        return "stdlib " + path.split("/python3.", 1)[1].split("/")[1].removesuffix(".py")
    if "/" not in path:
        name = path.removesuffix(".py")
        if (ROOT / "bot" / "render" / path).exists():
            return "bot"  # py-spy names the renderer's modules by file alone
        return f"stdlib {name}" if name in STDLIB else name
    return path.split("/")[0]


def by_package(raw: Path) -> collections.Counter[str]:
    totals: collections.Counter[str] = collections.Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack:
            totals[package_of(stack.split(";")[-1])] += int(count)
    return totals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=12)
    parser.add_argument("--backlog", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--gil", action="store_true", help="sample only while the server holds the GIL")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--raw", type=Path, default=None, help="keep py-spy's raw samples here")
    args = parser.parse_args()
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    name = "tradewind_bench_profile"
    base.admin_sql(args.pg_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    base.admin_sql(args.pg_url, f"CREATE DATABASE {name}")
    url = base.with_database(args.pg_url, name)
    _, api = base.start_fake_slack()
    with tempfile.TemporaryDirectory(prefix="tradewind-profile-") as tmp:
        raw = args.raw or Path(tmp) / "samples.txt"
        proc, port = base.start_server("tradewind", url, api, Path(tmp) / "server.log")
        try:
            adds = base.signed_requests(port, [f"add profiled {i} market=US" for i in range(args.backlog)], api)
            asyncio.run(base.fire(port, adds, 4))
            base.analyze(url)
            asyncio.run(base.fire(port, base.signed_requests(port, ["list"] * 300, api), args.concurrency))
            command = [spy, "record", "--pid", str(proc.pid), "--duration", str(args.seconds), "--rate", "200"]
            command += ["--format", "raw", "-o", str(raw), "--nonblocking", *(["--gil"] if args.gil else [])]
            recorder = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1)
            load = base.signed_requests(port, ["list"] * (args.seconds * 400), api)
            took, latencies, failures = asyncio.run(base.fire(port, load, args.concurrency))
            recorder.wait(timeout=60)
        finally:
            base.stop_server(proc)
            base.admin_sql(args.pg_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        totals = by_package(raw)
    every = sum(totals.values()) or 1
    print(f"{len(latencies)} /req list in {took:.1f} s ({len(latencies) / took:.0f} req/s), {len(failures)} failures")
    print(f"{every} samples{' holding the GIL' if args.gil else ''}, by package of the innermost frame:")
    for package, count in totals.most_common(20):
        print(f"  {package:28} {100 * count / every:5.1f} %")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
