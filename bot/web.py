"""The HTTP server: Slack's events URL (commands, interactivity and events), Lark's events URL (events
and card callbacks), and a health check."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from slack_bolt.adapter.starlette import SlackRequestHandler
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.runtime import Runtime
from bot.settings import Settings
from bot.slack.app import build_app

log = logging.getLogger(__name__)


def create_app(settings: Settings, runtime: Runtime) -> Starlette:
    routes = [Route("/healthz", _healthz(runtime.engine), methods=["GET"])]
    lark_front = None
    if settings.slack_enabled:
        handler = SlackRequestHandler(build_app(settings, runtime))

        async def slack_events(request: Request) -> object:
            return await handler.handle(request)

        routes.append(Route("/slack/events", slack_events, methods=["POST"]))
    if settings.lark_enabled:
        lark_events, lark_front = lark_endpoint(settings, runtime)
        routes.append(Route("/lark/events", lark_events, methods=["POST"]))

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        runtime.engine.dispose()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.lark = lark_front  # the Lark front end, when enabled (tests reach it here)
    return app


def lark_endpoint(settings: Settings, runtime: Runtime) -> tuple[Any, Any]:
    """The /lark/events endpoint and the front end behind it."""
    # Imported here: lark_oapi is large, and a Slack-only deployment never needs it.
    from bot.lark.app import build_front_end
    from bot.lark.http import LarkEndpoint
    from bot.lark.verification import LarkVerifier

    verifier = LarkVerifier(settings.lark_verification_token, settings.lark_encrypt_key)
    if not settings.lark_encrypt_key:
        log.warning("LARK_ENCRYPT_KEY is not set: Lark requests are checked by their token only (no signature)")
    front = build_front_end(settings, runtime)
    endpoint = LarkEndpoint(verifier, front)

    async def lark_events(request: Request) -> object:
        return await endpoint(request)

    return lark_events, front


def _healthz(engine: Engine):  # noqa: ANN202  (a Starlette endpoint)
    async def healthz(_request: Request) -> JSONResponse:
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except DBAPIError:
            log.warning("health check: database unreachable")
            return JSONResponse({"ok": False, "database": "unreachable"}, status_code=503)
        return JSONResponse({"ok": True, "database": "ok"})

    return healthz
