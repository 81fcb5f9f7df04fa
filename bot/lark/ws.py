"""`tradewind lark-ws`: Lark's long connection (no public URL), with the same front end as HTTP.

lark.ws.Client asks {LARK_DOMAIN}/callback/ws/endpoint for a WebSocket URL and then receives events
and card callbacks as frames; it does not check tokens or signatures (the connection itself is
authenticated with the app secret). The typed objects the SDK's dispatcher builds are turned back
into the plain payload the HTTP path hands the front end, so both paths run the same code.
"""

from __future__ import annotations

import json
from typing import Any

import lark_oapi as lark
from lark_oapi.api.im.v1 import P2ImMessageReceiveV1
from lark_oapi.event.callback.model.p2_card_action_trigger import (
    P2CardActionTrigger,
    P2CardActionTriggerResponse,
)

from bot.deadline import request_deadline
from bot.lark.app import LarkFrontEnd, build_front_end
from bot.runtime import Runtime
from bot.settings import Settings


def event_handler(front: LarkFrontEnd) -> lark.EventDispatcherHandler:
    def on_message(data: P2ImMessageReceiveV1) -> None:
        with request_deadline():
            front.handle(plain(data))

    def on_card_action(data: P2CardActionTrigger) -> P2CardActionTriggerResponse:
        with request_deadline():
            return P2CardActionTriggerResponse(front.handle(plain(data)))

    # No token or key: the long connection does not carry them (the SDK skips verification on it).
    return (
        lark.EventDispatcherHandler.builder("", "")
        .register_p2_im_message_receive_v1(on_message)
        .register_p2_card_action_trigger(on_card_action)
        .build()
    )


def plain(data: Any) -> dict[str, Any]:
    """The SDK's typed event as the JSON payload it was built from."""
    return json.loads(lark.JSON.marshal(data) or "{}")


def run(settings: Settings, runtime: Runtime) -> None:
    """Hold the long connection until the process is stopped (the SDK reconnects by itself)."""
    front = build_front_end(settings, runtime)
    client = lark.ws.Client(
        settings.lark_app_id or "",
        settings.lark_app_secret or "",
        event_handler=event_handler(front),
        domain=settings.lark_domain,
        log_level=lark.LogLevel.WARNING,
        auto_reconnect=True,
    )
    client.start()
