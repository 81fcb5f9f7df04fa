"""Load-test `tradewind serve` with signed Slack slash commands, against two Bolt baselines.

Baselines run on the same stack (uvicorn + Starlette + Bolt's SlackRequestHandler, one worker,
process_before_response=True): `bare` only acks; `insert` does one INSERT into a table of its own, then acks.
`/req list` runs after `/req add`, so it pages a backlog of (warm-up + levels x requests) requirements.

    python bench/bench_slack.py [--backends sqlite,postgres] [--requests 2000] [--concurrency 1,8,32] [--json out.json]
                                [--workers 1,2] [--servers bare,insert,tradewind]

`--workers 1,2` measures `tradewind serve --workers N` for each N (reported as tradewind, tradewind×2, ...);
the goals are checked on one worker, like the baselines.

`--stall SECONDS` measures something else: the latency of other requests (c = the highest level) while
one request waits on a stalled database for SECONDS. PostgreSQL is reached through a TCP proxy
(tests/fakes/tcp_proxy.py) that freezes the one connection carrying another team's `/req add stall-me`;
SQLite is stalled by another process holding the write lock, which every request waits on.

    python bench/bench_slack.py --stall 5 [--backends sqlite,postgres] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import deque
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

SECRET = "bench-signing-secret-0123456789abcdef"
HOST = "127.0.0.1"
USERS = [f"U{n:03d}" for n in range(8)]
FIXED_FIELDS = (
    "token=bench-verification-token&team_id={team}&team_domain=bench&channel_id=C1&channel_name=product"
    "&command=%2Freq&api_app_id=A1"
)
STALL_MARK = "stall-me"
ERROR_MARKERS = (b"Something went wrong", b"temporarily unavailable", b"Usage: ")
GOAL_P50_C1_MS = 2.0
GOAL_P99_C32_MS = 50.0
GOAL_RATIO = 0.5


@dataclass
class Result:
    backend: str
    server: str
    command: str
    concurrency: int
    requests: int
    failures: int
    rps: float
    p50_ms: float
    p99_ms: float


class FakeSlackApi(BaseHTTPRequestHandler):
    calls: dict[str, int] = {}  # noqa: RUF012  (shared by every request thread, counted under the GIL)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        method = self.path.rstrip("/").rsplit("/", 1)[-1]
        FakeSlackApi.calls[method] = FakeSlackApi.calls.get(method, 0) + 1
        answer = {"ok": True}
        if method == "auth.test":
            answer = {"ok": True, "team_id": "T1", "user_id": "UBOT", "bot_id": "B1", "url": "https://x.slack.com/"}
        payload = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST

    def log_message(self, format: str, *args: object) -> None:
        pass


def start_fake_slack() -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer((HOST, 0), FakeSlackApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://{HOST}:{server.server_address[1]}/api/"


def serve_baseline(kind: str, port: int) -> None:
    import uvicorn
    from slack_bolt import Ack, App
    from slack_bolt.adapter.starlette import SlackRequestHandler
    from slack_sdk import WebClient
    from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, func, insert
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from bot.db import make_engine
    from bot.settings import Settings

    settings = Settings()
    client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url)
    bolt = App(client=client, signing_secret=settings.slack_signing_secret, process_before_response=True)
    if kind == "bare":

        @bolt.command("/req")
        def bare(ack: Ack) -> None:
            ack()

    else:
        engine = make_engine(settings.database_url)
        columns = [Column("id", Integer, primary_key=True), Column("user_id", String(32)), Column("text", String(400))]
        table = Table("bench_insert", MetaData(), *columns, Column("created_at", DateTime, server_default=func.now()))
        table.metadata.create_all(engine)

        @bolt.command("/req")
        def one_insert(ack: Ack, body: dict[str, str]) -> None:
            with engine.begin() as conn:
                conn.execute(insert(table).values(user_id=body["user_id"], text=body["text"]))
            ack()

    handler = SlackRequestHandler(bolt)

    async def events(request: Request) -> object:
        return await handler.handle(request)

    async def healthz(_request: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    routes = [Route("/slack/events", events, methods=["POST"]), Route("/healthz", healthz)]
    uvicorn.run(Starlette(routes=routes), host=HOST, port=port, log_level="warning", access_log=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(
    kind: str,
    database_url: str,
    api_url: str,
    log_path: Path,
    workers: int = 1,
    credentials: dict[str, str] | None = None,
) -> tuple[subprocess.Popen[bytes], int]:
    """Start a server, wait until it is healthy; `credentials` replace the one bot token (e.g. OAuth client keys)."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("SLACK_")}
    env |= {"DATABASE_URL": database_url, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": api_url}
    env |= {"LOG_LEVEL": "WARNING"}
    env |= credentials if credentials is not None else {"SLACK_BOT_TOKEN": "xoxb-bench"}
    if kind == "tradewind":
        argv = ["tradewind", "serve", "--host", HOST, "--port", str(port), "--workers", str(workers)]
    else:
        argv = [sys.executable, str(Path(__file__).resolve()), "--serve-baseline", kind, "--port", str(port)]
    with log_path.open("ab") as log:
        proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90  # several workers each import the whole bot
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{kind} server exited with {proc.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=1) as answer:
                if answer.status == 200:
                    return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{kind} server did not become healthy; see {log_path}")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def signed_requests(port: int, texts: list[str], response_url: str, *, team: str = "T1") -> list[bytes]:
    verifier = SignatureVerifier(SECRET)
    timestamp = str(int(time.time()))
    out = []
    for i, text in enumerate(texts):
        user = USERS[i % len(USERS)]
        fields = {"user_id": user, "user_name": user.lower(), "text": text, "trigger_id": f"{i}.{time.time_ns()}.bench"}
        fields["response_url"] = f"{response_url}commands/{team}/{i}"
        body = f"{FIXED_FIELDS.format(team=team)}&{urlencode(fields)}"
        signature = verifier.generate_signature(timestamp=timestamp, body=body)
        head = (
            f"POST /slack/events HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body.encode())}\r\n"
            f"X-Slack-Request-Timestamp: {timestamp}\r\nX-Slack-Signature: {signature}\r\n\r\n"
        )
        out.append(head.encode() + body.encode())
    return out


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length, keep_alive = 0, True
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection" and value.strip().lower() == b"close":
            keep_alive = False
        elif name == b"transfer-encoding":
            raise ValueError("chunked responses are not supported by this client")
    return status, await reader.readexactly(length), keep_alive


async def worker(port: int, queue: deque[bytes], latencies: list[float], failures: list[str]) -> None:
    reader, writer = await asyncio.open_connection(HOST, port)
    while queue:
        request = queue.popleft()
        started = time.perf_counter()
        try:
            writer.write(request)
            status, body, keep_alive = await read_response(reader)
            latencies.append(time.perf_counter() - started)
            if status != 200 or any(marker in body for marker in ERROR_MARKERS):
                failures.append(f"HTTP {status}: {body[:200]!r}")
        except (OSError, ValueError, asyncio.IncompleteReadError) as err:
            failures.append(f"{type(err).__name__}: {err}")
            keep_alive = False
        if not keep_alive:
            writer.close()
            reader, writer = await asyncio.open_connection(HOST, port)
    writer.close()


async def fire(port: int, requests: list[bytes], concurrency: int) -> tuple[float, list[float], list[str]]:
    queue, latencies, failures = deque(requests), [], []
    started = time.perf_counter()
    await asyncio.gather(*(worker(port, queue, latencies, failures) for _ in range(concurrency)))
    return time.perf_counter() - started, latencies, failures


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, max(0, round(q * len(sorted_values)) - 1))]


COMMANDS = {
    "add": lambda i: f"add Bench item {i} market=US,DE platform=amazon",
    "list": lambda _i: "list",
}


def measure(backend: str, server: str, command: str, port: int, api_url: str, args: argparse.Namespace) -> list[Result]:
    results = []
    warm = signed_requests(port, [COMMANDS[command](-i) for i in range(args.warmup)], api_url)
    asyncio.run(fire(port, warm, max(args.concurrency)))
    for level in args.concurrency:
        texts = [COMMANDS[command](level * 100_000 + i) for i in range(args.requests)]
        wall, latencies, failures = asyncio.run(fire(port, signed_requests(port, texts, api_url), level))
        latencies.sort()
        for failure in sorted(set(failures))[:3]:
            print(f"  ! {server} {command} c={level}: {failure}", file=sys.stderr)
        results.append(
            Result(backend, server, command, level, len(texts), len(failures), rps=len(latencies) / wall,
                   p50_ms=percentile(latencies, 0.50) * 1000, p99_ms=percentile(latencies, 0.99) * 1000)
        )  # fmt: skip
        print(f"  {backend:8} {server:10} /req {command:5} c={level:<3} {results[-1].rps:8.0f} req/s", file=sys.stderr)
    return results


def run_backend(backend: str, database_url: str, api_url: str, args: argparse.Namespace, logs: Path) -> list[Result]:
    results: list[Result] = []
    plan = [("bare", "bare", 1, ["list"]), ("insert", "insert", 1, ["add"])]
    plan += [("tradewind", server_name(n), n, ["add", "list"]) for n in args.workers]
    for kind, server, workers, commands in plan:
        if kind not in args.servers:
            continue
        proc, port = start_server(kind, database_url, api_url, logs / f"{backend}-{server}.log", workers)
        try:
            for command in commands:
                results += measure(backend, server, command, port, api_url, args)
                if backend == "postgres" and command == "add":
                    # Thousands of rows were just added in seconds; autovacuum would refresh the planner's
                    # statistics within a minute. Do it now so that /req list is measured in that steady state.
                    analyze(database_url)
        finally:
            stop_server(proc)
    return results


def server_name(workers: int) -> str:
    return "tradewind" if workers == 1 else f"tradewind×{workers}"


def analyze(database_url: str) -> None:
    import psycopg

    with psycopg.connect(database_url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("ANALYZE")


def with_database(pg_url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(pg_url).set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)


def admin_sql(pg_url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(pg_url.replace("+psycopg", ""), autocommit=True, connect_timeout=3) as conn:
        conn.execute(statement)  # type: ignore[arg-type]


def report(results: list[Result]) -> list[dict[str, object]]:
    print(f"\n{'backend':8} {'server':10} {'command':10} {'conc':>4} {'req/s':>8}", end="")
    print(f" {'p50 ms':>7} {'p99 ms':>7} {'fail':>5}")
    for r in results:
        print(
            f"{r.backend:8} {r.server:10} /req {r.command:5} {r.concurrency:>4} {r.rps:>8.0f}"
            f" {r.p50_ms:>7.2f} {r.p99_ms:>7.2f} {r.failures:>5}"
        )
    by_key = {(r.backend, r.server, r.command, r.concurrency): r for r in results}
    goals: list[dict[str, object]] = []

    def goal(backend: str, name: str, value: float, target: float, ok: bool) -> None:
        goals.append({"backend": backend, "goal": name, "value": round(value, 3), "target": target, "pass": ok})
        print(f"{backend:8} {name:42} {value:8.2f}  target {target:<6} {'PASS' if ok else 'FAIL'}")

    print("\nGoals")
    for backend in dict.fromkeys(r.backend for r in results):
        levels = sorted({r.concurrency for r in results if r.backend == backend})
        for command in ("list", "add"):
            if low := by_key.get((backend, "tradewind", command, 1)):
                goal(backend, f"/req {command} p50 ms at c=1", low.p50_ms, GOAL_P50_C1_MS, low.p50_ms < GOAL_P50_C1_MS)
            if high := by_key.get((backend, "tradewind", command, 32)):
                p99 = high.p99_ms
                goal(backend, f"/req {command} p99 ms at c=32", p99, GOAL_P99_C32_MS, p99 < GOAL_P99_C32_MS)
        for command, base in (("list", ("bare", "list")), ("add", ("insert", "add"))):
            for level in levels:
                ours, theirs = by_key.get((backend, "tradewind", command, level)), by_key.get((backend, *base, level))
                if ours and theirs:
                    ratio, name = ours.rps / theirs.rps, f"/req {command} / {base[0]} req/s at c={level}"
                    goal(backend, name, ratio, GOAL_RATIO, ratio >= GOAL_RATIO)
        for command in ("add", "list"):
            for level in levels:
                one = by_key.get((backend, "tradewind", command, level))
                for n in sorted({int(r.server.split("×")[1]) for r in results if "×" in r.server}):
                    if one and (more := by_key.get((backend, server_name(n), command, level))):
                        ratio = more.rps / one.rps
                        print(f"{backend:8} /req {command} req/s, {n} workers / 1 at c={level}: {ratio:.2f}")
        failures = sum(r.failures for r in results if r.backend == backend)
        goal(backend, "failed requests", failures, 0, failures == 0)
    return goals


@dataclass
class StallResult:
    backend: str
    command: str
    concurrency: int
    stall_s: float
    stalled_answer: str  # what the stalled request was told, and when
    stalled_ms: float
    stored_stalled: int  # rows of the stalled request found afterwards (0: nothing half-done landed)
    others: int
    others_failed: int
    others_p50_ms: float
    others_p99_ms: float
    others_max_ms: float
    health_max_ms: float
    calm_p99_ms: float  # the same load with nothing stalled


async def timed_request(port: int, request: bytes, timeout: float) -> tuple[float, bytes | None]:
    started = time.perf_counter()
    try:
        reader, writer = await asyncio.open_connection(HOST, port)
        writer.write(request)
        _status, body, _keep = await asyncio.wait_for(read_response(reader), timeout)
        writer.close()
    except (OSError, ValueError, asyncio.IncompleteReadError, TimeoutError):
        return time.perf_counter() - started, None
    return time.perf_counter() - started, body


async def poll_health(port: int, until: float, out: list[float]) -> None:
    request = f"GET /healthz HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n".encode()
    while time.perf_counter() < until:
        elapsed, _body = await timed_request(port, request, 30)
        out.append(elapsed)
        await asyncio.sleep(0.1)


async def others_during(port: int, requests: list[bytes], concurrency: int, seconds: float) -> tuple[list[float], int]:
    """Keep `concurrency` workers sending `requests` for `seconds`; their latencies and failures."""
    until = time.perf_counter() + seconds
    latencies: list[float] = []
    failures: list[str] = []
    queue = deque(requests)

    async def one_worker() -> None:
        reader, writer = await asyncio.open_connection(HOST, port)
        while queue and time.perf_counter() < until:
            request = queue.popleft()
            started = time.perf_counter()
            try:
                writer.write(request)
                status, body, keep_alive = await read_response(reader)
            except (OSError, ValueError, asyncio.IncompleteReadError) as err:
                failures.append(str(err))
                reader, writer = await asyncio.open_connection(HOST, port)
                continue
            latencies.append(time.perf_counter() - started)
            if status != 200 or any(marker in body for marker in ERROR_MARKERS):
                failures.append(f"HTTP {status}: {body[:120]!r}")
            if not keep_alive:
                writer.close()
                reader, writer = await asyncio.open_connection(HOST, port)
        writer.close()

    await asyncio.gather(*(one_worker() for _ in range(concurrency)))
    return latencies, len(failures)


def answer_kind(body: bytes | None) -> str:
    if body is None:
        return "no answer"
    if b"temporarily unavailable" in body:
        return "unavailable"
    return "logged" if b"logged." in body else body[:60].decode(errors="replace")


def measure_stall(
    backend: str, database_url: str, api_url: str, args: argparse.Namespace, logs: Path
) -> list[StallResult]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from tests.fakes.tcp_proxy import TcpProxy

    level = max(args.concurrency)
    proxy = None
    serve_url = database_url
    if backend == "postgres":
        url = make_url(database_url)
        proxy = TcpProxy(url.host or HOST, url.port or 5432)
        serve_url = url.set(host=HOST, port=proxy.port).render_as_string(hide_password=False)
    results = []
    proc, port = start_server("tradewind", serve_url, api_url, logs / f"{backend}-stall.log")
    direct = create_engine(database_url)
    try:
        for command in ("add", "list"):
            warm = [COMMANDS[command](-i) for i in range(args.warmup)]
            asyncio.run(fire(port, signed_requests(port, warm, api_url), level))
            asyncio.run(fire(port, signed_requests(port, ["add warm-up"], api_url, team="T2"), 1))
            stalled_text = f"add {STALL_MARK} {command}"
            stalled = signed_requests(port, [stalled_text], api_url, team="T2")[0]
            others = signed_requests(port, [COMMANDS[command](900_000 + i) for i in range(100_000)], api_url)

            async def scenario(stalled: bytes = stalled, others: list[bytes] = others) -> tuple[Any, ...]:
                health: list[float] = []
                if proxy is not None:
                    proxy.stall_on(STALL_MARK.encode())
                    holder = None
                else:
                    holder = sqlite3.connect(make_url(database_url).database, isolation_level=None)
                    holder.execute("BEGIN IMMEDIATE")
                started = time.perf_counter()
                stalled_task = asyncio.create_task(timed_request(port, stalled, args.stall + 10))
                while proxy is not None and not proxy.frozen_links() and time.perf_counter() - started < 5:
                    await asyncio.sleep(0.005)

                def end_stall() -> None:
                    # The proxy delivers what it held; the other process lets go of the lock.
                    if proxy is not None:
                        proxy.up()
                    else:
                        holder.execute("ROLLBACK")
                        holder.close()

                # At a fixed time, whatever the server does meanwhile (a server that blocks on the stall
                # answers nobody until it ends).
                asyncio.get_running_loop().call_later(args.stall, end_stall)
                health_task = asyncio.create_task(poll_health(port, started + args.stall, health))
                latencies, failed = await others_during(port, others, level, args.stall - 0.1)
                stalled_ms, body = await stalled_task
                await health_task
                return stalled_ms, body, latencies, failed, health

            # The same load with nothing stalled, through the same proxy (each round trip to PostgreSQL
            # crosses it twice, which costs /req add, with its dozen statements, the most).
            calm, _failed = asyncio.run(others_during(port, others[50_000:], level, args.stall))
            calm.sort()
            stalled_s, body, latencies, failed, health = asyncio.run(scenario())
            time.sleep(0.5)  # anything delivered late has reached the server
            with direct.connect() as conn:
                query = text("SELECT count(*) FROM requirement WHERE title = :t")
                stored = conn.execute(query, {"t": stalled_text[4:]}).scalar_one()
            latencies.sort()
            results.append(
                StallResult(backend, command, level, args.stall, answer_kind(body), stalled_s * 1000, stored,
                            len(latencies), failed, percentile(latencies, 0.5) * 1000,
                            percentile(latencies, 0.99) * 1000, (latencies[-1] if latencies else 0) * 1000,
                            max(health, default=float("nan")) * 1000, percentile(calm, 0.99) * 1000)
            )  # fmt: skip
            r = results[-1]
            print(f"  {backend:8} stall /req {command:4} others p99 {r.others_p99_ms:8.1f} ms", file=sys.stderr)
    finally:
        stop_server(proc)
        direct.dispose()
        if proxy is not None:
            proxy.down()
    return results


def report_stall(results: list[StallResult]) -> None:
    print(f"\n{'backend':8} {'others':10} {'conc':>4} {'stall s':>7} {'stalled request':>22} {'stored':>6}", end="")
    print(f" {'others n':>8} {'failed':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'healthz max':>11}", end="")
    print(f" {'p99 no stall':>12}")
    for r in results:
        stalled = f"{r.stalled_answer} {r.stalled_ms / 1000:.2f} s"
        print(
            f"{r.backend:8} /req {r.command:5} {r.concurrency:>4} {r.stall_s:>7.1f} {stalled:>22} {r.stored_stalled:>6}"
            f" {r.others:>8} {r.others_failed:>6} {r.others_p50_ms:>8.1f} {r.others_p99_ms:>8.1f}"
            f" {r.others_max_ms:>8.1f} {r.health_max_ms:>9.1f} ms {r.calm_p99_ms:>9.1f} ms"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--requests", type=int, default=2000, help="timed requests per concurrency level")
    parser.add_argument("--warmup", type=int, default=200, help="untimed requests before each series")
    parser.add_argument("--concurrency", default="1,8,32")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument("--stall", type=float, default=0, help="measure others while one request stalls this long")
    parser.add_argument("--workers", default="1", help="worker counts of `tradewind serve` to measure, e.g. 1,2")
    parser.add_argument("--servers", default="bare,insert,tradewind", help="which servers to measure")
    parser.add_argument("--serve-baseline", choices=["bare", "insert"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_baseline:
        serve_baseline(args.serve_baseline, args.port)
        return 0
    args.concurrency = [int(c) for c in args.concurrency.split(",")]
    args.workers = [int(n) for n in args.workers.split(",")]
    args.servers = {name.strip() for name in args.servers.split(",")}
    fake, api_url = start_fake_slack()
    results: list[Result] = []
    stalls: list[StallResult] = []
    run = measure_stall if args.stall else run_backend
    with tempfile.TemporaryDirectory(prefix="tradewind-bench-") as tmp:
        logs = Path(tmp)
        for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
            print(f"== {backend}", file=sys.stderr)
            if backend == "sqlite":
                outcome = run(backend, f"sqlite:///{logs / 'bench.db'}", api_url, args, logs)
            elif backend == "postgres":
                try:
                    admin_sql(args.pg_url, "DROP DATABASE IF EXISTS tradewind_bench WITH (FORCE)")
                    admin_sql(args.pg_url, "CREATE DATABASE tradewind_bench")
                except Exception as err:
                    print(f"  skipping PostgreSQL: {args.pg_url} is unreachable ({err})", file=sys.stderr)
                    continue
                try:
                    outcome = run(backend, with_database(args.pg_url, "tradewind_bench"), api_url, args, logs)
                finally:
                    admin_sql(args.pg_url, "DROP DATABASE IF EXISTS tradewind_bench WITH (FORCE)")
            else:
                parser.error(f"unknown backend {backend}")
            if args.stall:
                stalls += outcome  # type: ignore[arg-type]
            else:
                results += outcome  # type: ignore[arg-type]
        for log in sorted(logs.glob("*.log")):
            lines = log.read_text(errors="replace").splitlines()
            if problems := [line for line in lines if "ERROR" in line or "Traceback" in line]:
                print(f"  {log.name}: {len(problems)} error lines, first: {problems[0][:200]}", file=sys.stderr)
    fake.shutdown()
    if args.stall:
        report_stall(stalls)
        if args.json:
            args.json.write_text(json.dumps({"stalls": [asdict(r) for r in stalls]}, indent=2))
        return 0
    goals = report(results)
    print(f"\nfake Slack API calls: {dict(sorted(FakeSlackApi.calls.items()))}")
    if args.json:
        args.json.write_text(json.dumps({"results": [asdict(r) for r in results], "goals": goals}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
