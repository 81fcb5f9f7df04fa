"""How fast `tradewind serve` answers a signed `/exp status EXP-1` for a big experiment.

The experiment has 3 arms × 10 markets × 90 days of daily rows (2,700 rows, seeded through the real
handlers), on SQLite and on PostgreSQL. The chart that follows each status is drawn and uploaded after
the ack, to a local Slack-like API, and is not part of the measured time. Goal: p99 under 300 ms.

    python bench/bench_exp_status.py [--backends sqlite,postgres] [--requests 1000] [--concurrency 1,8]
                                     [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_slack import (  # the repository root is put on the path above
    HOST,
    SECRET,
    admin_sql,
    analyze,
    fire,
    percentile,
    start_server,
    stop_server,
    with_database,
)

ARMS = ("control", "B", "C")
MARKETS = ("US", "CA", "GB", "DE", "FR", "IT", "ES", "JP", "SG", "AU")
DAYS = 90
GOAL_P99_MS = 300.0
USERS = ["U000", "U001", "U002", "U003"]


class FakeSlackApi(BaseHTTPRequestHandler):
    """Answers what the bot calls after a status: auth.test at start, then the three steps of a file upload."""

    calls: dict[str, int] = {}  # noqa: RUF012  (counted under the GIL by the request threads)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        method = "upload" if self.path.startswith("/upload/") else self.path.rstrip("/").rsplit("/", 1)[-1]
        FakeSlackApi.calls[method] = FakeSlackApi.calls.get(method, 0) + 1
        port = self.server.server_address[1]
        answers = {
            "auth.test": {
                "ok": True,
                "team_id": "T1",
                "user_id": "UBOT",
                "bot_id": "B1",
                "url": "https://x.slack.com/",
            },
            "files.getUploadURLExternal": {
                "ok": True,
                "upload_url": f"http://{HOST}:{port}/upload/F1",
                "file_id": "F1",
            },
            "files.completeUploadExternal": {"ok": True, "files": [{"id": "F1"}]},
        }
        payload = json.dumps(answers.get(method, {"ok": True})).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        pass


def seed(database_url: str) -> int:
    """The experiment and its daily rows, written by the real handlers and models; returns the row count."""
    from bot.db import make_engine, session_scope
    from bot.migrate import migrate
    from bot.runtime import Caller, Runtime
    from handlers import REGISTRY
    from models.experiments import experiment as exp_model
    from models.experiments import result as experiment_result
    from models.experiments.result import DailyRow

    engine = make_engine(database_url)
    migrate(engine)
    runtime = Runtime(engine, REGISTRY)
    caller = Caller(platform="slack", team_ref="T1", user_ref=USERS[0], channel_ref="C1")
    outcome = runtime.command(caller, "/exp", "add Title test metric=conversion baseline=3% mde=5% variants=3")
    assert outcome.reply.kind == "silent", outcome.reply
    start = date(2026, 1, 1)
    rows = [
        DailyRow(start + timedelta(days=d), arm, market, 400 + 7 * m + d % 5, 12 + (d + m + a) % 4)
        for d in range(DAYS)
        for m, market in enumerate(MARKETS)
        for a, arm in enumerate(ARMS)
    ]
    with session_scope(engine) as db:
        item = exp_model.get_by_number(db=db, workspace_id=outcome.actor.workspace_id, number=1)  # type: ignore[union-attr]
        assert item is not None
        experiment_result.import_daily(db=db, item=item, actor_id=outcome.actor.member_id, rows=rows, source="seed")  # type: ignore[union-attr]
    engine.dispose()
    return len(rows)


def signed(port: int, count: int, response_url: str) -> list[bytes]:
    verifier = SignatureVerifier(SECRET)
    timestamp = str(int(time.time()))
    out = []
    for i in range(count):
        user = USERS[i % len(USERS)]
        body = urlencode(
            {
                "token": "bench",
                "team_id": "T1",
                "team_domain": "bench",
                "channel_id": "C1",
                "channel_name": "product",
                "user_id": user,
                "user_name": user.lower(),
                "command": "/exp",
                "text": "status EXP-1",
                "api_app_id": "A1",
                "response_url": f"{response_url}commands/T1/{i}",
                "trigger_id": f"{i}.{time.time_ns()}.bench",
            }
        )
        signature = verifier.generate_signature(timestamp=timestamp, body=body)
        head = (
            f"POST /slack/events HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body.encode())}\r\n"
            f"X-Slack-Request-Timestamp: {timestamp}\r\nX-Slack-Signature: {signature}\r\n\r\n"
        )
        out.append(head.encode() + body.encode())
    return out


def run(backend: str, database_url: str, api_url: str, args: argparse.Namespace, logs: Path) -> list[dict[str, object]]:
    rows = seed(database_url)
    if backend == "postgres":
        analyze(database_url)
    print(f"  {backend}: seeded {rows} daily rows", file=sys.stderr)
    proc, port = start_server("tradewind", database_url, api_url, logs / f"{backend}.log")
    results = []
    try:
        asyncio.run(fire(port, signed(port, args.warmup, api_url), 1))
        for level in args.concurrency:
            wall, latencies, failures = asyncio.run(fire(port, signed(port, args.requests, api_url), level))
            latencies.sort()
            for failure in sorted(set(failures))[:3]:
                print(f"  ! {backend} c={level}: {failure}", file=sys.stderr)
            results.append(
                {
                    "backend": backend,
                    "concurrency": level,
                    "requests": len(latencies),
                    "failures": len(failures),
                    "rps": round(len(latencies) / wall, 1),
                    "p50_ms": round(percentile(latencies, 0.50) * 1000, 2),
                    "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
                    "max_ms": round(latencies[-1] * 1000, 2) if latencies else None,
                }
            )
            print(f"  {backend:8} c={level:<3} {results[-1]['rps']:8} req/s", file=sys.stderr)
        time.sleep(1.0)  # let the charts of the last requests finish before the server stops
    finally:
        stop_server(proc)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--requests", type=int, default=1000, help="timed requests per concurrency level")
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--concurrency", default="1,8")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    args.concurrency = [int(c) for c in args.concurrency.split(",")]
    server = ThreadingHTTPServer((HOST, 0), FakeSlackApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    api_url = f"http://{HOST}:{server.server_address[1]}/api/"
    results: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="tradewind-bench-exp-") as tmp:
        logs = Path(tmp)
        for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
            if backend == "sqlite":
                results += run(backend, f"sqlite:///{logs / 'bench.db'}", api_url, args, logs)
                continue
            try:
                admin_sql(args.pg_url, "DROP DATABASE IF EXISTS tradewind_bench_exp WITH (FORCE)")
                admin_sql(args.pg_url, "CREATE DATABASE tradewind_bench_exp")
            except Exception as err:
                print(f"  skipping PostgreSQL: {args.pg_url} is unreachable ({err})", file=sys.stderr)
                continue
            try:
                results += run(backend, with_database(args.pg_url, "tradewind_bench_exp"), api_url, args, logs)
            finally:
                admin_sql(args.pg_url, "DROP DATABASE IF EXISTS tradewind_bench_exp WITH (FORCE)")
        for log in sorted(logs.glob("*.log")):
            problems = [line for line in log.read_text(errors="replace").splitlines() if "ERROR" in line]
            if problems:
                print(f"  {log.name}: {len(problems)} error lines, first: {problems[0][:200]}", file=sys.stderr)
    server.shutdown()
    print(f"\n{'backend':8} {'conc':>4} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'fail':>5}", end="")
    print(f"  goal p99 < {GOAL_P99_MS:g} ms")
    for r in results:
        ok = r["failures"] == 0 and float(r["p99_ms"]) < GOAL_P99_MS  # type: ignore[arg-type]
        print(
            f"{r['backend']:8} {r['concurrency']:>4} {r['rps']:>8} {r['p50_ms']:>8} {r['p99_ms']:>8} {r['max_ms']:>8}"
            f" {r['failures']:>5}  {'PASS' if ok else 'FAIL'}"
        )
    print(f"\nfake Slack API calls: {dict(sorted(FakeSlackApi.calls.items()))}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
