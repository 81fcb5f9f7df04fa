"""A Lark-Open-API-like HTTP server on 127.0.0.1 that answers the calls the bot makes and records them.

It serves /open-apis/... at its root, as lark-oapi expects of LARK_DOMAIN: the tenant access token,
sending, replying to and patching messages, image and file uploads, the files people sent in messages
(served only to a tenant token, as Lark does), the bot's own info, and the long connection's endpoint
discovery (/callback/ws/endpoint).
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

BOT_OPEN_ID = "ou_bot"
APP_ID = "cli_test_app"
APP_SECRET = "test-app-secret"
# Lark refuses a card whose JSON is over 30 KB on every send and update, with this code.
MAX_CARD_BYTES, CONTENT_TOO_LONG = 30 * 1024, 230025

ROUTES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("POST", re.compile(r"/open-apis/auth/v3/tenant_access_token/internal"), "auth.tenant_token"),
    ("POST", re.compile(r"/open-apis/im/v1/messages"), "im.message.create"),
    ("POST", re.compile(r"/open-apis/im/v1/messages/(?P<id>[^/]+)/reply"), "im.message.reply"),
    ("PATCH", re.compile(r"/open-apis/im/v1/messages/(?P<id>[^/]+)"), "im.message.patch"),
    ("POST", re.compile(r"/open-apis/im/v1/images"), "im.image.create"),
    ("POST", re.compile(r"/open-apis/im/v1/files"), "im.file.create"),
    ("GET", re.compile(r"/open-apis/im/v1/messages/(?P<id>[^/]+)/resources/(?P<key>[^/]+)"), "im.message_resource.get"),
    ("GET", re.compile(r"/open-apis/bot/v3/info"), "bot.info"),
    ("GET", re.compile(r"/open-apis/im/v1/messages/(?P<id>[^/]+)"), "im.message.get"),
    ("POST", re.compile(r"/callback/ws/endpoint"), "ws.endpoint"),
)


@dataclass
class Call:
    name: str  # "im.message.create", ...; "unknown" for anything else
    method: str
    path: str
    query: dict[str, str]
    body: dict[str, Any]  # JSON, or multipart fields (file parts as bytes)
    token: str | None
    path_id: str | None = None
    answer: dict[str, Any] = field(default_factory=dict)  # what the fake answered (JSON answers)
    headers: dict[str, str] = field(default_factory=dict)  # as sent, names in lower case
    path_key: str | None = None

    @property
    def card(self) -> dict[str, Any]:
        """The card a message call carried (its content is a JSON string)."""
        return json.loads(self.body["content"])


@dataclass
class Scripted:
    status: int
    body: dict[str, Any] | bytes | None  # bytes: a file, sent as it is; None: the usual answer
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to hold the answer back (the call is recorded at once)


class FakeLark:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.chats: dict[str, str] = {}  # message id → chat id, for replies (tests add users' messages)
        self.files: dict[tuple[str, str], tuple[str, bytes]] = {}  # (message id, file key) → (name, bytes)
        self.messages: dict[str, dict[str, Any]] = {}  # message id → the item GET im/v1/messages/:id answers
        self._scripted: dict[str, list[Scripted]] = {}
        # Lark's idempotency: a second send with a uuid seen within the hour gets the first message back.
        self.by_uuid: dict[str, tuple[float, dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

            def do_PATCH(self) -> None:
                fake._handle(self, "PATCH")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def domain(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self._scripted.clear()
            self.by_uuid.clear()
            self.messages.clear()

    def script(self, name: str, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        """Answer the next call to `name` this way instead of the default."""
        with self._lock:
            self._scripted.setdefault(name, []).append(Scripted(status, body, headers or {}))

    def fail(self, name: str, status: int = 500, times: int = 1) -> None:
        """Answer the next `times` calls to `name` with a 5xx (a gateway error page's JSON, as Lark's is)."""
        with self._lock:
            for _ in range(times):
                self._scripted.setdefault(name, []).append(Scripted(status, {"code": status, "msg": "internal error"}))

    def hold(self, name: str, seconds: float) -> None:
        """Answer the next call to `name` as usual, but only after `seconds` (a slow platform)."""
        with self._lock:
            self._scripted.setdefault(name, []).append(Scripted(200, None, delay=seconds))

    def serve_file(self, message_id: str, file_key: str, name: str, content: bytes) -> None:
        """A file someone sent in message `message_id`, for GET .../messages/{id}/resources/{key}."""
        with self._lock:
            self.files[(message_id, file_key)] = (name, content)

    def calls_to(self, *names: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.name in names]

    def wait_for(self, *names: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.calls_to(*names)
            if len(found) >= count:
                return found
            time.sleep(0.01)
        raise AssertionError(f"expected {count} call(s) to {names}; got {len(self.calls_to(*names))}: {self.calls}")

    def sent(self, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Messages the bot sent or replied with, in order (waits for `count` of them)."""
        return self.wait_for("im.message.create", "im.message.reply", count=count, timeout=timeout)

    def _handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        parts = urlsplit(request.path)
        name, path_id, path_key = "unknown", None, None
        for verb, pattern, route in ROUTES:
            match = pattern.fullmatch(parts.path)
            if verb == method and match:
                name, path_id, path_key = route, match.groupdict().get("id"), match.groupdict().get("key")
                break
        body = _decode(raw, request.headers.get("Content-Type", ""))
        auth = request.headers.get("Authorization", "")
        call = Call(
            name=name,
            method=method,
            path=parts.path,
            query=dict(parse_qsl(parts.query)),
            body=body,
            token=auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None,
            path_id=path_id,
            headers={k.lower(): v for k, v in request.headers.items()},
            path_key=path_key,
        )
        with self._lock:
            self.calls.append(call)
            scripted = self._scripted.get(name)
            answer = scripted.pop(0) if scripted else None
        if answer is not None and answer.body is None:
            time.sleep(answer.delay)
            answer = None
        if answer is None:
            answer = self._default(call)
        if isinstance(answer.body, bytes):
            payload, kind = answer.body, "application/octet-stream"
        else:
            call.answer = answer.body
            payload, kind = json.dumps(answer.body).encode(), "application/json; charset=utf-8"
        try:
            request.send_response(answer.status)
            request.send_header("Content-Type", kind)
            request.send_header("Content-Length", str(len(payload)))
            for header, value in answer.headers.items():
                request.send_header(header, value)
            request.end_headers()
            request.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped waiting (a held answer past its timeout)

    def _default(self, call: Call) -> Scripted:
        if call.name == "auth.tenant_token":
            if call.body.get("app_id") != APP_ID or call.body.get("app_secret") != APP_SECRET:
                return Scripted(400, {"code": 10014, "msg": "app secret invalid"})
            return Scripted(200, {"code": 0, "msg": "ok", "tenant_access_token": f"t-{APP_ID}", "expire": 7200})
        if call.name == "ws.endpoint":
            return Scripted(200, {"code": 1000040343, "msg": "no long connection scripted"})
        if call.name == "unknown":
            return Scripted(404, {"code": 404, "msg": f"no such API: {call.method} {call.path}"})
        if not (call.token or "").startswith("t-"):
            return Scripted(400, {"code": 99991661, "msg": "Missing access token for authorization."})
        if call.name in ("im.message.create", "im.message.reply", "im.message.patch") and _too_long(call.body):
            return Scripted(400, {"code": CONTENT_TOO_LONG, "msg": "The message content is too long."})
        if call.name in ("im.message.create", "im.message.reply"):
            return Scripted(200, {"code": 0, "msg": "success", "data": self._message(call)})
        if call.name == "im.message.patch":
            return Scripted(200, {"code": 0, "msg": "success", "data": {}})
        if call.name == "im.image.create":
            return Scripted(200, {"code": 0, "msg": "success", "data": {"image_key": f"img_v3_{next(self._ids)}"}})
        if call.name == "im.file.create":
            return Scripted(200, {"code": 0, "msg": "success", "data": {"file_key": f"file_v3_{next(self._ids)}"}})
        if call.name == "im.message_resource.get":
            found = self.files.get((call.path_id or "", call.path_key or ""))
            if found is None or call.query.get("type") != "file":
                return Scripted(400, {"code": 234003, "msg": "File not in msg."})
            name, content = found
            return Scripted(200, content, {"Content-Disposition": f'attachment; filename="{name}"'})
        if call.name == "im.message.get":
            with self._lock:
                item = self.messages.get(call.path_id or "")
            if item is None:
                return Scripted(400, {"code": 230011, "msg": "The message was not found, or was recalled or deleted."})
            return Scripted(200, {"code": 0, "msg": "success", "data": {"items": [item]}})
        if call.name == "bot.info":
            bot = {"activate_status": 2, "app_name": "Tradewind", "open_id": BOT_OPEN_ID, "ip_white_list": []}
            return Scripted(200, {"code": 0, "msg": "ok", "bot": bot})
        return Scripted(200, {"code": 0, "msg": "success", "data": {}})

    def add_message(self, message_id: str, chat_id: str, sender_open_id: str, text: str) -> None:
        """A text message a person sent, as GET /open-apis/im/v1/messages/:message_id answers it."""
        item = {
            "message_id": message_id,
            "msg_type": "text",
            "chat_id": chat_id,
            "create_time": str(int(time.time() * 1000)),
            "deleted": False,
            "updated": False,
            "sender": {"id": sender_open_id, "id_type": "open_id", "sender_type": "user", "tenant_key": "tk"},
            "body": {"content": json.dumps({"text": text}, ensure_ascii=False)},
        }
        with self._lock:
            self.messages[message_id] = item
            self.chats[message_id] = chat_id

    def _message(self, call: Call) -> dict[str, Any]:
        key = call.body.get("uuid")
        with self._lock:
            seen = self.by_uuid.get(key) if key else None
        if seen is not None and time.time() - seen[0] < 3600:
            return seen[1]
        message = self._new_message(call)
        if key:
            with self._lock:
                self.by_uuid[key] = (time.time(), message)
        return message

    def _new_message(self, call: Call) -> dict[str, Any]:
        receive_id = str(call.body.get("receive_id", ""))
        if call.name == "im.message.reply":
            chat = self.chats.get(call.path_id or "", "oc_unknown")
        elif call.query.get("receive_id_type") == "open_id":
            chat = f"oc_p2p_{receive_id}"
        else:
            chat = receive_id
        message_id = f"om_{next(self._ids)}"
        with self._lock:
            self.chats[message_id] = chat
        return {
            "message_id": message_id,
            "chat_id": chat,
            "msg_type": call.body.get("msg_type"),
            "create_time": str(int(time.time() * 1000)),
        }


def _too_long(body: dict[str, Any]) -> bool:
    content = body.get("content")
    return isinstance(content, str) and len(content.encode()) > MAX_CARD_BYTES


def _decode(raw: bytes, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    if content_type.startswith("multipart/"):
        message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw)
        fields: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            fields[str(name)] = payload if part.get_filename() else payload.decode()
            if part.get_filename():
                fields[f"{name}.filename"] = part.get_filename()
        return fields
    return json.loads(raw)
