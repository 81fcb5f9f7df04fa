"""`tradewind`: the console when no chat credentials are set, otherwise the chosen server."""

from __future__ import annotations

import argparse
import gc
import getpass
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from bot.db import make_engine
from bot.migrate import migrate
from bot.runtime import Runtime
from bot.settings import Settings
from handlers import REGISTRY

log = logging.getLogger("tradewind")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    settings = Settings()
    command = args.command or ("serve" if settings.slack_enabled or settings.lark_enabled else "console")
    quiet = command == "console" and "LOG_LEVEL" not in os.environ
    _configure_logging("WARNING" if quiet else settings.log_level)
    if command == "migrate":
        migrate(make_engine(settings.database_url))
        return 0
    if command == "serve" and (workers := args.workers or settings.web_concurrency) > 1:
        return _serve_workers(settings, args, workers)
    runtime = _runtime(settings)
    if command == "console":
        return _console(runtime, args)
    if command == "serve":
        return _serve(settings, runtime, args)
    if command == "socket":
        return _socket(settings, runtime)
    if command == "scheduler":
        return _scheduler(settings, runtime)
    if command == "lark-ws":
        return _lark_ws(settings, runtime)
    if command == "worker":
        return _worker(settings, runtime)
    parser.error(f"unknown command {command}")
    return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tradewind", description=__doc__)
    parser.set_defaults(demo=False, user=None, port=None, host=None, workers=None)  # for a bare `tradewind`
    sub = parser.add_subparsers(dest="command")
    console = sub.add_parser("console", help="a local chat in this terminal (no network)")
    console.add_argument("--demo", action="store_true", help="fill it with a sample seller's backlog first")
    console.add_argument("--user", default=None, help="who you are in the console (default: your login)")
    serve = sub.add_parser("serve", help="answer Slack at /slack/events and Lark at /lark/events over HTTP")
    serve.add_argument("--port", type=int, default=None, help="default: $PORT or 3000")
    serve.add_argument("--host", default=None)
    serve.add_argument(
        "--workers", type=_positive, default=None, help="processes on one socket (default: $WEB_CONCURRENCY or 1)"
    )
    sub.add_parser("socket", help="answer Slack over Socket Mode (needs SLACK_APP_TOKEN)")
    sub.add_parser("scheduler", help="the clock: scheduled digests and periodic jobs, or their jobs for the workers")
    sub.add_parser("lark-ws", help="answer Lark over its long connection (needs LARK_APP_ID, LARK_APP_SECRET)")
    sub.add_parser("worker", help="deliver the outbox: posts, DMs, updates, uploads (run one or more)")
    sub.add_parser("migrate", help="bring the database schema up to date and exit")
    return parser


def _runtime(settings: Settings) -> Runtime:
    engine = make_engine(settings.database_url, background_checkpoints=True)
    migrate(engine)
    return Runtime(engine, REGISTRY, default_lang=settings.default_lang, default_tz=settings.default_tz)


def _console(runtime: Runtime, args: argparse.Namespace) -> int:
    from bot.console.demo import DEMO_TEAM, DEMO_USER, DemoRefused, seed_demo
    from bot.console.repl import CONSOLE_TEAM, Console
    from bot.render.text import TextRenderer
    from bot.render.viewer import Viewer

    user = args.user or os.environ.get("TRADEWIND_USER") or _login()
    team = CONSOLE_TEAM
    if args.demo:
        say = TextRenderer().t
        viewer = Viewer(runtime.default_lang, runtime.default_tz)
        user, team = args.user or DEMO_USER, DEMO_TEAM
        try:
            key = "console.demo.loaded" if seed_demo(runtime) else "console.demo.opened"
        except DemoRefused as refused:
            print(say(viewer, "console.demo.refused", line=refused.line, answer=refused.answer), file=sys.stderr)
            return 1
        print(say(viewer, key, user=user), file=sys.stderr)
    Console(runtime, user=user, team=team, interactive=sys.stdin.isatty()).run()
    return 0


def _serve(settings: Settings, runtime: Runtime, args: argparse.Namespace) -> int:
    import uvicorn

    from bot.web import create_app

    _warn_without_credentials(settings)
    app = create_app(settings, runtime)
    port = args.port if args.port is not None else settings.port
    _settle_heap()
    uvicorn.run(
        app,
        host=args.host or settings.host,
        port=port,
        log_level=settings.log_level.lower(),
        access_log=False,
    )
    return 0


def _serve_workers(settings: Settings, args: argparse.Namespace, workers: int) -> int:
    """N uvicorn processes accepting on one socket bound here; each builds its own app (and database pool)
    in `worker_app`. The schema is brought up to date once, before any of them starts."""
    import uvicorn

    engine = make_engine(settings.database_url)
    migrate(engine)
    engine.dispose()
    _warn_without_credentials(settings)
    if settings.is_sqlite:
        log.warning("%d workers on one SQLite file take turns at every write: use PostgreSQL for them", workers)
    uvicorn.run(
        "bot.cli:worker_app",
        factory=True,
        workers=workers,
        host=args.host or settings.host,
        port=args.port if args.port is not None else settings.port,
        log_level=settings.log_level.lower(),
        access_log=False,
    )
    return 0


def worker_app() -> Any:
    """The app of one `tradewind serve --workers N` process (uvicorn calls this in each process it spawns)."""
    from bot.web import create_app

    settings = Settings()
    _configure_logging(settings.log_level)
    engine = make_engine(settings.database_url, background_checkpoints=True)
    runtime = Runtime(engine, REGISTRY, default_lang=settings.default_lang, default_tz=settings.default_tz)
    app = create_app(settings, runtime)
    _settle_heap()
    return app


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s",
        stream=sys.stderr,
    )


def _warn_without_credentials(settings: Settings) -> None:
    if not (settings.slack_enabled or settings.lark_enabled):
        log.warning(
            "neither SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET nor LARK_APP_ID + LARK_APP_SECRET + "
            "LARK_VERIFICATION_TOKEN are set: only /healthz will answer"
        )


def _socket(settings: Settings, runtime: Runtime) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.slack.app import build_app

    if not (settings.slack_app_token and settings.slack_ready):
        log.error("Socket Mode needs SLACK_APP_TOKEN (xapp-...) and SLACK_BOT_TOKEN (or SLACK_CLIENT_ID/SECRET)")
        return 2
    app = build_app(settings, runtime)
    app.middleware(_within_budget)  # over HTTP the dispatcher sets each request's budget (bot/dispatch.py)
    _settle_heap()
    SocketModeHandler(app, settings.slack_app_token).start()
    return 0


def _within_budget(next: Callable[[], object]) -> object:
    """A Bolt middleware: the request's database work inside its time budget (bot/deadline.py)."""
    from bot.deadline import request_deadline

    with request_deadline():
        return next()


def _scheduler(settings: Settings, runtime: Runtime) -> int:
    import signal
    import threading

    from bot.clock_jobs import ClockQueue
    from bot.delivery import Platforms
    from bot.scheduler import Scheduler

    platforms = Platforms.from_settings(settings, runtime.engine)
    if not platforms.names:
        log.error(
            "no chat platform is configured (SLACK_BOT_TOKEN, or LARK_APP_ID and LARK_APP_SECRET): "
            "the scheduler has nowhere to post"
        )
        return 2
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    clock = None if settings.is_sqlite or settings.delivery != "worker" else ClockQueue(runtime.engine)
    scheduler = Scheduler(
        runtime.engine,
        platforms,
        clock=clock,
        post_interval_s=settings.post_interval_s,
        workspace_interval_s=settings.workspace_post_interval_s,
    ).start()
    stop.wait()
    log.info("scheduler stopping; letting posts in progress finish")
    scheduler.shutdown(wait=True)
    return 0


def _worker(settings: Settings, runtime: Runtime) -> int:
    import signal
    import threading

    from bot.delivery import Platforms
    from bot.outbox import jobs
    from bot.outbox.loop import OutboxLoop
    from bot.outbox.worker import OutboxWorker

    platforms = Platforms.from_settings(settings, runtime.engine, outbox=True)
    if not platforms.names:
        log.error("no chat platform is configured: the worker has nowhere to post")
        return 2
    worker = OutboxWorker(
        runtime.engine,
        platforms,
        post_interval_s=settings.post_interval_s,
        workspace_interval_s=settings.workspace_post_interval_s,
        lease=timedelta(seconds=settings.outbox_lease_s),
        backoff_s=settings.outbox_backoff_s,
        requeue=None if settings.is_sqlite else jobs.defer_in,
    )
    if not settings.is_sqlite:
        return _procrastinate_worker(settings, runtime, worker)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    loop = OutboxLoop(worker, idle_s=0.5, health=runtime.health).start()
    log.info("outbox worker started for %s", ", ".join(sorted(platforms.names)))
    stop.wait()
    log.info("outbox worker stopping after the row in hand")
    loop.stop()
    return 0


def _procrastinate_worker(settings: Settings, runtime: Runtime, worker: Any) -> int:
    """A procrastinate worker on the outbox's queues: SIGTERM (or SIGINT) stops it taking jobs and lets
    the ones in hand finish."""
    import threading

    from bot import clock_jobs
    from bot.delivery import Platforms
    from bot.outbox import jobs
    from bot.outbox.taskqueue import make_app, sweep_now
    from bot.scheduler import Scheduler

    app = make_app(runtime.engine, worker, sweep_every_s=settings.outbox_sweep_s)
    # The clock's jobs (digests, reminders, feature jobs) run here too, through an unstarted Scheduler.
    clock = Scheduler(
        runtime.engine,
        Platforms.from_settings(settings, runtime.engine),
        clock=clock_jobs.ClockQueue(runtime.engine),
        post_interval_s=settings.post_interval_s,
        workspace_interval_s=settings.workspace_post_interval_s,
    )
    clock_jobs.register(app, clock)
    stop = threading.Event()
    clock_jobs.heartbeat(clock, stop)
    sweep_now(runtime.engine)
    names = sorted(worker.platforms.names)
    log.info("worker (procrastinate, %d at once) started for %s", settings.worker_concurrency, ", ".join(names))
    try:
        app.run_worker(
            queues=[*jobs.queues(names), clock_jobs.QUEUE],
            concurrency=settings.worker_concurrency,
            delete_jobs="successful",
            install_signal_handlers=True,
        )
    finally:
        stop.set()
    log.info("worker stopped")
    return 0


def _lark_ws(settings: Settings, runtime: Runtime) -> int:
    if not settings.lark_app_ready:
        log.error("the Lark long connection needs LARK_APP_ID and LARK_APP_SECRET")
        return 2
    from bot.lark.ws import run  # lark_oapi takes seconds to import: only when it is needed

    run(settings, runtime)
    return 0


def _settle_heap() -> None:
    """Everything loaded so far lives as long as the process: keep it out of the collector's full
    passes, which otherwise stall every request queued behind one (they were the p99 of /req add)."""
    gc.collect()
    gc.freeze()


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "me"


if __name__ == "__main__":
    raise SystemExit(main())
