"""The HTTP server: Slack's events URL (commands, interactivity and events) and, when installed from the
install page, /slack/install and /slack/oauth_redirect; Lark's events URL (events and card callbacks),
a health check, and the endpoint that scripts push early-warning figures to."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from decimal import Decimal
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.db import session_scope
from bot.deadline import request_deadline
from bot.delivery import Platforms
from bot.dispatch import Dispatcher, workers_for
from bot.outage import is_outage
from bot.outbox import jobs
from bot.outbox.loop import OutboxLoop
from bot.outbox.sink import OutboxSink
from bot.outbox.worker import OutboxWorker
from bot.request_body import BodyLimit
from bot.runtime import Runtime
from bot.safe_json import NotJson, loads_object
from bot.settings import Settings
from bot.slack.app import build_app
from bot.slack.gate import SlackGate
from handlers.risks.indicators import BadFigure, push_with_token

log = logging.getLogger(__name__)

HEALTH_BUDGET_S = 1.0


def create_app(settings: Settings, runtime: Runtime) -> Starlette:
    platforms = Platforms.from_settings(settings, runtime.engine)
    loop = attach_outbox(settings, runtime)
    dispatcher = Dispatcher(workers_for(runtime.engine))
    routes = [
        Route("/healthz", _healthz(runtime), methods=["GET"]),
        Route("/api/figures", _figures(platforms, runtime, dispatcher), methods=["POST"]),
    ]
    lark_front = None
    if settings.slack_enabled:
        bolt = build_app(settings, runtime)
        gate = SlackGate(settings.slack_signing_secret or "")

        # What Bolt's Starlette adapter does, with the work on a dispatch thread instead of the loop.
        async def slack_events(request: Request) -> object:
            started = time.monotonic()
            body = await request.body()
            refusal = gate.check(body, request.headers)
            if refusal is not None:
                log.info("Slack request refused (%s %s)", refusal.status, refusal.error)
                return JSONResponse({"ok": False, "error": refusal.error}, status_code=refusal.status)
            answer = await dispatcher.run(bolt.dispatch, to_bolt_request(request, body), started=started)
            return to_starlette_response(answer)

        async def slack_oauth(request: Request) -> object:
            # A browser's visit, not a signed request: Bolt checks its state.
            started = time.monotonic()
            step = _oauth_step(bolt, request.url.path)
            if step is None:
                return Response(status_code=404, content="Not found")
            body = await request.body()
            answer = await dispatcher.run(step, to_bolt_request(request, body), started=started)
            return to_starlette_response(answer)

        routes.append(Route("/slack/events", slack_events, methods=["POST"]))
        if settings.slack_oauth:  # "Add to Slack": the install page and the redirect back from Slack
            routes.append(Route("/slack/install", slack_oauth, methods=["GET"]))
            routes.append(Route("/slack/oauth_redirect", slack_oauth, methods=["GET"]))
    if settings.lark_enabled:
        lark_events, lark_front = lark_endpoint(settings, runtime, platforms, dispatcher)
        routes.append(Route("/lark/events", lark_events, methods=["POST"]))

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        if loop is not None:
            loop.stop()
        dispatcher.shutdown()
        runtime.engine.dispose()

    app = Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(BodyLimit)])
    app.state.lark = lark_front  # the Lark front end, when enabled (tests reach it here)
    return app


def attach_outbox(settings: Settings, runtime: Runtime) -> OutboxLoop | None:
    """Durable effects go to the outbox; this process delivers it itself unless workers do
    (settings.delivery == "worker"). Returns the embedded loop, when there is one."""
    if runtime.outbox is not None:
        return runtime.outbox_loop
    if settings.delivery == "worker":
        on_queue = jobs.defer_in if runtime.engine.dialect.name == "postgresql" else None
        runtime.outbox = OutboxSink(runtime.engine, defer=on_queue)
        return None
    worker = OutboxWorker(
        runtime.engine,
        Platforms.from_settings(settings, runtime.engine, outbox=True),
        post_interval_s=settings.post_interval_s,
        workspace_interval_s=settings.workspace_post_interval_s,
        lease=timedelta(seconds=settings.outbox_lease_s),
        backoff_s=settings.outbox_backoff_s,
    )
    loop = OutboxLoop(worker, health=runtime.health).start()
    runtime.outbox, runtime.outbox_loop = OutboxSink(runtime.engine, loop.wake), loop
    return loop


def _oauth_step(bolt: App, path: str) -> Callable[[BoltRequest], BoltResponse] | None:
    flow = bolt.oauth_flow
    if flow is None:
        return None
    if path == flow.install_path:
        return flow.handle_installation
    if path == flow.redirect_uri_path:
        return flow.handle_callback
    return None


def lark_endpoint(
    settings: Settings, runtime: Runtime, platforms: Platforms, dispatcher: Dispatcher
) -> tuple[Any, Any]:
    """The /lark/events endpoint and the front end behind it, which speaks through the registry's Lark
    notifier (one Open API client and token for answers and deliveries alike)."""
    # Imported here: lark_oapi is large, and a Slack-only deployment never needs it.
    from bot.lark.app import build_front_end
    from bot.lark.http import LarkEndpoint
    from bot.lark.verification import LarkVerifier

    verifier = LarkVerifier(settings.lark_verification_token, settings.lark_encrypt_key)
    if not settings.lark_encrypt_key:
        log.warning("LARK_ENCRYPT_KEY is not set: Lark requests are checked by their token only (no signature)")
    front = build_front_end(settings, runtime, notifier=platforms.notifier("lark"))
    endpoint = LarkEndpoint(verifier, front, dispatcher)

    async def lark_events(request: Request) -> object:
        return await endpoint(request)

    return lark_events, front


def _healthz(runtime: Runtime):  # noqa: ANN202  (a Starlette endpoint)
    def healthz(_request: Request) -> JSONResponse:
        # A plain function: Starlette runs it on its own thread pool, apart from the dispatch threads,
        # so that it answers while requests wait on a stalled database.
        try:
            with request_deadline(HEALTH_BUDGET_S), runtime.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except (DBAPIError, PoolTimeout) as err:
            runtime.health.failed(err, "the health check")
            return JSONResponse({"ok": False, "database": "unreachable"}, status_code=503)
        runtime.health.ok()
        return JSONResponse({"ok": True, "database": "ok"})

    return healthz


FIGURES_BODY_MAX = 64 * 1024


def _figures(platforms: Platforms, runtime: Runtime, dispatcher: Dispatcher):  # noqa: ANN202  (a Starlette endpoint)
    """POST /api/figures with `Authorization: Bearer <token>` (from `/pm figure token`) and a JSON body
    `{"name": "fx.USDCNY", "value": 7.41}` or `{"figures": {"fx.USDCNY": 7.41, ...}}`. A wrong token is a
    401 and nothing is stored; alerts for crossed thresholds are sent after the answer, through the
    workspace's own platform (Slack or Lark)."""

    async def figures(request: Request) -> JSONResponse:
        auth = request.headers.get("authorization", "")
        token = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
        if not token:
            return _unauthorized()
        body = await request.body()
        if len(body) > FIGURES_BODY_MAX:
            return JSONResponse({"ok": False, "error": "too_large"}, status_code=413)
        try:
            raw = loads_object(body, parse_float=Decimal)
        except NotJson:
            raw = None  # refused as a bad body, once the token is known to be good

        def push() -> Any:
            with session_scope(runtime.engine) as db:
                return push_with_token(db, token, raw)

        try:
            result = await dispatcher.run(push)
        except BadFigure as err:
            return JSONResponse({"ok": False, "error": f"bad_{err.problem}", "figure": err.name}, status_code=400)
        except (DBAPIError, PoolTimeout) as err:
            if is_outage(err):
                runtime.health.failed(err, "a figures push")
            else:
                log.exception("figures push: the database refused a statement")
            return JSONResponse({"ok": False, "error": "unavailable"}, status_code=503)
        runtime.health.ok()
        if result is None:
            return _unauthorized()
        _workspace_id, pushed = result
        task = BackgroundTask(platforms.deliver, pushed.deliveries)
        return JSONResponse({"ok": True, "stored": pushed.stored, "alerts": len(pushed.alerts)}, background=task)

    return figures


def _unauthorized() -> JSONResponse:
    return JSONResponse(
        {"ok": False, "error": "invalid_token"}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
    )
