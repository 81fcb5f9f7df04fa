"""`POST /lark/events`: Lark's events and card callbacks at one URL, verified before anything is done.

Both the event subscription and the card callback ("回调配置") point here; the payload's
header.event_type tells them apart, as Slack's single URL does for its kinds of request.
"""

from __future__ import annotations

import logging
import time

from starlette.requests import Request
from starlette.responses import JSONResponse

from bot.dispatch import Dispatcher
from bot.lark.app import EventStoreDown, LarkFrontEnd
from bot.lark.gate import well_formed
from bot.lark.verification import LarkVerifier, Rejected

log = logging.getLogger(__name__)


class LarkEndpoint:
    def __init__(self, verifier: LarkVerifier, front: LarkFrontEnd, dispatcher: Dispatcher) -> None:
        self.verifier = verifier
        self.front = front
        self.dispatcher = dispatcher

    async def __call__(self, request: Request) -> JSONResponse:
        started = time.monotonic()
        body = await request.body()
        try:
            payload = self.verifier.verify(body, request.headers)
        except Rejected as err:
            log.warning("Lark request rejected (%s): %s", err.status, err.reason)
            return JSONResponse({"msg": err.reason}, status_code=err.status)
        if payload.get("type") == "url_verification":
            challenge = payload.get("challenge")
            if not isinstance(challenge, str):
                return JSONResponse({"msg": "bad request"}, status_code=400)
            return JSONResponse({"challenge": challenge})
        if not well_formed(payload):
            log.warning("Lark request refused: not the shape of the event it names")
            return JSONResponse({"msg": "bad request"}, status_code=400)
        try:
            # As on Slack: a millisecond of database work on a dispatch thread, then the answer; Open
            # API calls happen afterwards on the effects pool.
            answer = await self.dispatcher.run(self.front.handle, payload, started=started)
        except EventStoreDown:
            return JSONResponse({"msg": "temporarily unavailable"}, status_code=503)
        except Exception:
            log.exception("Lark payload could not be handled")
            return JSONResponse({"msg": "internal error"}, status_code=500)
        return JSONResponse(answer)
