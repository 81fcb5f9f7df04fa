"""`tradewind lark-ws`: the same front end over Lark's long connection.

First the dispatcher wiring in this process (the SDK's EventDispatcherHandler fed the bytes its
WebSocket client hands it), then the real command as a process against a local endpoint-discovery
server (the Lark-like fake) and a local WebSocket server speaking the SDK's protobuf frames.
What cannot be tested without Lark's servers: Lark's own handshake checks, cluster mode (one event
to one of several connections) and its redelivery timing.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import lark_oapi as lark
from lark_oapi.ws.pb.pbbp2_pb2 import Frame
from sqlmodel import Session, select
from websockets.sync.server import ServerConnection, serve

from bot.lark.app import build_front_end
from bot.lark.ws import event_handler
from bot.runtime import Runtime
from handlers import REGISTRY
from models.requirements.requirement import Requirement
from tests.fakes.lark_api import APP_ID, APP_SECRET, FakeLark
from tests.lark.conftest import lark_settings
from tests.support.lark_requests import LarkSender, button, card_text


class Payloads(LarkSender):
    """Builds the payloads Lark sends without sending them (the long connection carries them)."""

    def __init__(self) -> None:
        super().__init__("http://unused")
        self.built: list[dict[str, Any]] = []

    def post(self, payload: dict[str, Any], **_: Any) -> Any:
        self.built.append(payload)

    def message_payload(self, text: str, **kwargs: Any) -> dict[str, Any]:
        self.message(text, **kwargs)
        return self.built[-1]

    def click_payload(self, element: dict[str, Any]) -> dict[str, Any]:
        self.click(element)
        return self.built[-1]


def test_the_dispatcher_hands_events_and_card_callbacks_to_the_front_end(
    engine, fake_lark: FakeLark, database_url
) -> None:
    fake_lark.reset()
    runtime = Runtime(engine, REGISTRY)
    front = build_front_end(lark_settings(database_url, fake_lark), runtime)
    handler = event_handler(front)
    payloads = Payloads()
    message = payloads.message_payload("/req add over the long connection market=JP", chat_type="p2p")
    assert handler._do_without_validation(json.dumps(message).encode()) is None  # what lark.ws.Client calls
    [posted] = fake_lark.sent()
    assert "REQ-1 · over the long connection" in card_text(posted.card)
    click = payloads.click_payload(button(posted.card, "评估"))
    result = handler._do_without_validation(json.dumps(click).encode())
    answer = json.loads(lark.JSON.marshal(result))
    assert answer["toast"] == {"type": "success", "content": "REQ-1 现在是「已评估」。"}
    assert "已评估" in card_text(answer["card"]["data"])
    # The same delivery again (cluster mode re-pushes what was not acknowledged in time): acted on once.
    handler._do_without_validation(json.dumps(message).encode())
    with Session(engine) as db:
        assert db.exec(select(Requirement.status)).all() == ["triaged"]
    payloads.close()
    assert runtime.settle(), "after-answer work did not finish"


def frame(message_id: str, payload: dict[str, Any]) -> bytes:
    f = Frame(SeqID=1, LogID=1, service=7, method=1)  # method 1: a data frame
    for key, value in {"type": "event", "message_id": message_id, "trace_id": "t1", "sum": "1", "seq": "0"}.items():
        f.headers.add(key=key, value=value)
    f.payload = json.dumps(payload).encode()
    return f.SerializeToString()


def answer_to(ws: ServerConnection, message_id: str) -> dict[str, Any]:
    """The client's response frame for one of our frames (pings in between are skipped)."""
    for raw in ws:
        f = Frame()
        f.ParseFromString(raw if isinstance(raw, bytes) else raw.encode())
        headers = {h.key: h.value for h in f.headers}
        if f.method == 1 and headers.get("message_id") == message_id:
            return json.loads(f.payload)
    raise AssertionError("connection closed before the answer")


def test_lark_ws_answers_a_message_and_a_click_over_the_long_connection(tmp_path: Path) -> None:
    fake = FakeLark()
    payloads = Payloads()
    results: queue.Queue[Any] = queue.Queue()

    def session(ws: ServerConnection) -> None:
        try:
            message = payloads.message_payload("/req add 长连接需求 market=SG", chat_type="p2p")
            ws.send(frame("m1", message))
            results.put(answer_to(ws, "m1"))
            [posted] = fake.sent(timeout=20)
            ws.send(frame("m2", payloads.click_payload(button(posted.card, "评估"))))
            results.put(answer_to(ws, "m2"))
        except Exception as err:  # surfaced in the test thread
            results.put(err)

    with serve(session, "127.0.0.1", 0) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        ws_url = f"ws://127.0.0.1:{server.socket.getsockname()[1]}/ws?device_id=d1&service_id=7"
        config = {"ReconnectCount": 1, "ReconnectInterval": 1, "ReconnectNonce": 0, "PingInterval": 120}
        for _ in range(3):
            fake.script("ws.endpoint", 200, {"code": 0, "msg": "ok", "data": {"URL": ws_url, "ClientConfig": config}})
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "LARK_", "DATABASE_URL"))},
            "DATABASE_URL": f"sqlite:///{tmp_path / 'ws.db'}",
            "LARK_APP_ID": APP_ID,
            "LARK_APP_SECRET": APP_SECRET,
            "LARK_DOMAIN": fake.domain,
            "LOG_LEVEL": "WARNING",
        }
        proc = subprocess.Popen([sys.executable, "-m", "bot", "lark-ws"], env=env, stderr=subprocess.PIPE, text=True)
        try:
            first, second = results.get(timeout=40), results.get(timeout=20)
        finally:
            proc.terminate()
            stderr = proc.communicate(timeout=10)[1]
            fake.close()
        server.shutdown()
    for result in (first, second):
        if isinstance(result, Exception):
            raise AssertionError(stderr) from result
    [discovery] = [c for c in fake.calls if c.name == "ws.endpoint"][:1]
    assert discovery.body == {"AppID": APP_ID, "AppSecret": APP_SECRET}
    assert first == {"code": 200}  # an event: acknowledged, nothing to return
    assert second["code"] == 200
    answer = json.loads(base64.b64decode(second["data"]))
    assert answer["toast"] == {"type": "success", "content": "REQ-1 现在是「已评估」。"}
    assert "REQ-1 · 长连接需求" in card_text(answer["card"]["data"])
    assert "Traceback" not in stderr
