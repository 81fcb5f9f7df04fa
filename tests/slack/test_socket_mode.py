"""`tradewind socket`: the same app over Socket Mode, against a local Socket-Mode-like WebSocket server."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

from websockets.sync.server import ServerConnection, serve

from tests.fakes.slack_api import FakeSlack
from tests.support.slack_requests import block_text

COMMAND = {
    "token": "deprecated",
    "team_id": "T1",
    "team_domain": "t",
    "channel_id": "C1",
    "channel_name": "product",
    "user_id": "U1",
    "user_name": "ana",
    "command": "/req",
    "text": "add over socket mode market=SG",
    "api_app_id": "A1",
    "response_url": "http://127.0.0.1:9/unused",
    "trigger_id": "t1",
}


def test_a_slash_command_over_socket_mode_is_acked_with_the_reply(tmp_path: Path) -> None:
    acks: queue.Queue[dict] = queue.Queue()

    def session(ws: ServerConnection) -> None:
        ws.send(json.dumps({"type": "hello", "num_connections": 1}))
        ws.send(
            json.dumps(
                {
                    "envelope_id": "env-1",
                    "type": "slash_commands",
                    "accepts_response_payload": True,
                    "payload": COMMAND,
                }
            )
        )
        for raw in ws:
            message = json.loads(raw)
            if message.get("envelope_id") == "env-1":
                acks.put(message)
                return

    with serve(session, "127.0.0.1", 0) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        fake = FakeSlack()
        ws_url = f"ws://127.0.0.1:{server.socket.getsockname()[1]}/link"
        for _ in range(5):  # the client may reconnect; each time it asks for a URL
            fake.script("apps.connections.open", 200, {"ok": True, "url": ws_url})
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))},
            "DATABASE_URL": f"sqlite:///{tmp_path / 'socket.db'}",
            "SLACK_BOT_TOKEN": "xoxb-socket",
            "SLACK_SIGNING_SECRET": "unused-in-socket-mode",
            "SLACK_APP_TOKEN": "xapp-1-socket",
            "SLACK_API_URL": fake.api_url,
            "LOG_LEVEL": "WARNING",
        }
        proc = subprocess.Popen([sys.executable, "-m", "bot", "socket"], env=env, stderr=subprocess.PIPE, text=True)
        try:
            ack = acks.get(timeout=30)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
            fake.close()
        server.shutdown()
    assert next(c.token for c in fake.calls_to("apps.connections.open")) == "xapp-1-socket"
    assert ack["payload"]["response_type"] == "in_channel"
    assert "REQ-1 logged." in block_text(ack["payload"])
