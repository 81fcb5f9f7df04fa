"""How to keep one slow request from holding up the others: three ways to run Bolt, compared roughly.

- `loop`: the sync `App` under Bolt's Starlette adapter, which calls `App.dispatch` inside `async def`
  (how Tradewind ran before; every request waits for the one in front).
- `pool`: the sync `App`, dispatched on 4 threads off the loop (bot/dispatch.py, as Tradewind runs now).
- `async`: `AsyncApp` under its async adapter; the listener's sync database work runs on 4 threads
  (`run_in_executor`), since the handlers and the queries below them are synchronous.

Each request does one INSERT and acks; a request with the text `stall` sleeps 2 s instead, standing in for a
request that waits on a stalled database. Per server: c=32 without a stall, then c=32 with one stalled
request in flight. Needs aiohttp for `AsyncApp` (`pip install aiohttp`).

    python bench/bench_dispatch.py [--requests 2000] [--database-url sqlite:///...|postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

import bench_slack as slack  # the same signed requests, client and fake Web API

STALL_S = 2.0
WORKERS = 4
SERVERS = ("loop", "pool", "async")


def serve(kind: str, port: int) -> None:
    from concurrent.futures import ThreadPoolExecutor

    import uvicorn
    from sqlalchemy import Column, Integer, MetaData, String, Table, insert
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from bot.db import make_engine
    from bot.settings import Settings

    settings = Settings()
    engine = make_engine(settings.database_url)
    table = Table("bench_dispatch", MetaData(), Column("id", Integer, primary_key=True), Column("text", String(400)))
    table.metadata.create_all(engine)

    def work(text: str) -> None:
        if text == "stall":
            time.sleep(STALL_S)
            return
        with engine.begin() as conn:
            conn.execute(insert(table).values(text=text))

    if kind == "async":
        from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
        from slack_bolt.async_app import AsyncApp, AsyncBoltContext
        from slack_sdk.web.async_client import AsyncWebClient

        threads = ThreadPoolExecutor(WORKERS)
        client = AsyncWebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url)
        bolt = AsyncApp(client=client, signing_secret=settings.slack_signing_secret, process_before_response=True)

        @bolt.command("/req")
        async def on_command(ack: object, body: dict[str, str], context: AsyncBoltContext) -> None:
            await asyncio.get_running_loop().run_in_executor(threads, work, body["text"])
            await ack()  # type: ignore[operator]

        handler = AsyncSlackRequestHandler(bolt)

        async def events(request: Request) -> object:
            return await handler.handle(request)

    else:
        from slack_bolt import Ack, App
        from slack_bolt.adapter.starlette import SlackRequestHandler
        from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
        from slack_sdk import WebClient

        from bot.dispatch import Dispatcher

        client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url)
        sync_bolt = App(client=client, signing_secret=settings.slack_signing_secret, process_before_response=True)

        @sync_bolt.command("/req")
        def on_sync_command(ack: Ack, body: dict[str, str]) -> None:
            work(body["text"])
            ack()

        if kind == "loop":
            sync_handler = SlackRequestHandler(sync_bolt)

            async def events(request: Request) -> object:
                return await sync_handler.handle(request)

        else:
            dispatcher = Dispatcher(WORKERS)

            async def events(request: Request) -> object:
                started = time.monotonic()
                body = await request.body()
                answer = await dispatcher.run(sync_bolt.dispatch, to_bolt_request(request, body), started=started)
                return to_starlette_response(answer)

    async def healthz(_request: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    routes = [Route("/slack/events", events, methods=["POST"]), Route("/healthz", healthz)]
    uvicorn.run(Starlette(routes=routes), host=slack.HOST, port=port, log_level="warning", access_log=False)


def start(kind: str, database_url: str, api_url: str, log: Path) -> tuple[object, int]:
    import os
    import subprocess
    import urllib.request

    port = slack.free_port()
    env = os.environ | {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": slack.SECRET,
        "SLACK_API_URL": api_url,
    }
    argv = [sys.executable, str(Path(__file__).resolve()), "--serve", kind, "--port", str(port)]
    with log.open("ab") as out:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
    stop = time.monotonic() + 30
    while time.monotonic() < stop:
        try:
            with urllib.request.urlopen(f"http://{slack.HOST}:{port}/healthz", timeout=1):
                return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{kind} did not start; see {log}")


async def with_one_stalled(port: int, requests: list[bytes], stalled: bytes) -> tuple[float, list[float], list[str]]:
    stall = asyncio.create_task(slack.fire(port, [stalled], 1))
    await asyncio.sleep(0.05)  # the stalled request is in
    result = await slack.fire(port, requests, 32)
    await stall
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--serve", choices=SERVERS, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port)
        return 0
    fake, api_url = slack.start_fake_slack()
    print(f"{'server':6} {'stall':>5} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'fail':>5}")
    with tempfile.TemporaryDirectory(prefix="tradewind-dispatch-") as tmp:
        database_url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        for kind in SERVERS:
            proc, port = start(kind, database_url, api_url, Path(tmp) / f"{kind}.log")
            try:
                texts = [f"item {i}" for i in range(args.requests)]
                asyncio.run(slack.fire(port, slack.signed_requests(port, texts[:200], api_url), 32))
                for stalled in (False, True):
                    requests = slack.signed_requests(port, texts, api_url)
                    if stalled:
                        stall = slack.signed_requests(port, ["stall"], api_url)[0]
                        wall, latencies, failures = asyncio.run(with_one_stalled(port, requests, stall))
                    else:
                        wall, latencies, failures = asyncio.run(slack.fire(port, requests, 32))
                    latencies.sort()
                    p50, p99 = slack.percentile(latencies, 0.5) * 1000, slack.percentile(latencies, 0.99) * 1000
                    print(f"{kind:6} {'yes' if stalled else 'no':>5} {len(latencies) / wall:>7.0f}", end="")
                    print(f" {p50:>8.1f} {p99:>8.1f} {len(failures):>5}")
            finally:
                slack.stop_server(proc)  # type: ignore[arg-type]
    fake.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
