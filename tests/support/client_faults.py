"""Named bad requests a client can send to /slack/events, /lark/events and /api/figures.

Each case is built fresh (timestamps are now) and signed where its name says so, with the secrets of
the test settings; bench/probe_client_faults.py sends them to a running server and the tests in
tests/security/ send them to the app. None of them may be answered with a 5xx or leave a traceback.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from tests.support.lark_requests import ENCRYPT_KEY, VERIFICATION_TOKEN, encrypt, signature
from tests.support.slack_requests import SECRET

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
RESPONSE_URL = "http://127.0.0.1:9/response/probe"  # nothing listens: pass the URL of a server that does
DEEP = 100_000  # nesting that overflows a recursive JSON parser
BIG = 2 * 1024 * 1024  # over any sane body limit


@dataclass
class Probe:
    """One request: `body` is bytes, or an iterator of chunks (sent chunked, with no Content-Length)."""

    name: str
    path: str
    headers: dict[str, str]
    body: bytes | Callable[[], Iterator[bytes]]
    expect: frozenset[int] = field(default_factory=frozenset)  # statuses it should get, when known
    signed: bool = False  # a request the platform itself could have sent (it may reach the handlers)


def slack_sign(body: bytes, timestamp: str, secret: str = SECRET) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def slack_command_fields(text: str = "list", command: str = "/req", **overrides: str | None) -> dict[str, str]:
    fields: dict[str, str | None] = {
        "token": "deprecated",
        "team_id": "T1",
        "team_domain": "team-t1",
        "channel_id": "C1",
        "channel_name": "product",
        "user_id": "U1",
        "user_name": "ana",
        "command": command,
        "text": text,
        "api_app_id": "A1",
        "response_url": RESPONSE_URL,
        "trigger_id": "trigger-probe",
    }
    fields.update(overrides)
    return {k: v for k, v in fields.items() if v is not None}


def _block_actions(value: Any = "", **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": "T1", "domain": "t"},
        "user": {"id": "U1", "username": "ana", "name": "ana", "team_id": "T1"},
        "api_app_id": "A1",
        "container": {"type": "message", "message_ts": "1.0", "channel_id": "C1"},
        "trigger_id": "trigger-probe",
        "channel": {"id": "C1", "name": "product"},
        "response_url": RESPONSE_URL,
        "actions": [
            {"action_id": "b0", "block_id": "b1", "value": value, "type": "button", "action_ts": str(time.time())}
        ],
    }
    payload.update(overrides)
    return payload


def view_submission(callback_id: Any = "req.form", values: Any = None, **view: Any) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": "T1", "domain": "t"},
        "user": {"id": "U1", "username": "ana", "name": "ana", "team_id": "T1"},
        "api_app_id": "A1",
        "trigger_id": "trigger-view",
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": json.dumps({"c": "C1", "p": {}}),
            "state": {"values": values if values is not None else {}},
            **view,
        },
    }


def slack_event(event: Any, **overrides: Any) -> dict[str, Any]:
    body = {
        "token": "deprecated",
        "team_id": "T1",
        "api_app_id": "A1",
        "event": event,
        "type": "event_callback",
        "event_id": f"Ev{time.monotonic_ns()}",
        "event_time": int(time.time()),
    }
    body.update(overrides)
    return body


def slack(name: str, body: bytes, *, timestamp: str | None = None, content_type: str = FORM, **kw: Any) -> Probe:
    """A request signed as Slack signs it (with `timestamp`, however odd, when given)."""
    ts = str(int(time.time())) if timestamp is None else timestamp
    headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": slack_sign(body, ts)}
    return Probe(name, "/slack/events", headers, body, signed=timestamp is None, **kw)


def slack_headers(name: str, body: bytes, headers: dict[str, str], **kw: Any) -> Probe:
    return Probe(name, "/slack/events", {"Content-Type": FORM, **headers}, body, **kw)


def _command_body(text: str = "list", command: str = "/req", **overrides: str | None) -> bytes:
    return urlencode(slack_command_fields(text, command, **overrides)).encode()


def payload_body(payload: Any) -> bytes:
    raw = payload if isinstance(payload, str) else json.dumps(payload)
    return ("payload=" + quote(raw)).encode()


def lark(
    name: str,
    payload: Any,
    *,
    encrypted: bool = True,
    timestamp: str | None = None,
    raw: bytes | None = None,
    **kw: Any,
) -> Probe:
    """A request encrypted and signed as Lark does it; `raw` is sent as it is (and signed)."""
    if raw is None:
        plain = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
        raw = json.dumps({"encrypt": encrypt(plain)}).encode() if encrypted else plain.encode()
    ts = str(int(time.time())) if timestamp is None else timestamp
    nonce = os.urandom(8).hex()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Lark-Request-Timestamp": ts,
        "X-Lark-Request-Nonce": nonce,
        "X-Lark-Signature": signature(ts, nonce, raw),
    }
    return Probe(name, "/lark/events", headers, raw, signed=timestamp is None, **kw)


def lark_unsigned(name: str, raw: bytes, headers: dict[str, str] | None = None, **kw: Any) -> Probe:
    return Probe(name, "/lark/events", {"Content-Type": JSON, **(headers or {})}, raw, **kw)


def lark_event(event_type: str, event: Any, **header: Any) -> dict[str, Any]:
    return {
        "schema": "2.0",
        "header": {
            "event_id": f"ev_probe_{time.monotonic_ns()}",
            "token": VERIFICATION_TOKEN,
            "create_time": str(int(time.time() * 1000)),
            "event_type": event_type,
            "tenant_key": "tenant_acme",
            "app_id": "cli_probe",
            **header,
        },
        "event": event,
    }


def lark_message(text: Any = "/req list", **message: Any) -> dict[str, Any]:
    return {
        "sender": {"sender_id": {"open_id": "ou_ana"}, "sender_type": "user", "tenant_key": "tenant_acme"},
        "message": {
            "message_id": f"om_probe_{time.monotonic_ns()}",
            "chat_id": "oc_product",
            "chat_type": "p2p",
            "message_type": "text",
            "content": json.dumps({"text": text}, ensure_ascii=False),
            **message,
        },
    }


def lark_click(value: Any, **event: Any) -> dict[str, Any]:
    return {
        "operator": {"tenant_key": "tenant_acme", "open_id": "ou_ana"},
        "action": {"value": value, "tag": "button"},
        "context": {"open_message_id": "om_card", "open_chat_id": "oc_product"},
        **event,
    }


def figures(name: str, body: bytes | Callable[[], Iterator[bytes]], token: str | None = None, **kw: Any) -> Probe:
    headers = {"Content-Type": JSON}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return Probe(name, "/api/figures", headers, body, **kw)


def growing(total: int, chunk: int = 64 * 1024) -> Callable[[], Iterator[bytes]]:
    def chunks() -> Iterator[bytes]:
        for _ in range(total // chunk):
            yield b"a" * chunk

    return chunks


def deep(n: int = DEEP) -> str:
    return "[" * n + "]" * n


def button(action: str, payload: Any) -> str:
    return json.dumps({"a": action, "p": payload})


REFUSED = frozenset({400, 401, 403})
TOO_BIG = frozenset({413})


def slack_cases(response_url: str = RESPONSE_URL) -> list[Probe]:
    """`response_url` is where follow-ups to the commands and clicks go (a server that answers them)."""
    now = int(time.time())

    def command_body(text: str = "list", command: str = "/req", **overrides: str | None) -> bytes:
        return _command_body(text, command, response_url=response_url, **overrides)

    def block_actions(value: Any = "", **overrides: Any) -> dict[str, Any]:
        return _block_actions(value, response_url=response_url, **overrides)

    cmd = command_body()
    odd_timestamps = {
        "abc": "abc",
        "1e10": "1e10",
        "float": f"{now}.5",
        "fullwidth zero": "０",
        "fullwidth now": str(now).translate(str.maketrans("0123456789", "０１２３４５６７８９")),
        "arabic-indic now": str(now).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")),
        "8000 digits": "9" * 8000,
        "negative": "-1",
        "empty": "",
        "inner space": f"{str(now)[:5]} {str(now)[5:]}",
        "stale": str(now - 600),
        "future": str(now + 600),
        "nan": "nan",
        "underscored": f"{str(now)[:5]}_{str(now)[5:]}",
    }
    cases = [
        slack(f"slack timestamp {label}", cmd, timestamp=ts, expect=REFUSED) for label, ts in odd_timestamps.items()
    ]
    ts = str(now)
    cases += [
        slack_headers("slack no timestamp", cmd, {"X-Slack-Signature": slack_sign(cmd, ts)}, expect=REFUSED),
        slack_headers("slack no signature", cmd, {"X-Slack-Request-Timestamp": ts}, expect=REFUSED),
        slack_headers("slack no headers", cmd, {}, expect=REFUSED),
        slack_headers(
            "slack wrong signature", cmd, {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=" + "0" * 64}
        ),
        slack_headers(
            "slack signature without v0",
            cmd,
            {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": slack_sign(cmd, ts)[3:]},
            expect=REFUSED,
        ),
        slack_headers(
            "slack signature 10,000 chars",
            cmd,
            {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=" + "a" * 10_000},
            expect=REFUSED,
        ),
        slack_headers(
            "slack signature with another secret",
            cmd,
            {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": slack_sign(cmd, ts, "another-secret")},
            expect=REFUSED,
        ),
        slack_headers("slack unsigned nested brackets", payload_body(deep()), {}, expect=REFUSED),
        slack("slack empty body", b""),
        slack("slack body of invalid UTF-8", b"\xff\xfe\xfa=\xc3\x28&text=\xe2\x28\xa1"),
        slack("slack body of NUL bytes", b"\x00" * 64),
        slack("slack payload={not json", b"payload={not json"),
        slack("slack payload=[1,2]", payload_body("[1,2]")),
        slack("slack payload=null", payload_body("null")),
        slack('slack payload="text"', payload_body('"text"')),
        slack("slack payload=123", payload_body("123")),
        slack("slack payload={}", payload_body({})),
        slack("slack payload twice", payload_body({}) + b"&" + payload_body("[1]")),
        slack("slack payload of unknown type", payload_body({"type": "surprise", "team": {"id": "T1"}})),
        slack("slack payload nested brackets", payload_body(deep())),
        slack("slack payload nested objects", payload_body('{"a":' * 50_000 + "1" + "}" * 50_000)),
        slack("slack actions: []", payload_body(block_actions(actions=[]))),
        slack("slack actions: null", payload_body(block_actions(actions=None))),
        slack("slack actions: [1]", payload_body(block_actions(actions=[1]))),
        slack("slack actions: [{}]", payload_body(block_actions(actions=[{}]))),
        slack("slack action_id a number", payload_body(block_actions(actions=[{"action_id": 5, "value": "x"}]))),
        slack("slack click without user", payload_body({k: v for k, v in block_actions().items() if k != "user"})),
        slack(
            "slack click without team",
            payload_body({**block_actions(user={"id": "U1", "name": "ana"}), "team": None}),
        ),
        slack("slack click user.id: null", payload_body(block_actions(user={"id": None, "team_id": "T1"}))),
        slack("slack click user a string", payload_body(block_actions(user="U1"))),
        slack("slack click user.id 10,000 chars", payload_body(block_actions(user={"id": "U" * 10_000}))),
        slack("slack click user.id with NUL", payload_body(block_actions(user={"id": "U1\x00"}))),
        slack("slack click team a list", payload_body(block_actions(team=[1]))),
        slack("slack click channel a string", payload_body(block_actions(channel="C1", container=None))),
        slack("slack button id 10^30", payload_body(block_actions(button("req.move", {"id": 10**30, "to": "done"})))),
        slack("slack button id -10^30", payload_body(block_actions(button("score.page", {"id": -(10**30)})))),
        slack("slack button id a float", payload_body(block_actions(button("risk.ack", {"id": 1e308})))),
        slack("slack button id a string", payload_body(block_actions(button("approval.approve", {"id": "1; --"})))),
        slack("slack button page 10^30", payload_body(block_actions(button("req.page", {"p": 10**30})))),
        slack("slack button offset 2^62", payload_body(block_actions(button("audit.page", {"o": 2**62, "i": 2**62})))),
        slack("slack button move id 'abc'", payload_body(block_actions(button("req.move", {"id": "abc", "to": "x"})))),
        slack("slack button payload a list", payload_body(block_actions(button("exp.decide", [1, 2])))),
        slack("slack button value an object", payload_body(block_actions({"a": "req.page"}))),
        slack("slack button value 100,000 chars", payload_body(block_actions("x" * 100_000))),
        slack("slack view missing", payload_body({**view_submission(), "view": None})),
        slack("slack view callback_id a number", payload_body(view_submission(callback_id=7))),
        slack("slack view callback_id missing", payload_body(view_submission(callback_id=None))),
        slack("slack view state.values a list", payload_body(view_submission(values=[1]))),
        slack(
            "slack datepicker value an object",
            payload_body(
                view_submission(
                    values={
                        "title": {"a": {"type": "plain_text_input", "value": "probe"}},
                        "due": {"a": {"type": "datepicker", "selected_date": {"$gt": ""}}},
                    }
                )
            ),
        ),
        slack(
            "slack form value a number",
            payload_body(view_submission(values={"title": {"a": {"type": "plain_text_input", "value": 5}}})),
        ),
        slack(
            "slack form value with NUL",
            payload_body(view_submission(values={"title": {"a": {"type": "plain_text_input", "value": "a\x00b"}}})),
        ),
        slack(
            "slack select options [1]",
            payload_body(
                view_submission(values={"markets": {"a": {"type": "multi_static_select", "selected_options": [1]}}})
            ),
        ),
        slack("slack private_metadata {bad", payload_body(view_submission(private_metadata="{bad"))),
        slack("slack private_metadata p a list", payload_body(view_submission(private_metadata='{"p": [1]}'))),
        slack("slack command missing command", command_body(command=None)),  # type: ignore[arg-type]
        slack("slack command missing user_id", command_body(user_id=None)),
        slack("slack command missing team_id", command_body(team_id=None)),
        slack("slack command user_id 100,000 chars", command_body(user_id="U" * 100_000)),
        slack("slack command team_id with NUL", command_body(team_id="T1\x00")),
        slack("slack command channel_id 10,000 chars", command_body(channel_id="C" * 10_000)),
        slack("slack command text 100,000 chars", command_body("add " + "x" * 100_000)),
        slack("slack command text with NUL", command_body("add a\x00b market=US")),
        slack("slack command unknown", command_body(command="/zzz")),
        slack("slack command empty", command_body(command="")),
        slack("slack /pm tz America", command_body("tz America", command="/pm")),
        slack("slack /pm tz ../../etc", command_body("tz ../../../etc/passwd", command="/pm")),
        slack("slack /pm tz NUL", command_body("tz Asia/\x00Shanghai", command="/pm")),
        slack("slack /market add ，", command_body("add ，", command="/market")),
        slack("slack /market add ,,,", command_body("add ,,, ", command="/market")),
        slack("slack /req show huge id", command_body("show REQ-" + "9" * 40)),
        slack("slack /req show arabic-indic id", command_body("show REQ-٣")),
        slack("slack /req show 5000 digits", command_body("show REQ-" + "9" * 5000)),
        slack(
            "slack /score huge reach", command_body("REQ-1 rice reach=1e400 impact=3 confidence=80 effort=1", "/score")
        ),
        slack("slack event missing", json.dumps(slack_event(None)).encode(), content_type=JSON),
        slack("slack event a list", json.dumps(slack_event([1])).encode(), content_type=JSON),
        slack(
            "slack mention without user",
            json.dumps(slack_event({"type": "app_mention", "text": "req list"})).encode(),
            content_type=JSON,
        ),
        slack(
            "slack mention text a number",
            json.dumps(slack_event({"type": "app_mention", "user": "U1", "text": 5, "channel": "C1"})).encode(),
            content_type=JSON,
        ),
        slack(
            "slack message files not a list",
            json.dumps(
                slack_event({"type": "message", "subtype": "file_share", "thread_ts": "1.0", "user": "U1", "files": 7})
            ).encode(),
            content_type=JSON,
        ),
        slack(
            "slack event_id an object",
            json.dumps(slack_event({"type": "app_mention"}, event_id={"x": 1})).encode(),
            content_type=JSON,
        ),
        slack("slack JSON body a list", b"[]", content_type=JSON),
        slack("slack JSON body null", b"null", content_type=JSON),
        slack("slack JSON body nested brackets", deep().encode(), content_type=JSON),
        slack("slack JSON body not JSON", b"{oops", content_type=JSON),
        slack("slack form body sent as JSON", cmd, content_type=JSON),
        slack("slack body over the limit", b"a" * BIG, expect=TOO_BIG),
        Probe(
            "slack chunked body over the limit",
            "/slack/events",
            {"Content-Type": FORM, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=" + "0" * 64},
            growing(BIG),
            expect=TOO_BIG,
        ),
    ]
    return cases


def lark_cases() -> list[Probe]:
    now = str(int(time.time()))
    msg = lark_event("im.message.receive_v1", lark_message())
    return [
        lark_unsigned("lark not JSON", b"{oops", expect=REFUSED),
        lark_unsigned("lark JSON list", b"[1,2]", expect=REFUSED),
        lark_unsigned("lark JSON null", b"null", expect=REFUSED),
        lark_unsigned("lark nested brackets", deep().encode(), expect=REFUSED),
        lark_unsigned("lark nested objects", ('{"a":' * 50_000 + "1" + "}" * 50_000).encode(), expect=REFUSED),
        lark_unsigned("lark invalid UTF-8", b'{"a": "\xff\xfe"}', expect=REFUSED),
        lark_unsigned("lark encrypt a number", b'{"encrypt": 123}', expect=REFUSED),
        lark_unsigned("lark encrypt a list", b'{"encrypt": [1]}', expect=REFUSED),
        lark_unsigned("lark encrypt not base64", b'{"encrypt": "%%%"}', expect=REFUSED),
        lark_unsigned("lark encrypt too short", b'{"encrypt": "QUJD"}', expect=REFUSED),
        lark_unsigned(
            "lark unsigned event", json.dumps({"encrypt": encrypt(json.dumps(msg))}).encode(), expect=REFUSED
        ),
        lark_unsigned(
            "lark wrong signature",
            json.dumps({"encrypt": encrypt(json.dumps(msg))}).encode(),
            {
                "X-Lark-Request-Timestamp": now,
                "X-Lark-Request-Nonce": "n",
                "X-Lark-Signature": "0" * 64,
            },
            expect=REFUSED,
        ),
        lark("lark timestamp abc", msg, timestamp="abc", expect=REFUSED),
        lark("lark timestamp nan", msg, timestamp="nan", expect=REFUSED),
        lark("lark timestamp fullwidth", msg, timestamp="０", expect=REFUSED),
        lark("lark timestamp 8000 digits", msg, timestamp="9" * 8000, expect=REFUSED),
        lark("lark timestamp stale", msg, timestamp=str(int(now) - 600), expect=REFUSED),
        lark("lark encrypted nested brackets", deep(), expect=REFUSED),
        lark("lark encrypted list", [1, 2], expect=REFUSED),
        lark("lark encrypted not JSON", "{oops", expect=REFUSED),
        lark(
            "lark challenge wrong token",
            {"type": "url_verification", "challenge": "c", "token": "nope"},
            expect=REFUSED,
        ),
        lark("lark header a list", {**msg, "header": [1]}),
        lark("lark token missing", {**msg, "header": {**msg["header"], "token": None}}, expect=REFUSED),
        lark("lark event missing", {**msg, "event": None}),
        lark("lark event a string", {**msg, "event": "x"}),
        lark("lark sender missing", lark_event("im.message.receive_v1", {"message": lark_message()["message"]})),
        lark(
            "lark sender_id missing",
            lark_event("im.message.receive_v1", {**lark_message(), "sender": {"sender_type": "user"}}),
        ),
        lark(
            "lark open_id null",
            lark_event(
                "im.message.receive_v1",
                {**lark_message(), "sender": {"sender_id": {"open_id": None}, "sender_type": "user"}},
            ),
        ),
        lark(
            "lark open_id 10,000 chars",
            lark_event(
                "im.message.receive_v1",
                {**lark_message(), "sender": {"sender_id": {"open_id": "o" * 10_000}, "sender_type": "user"}},
            ),
        ),
        lark("lark tenant_key missing", lark_event("im.message.receive_v1", lark_message(), tenant_key=None)),
        lark("lark event_id an object", lark_event("im.message.receive_v1", lark_message(), event_id={"x": 1})),
        lark("lark message a list", lark_event("im.message.receive_v1", {**lark_message(), "message": [1]})),
        lark("lark content not JSON", lark_event("im.message.receive_v1", lark_message(content="{oops"))),
        lark("lark content a list", lark_event("im.message.receive_v1", lark_message(content="[1]"))),
        lark("lark content nested", lark_event("im.message.receive_v1", lark_message(content=deep(50_000)))),
        lark("lark text a number", lark_event("im.message.receive_v1", lark_message(text=5))),
        lark("lark text with NUL", lark_event("im.message.receive_v1", lark_message(text="/req add a\x00b"))),
        lark(
            "lark post content odd",
            lark_event("im.message.receive_v1", lark_message(message_type="post", content='{"zh_cn": 5}')),
        ),
        lark(
            "lark post paragraphs odd",
            lark_event(
                "im.message.receive_v1",
                lark_message(message_type="post", content='{"content": [[1, "x", {"tag": "at"}]]}'),
            ),
        ),
        lark("lark mentions not a list", lark_event("im.message.receive_v1", lark_message(mentions=5))),
        lark("lark mentions [1]", lark_event("im.message.receive_v1", lark_message(mentions=[1, "x"]))),
        lark("lark /pm tz America", lark_event("im.message.receive_v1", lark_message("/pm tz America"))),
        lark("lark /market add ，", lark_event("im.message.receive_v1", lark_message("/market add ，"))),
        lark(
            "lark file content odd",
            lark_event("im.message.receive_v1", lark_message(message_type="file", content="[]")),
        ),
        lark("lark click action missing", lark_event("card.action.trigger", {**lark_click("x"), "action": None})),
        lark("lark click operator missing", lark_event("card.action.trigger", {**lark_click("x"), "operator": None})),
        lark(
            "lark click open_id null",
            lark_event("card.action.trigger", {**lark_click("x"), "operator": {"open_id": None}}),
        ),
        lark(
            "lark click id 10^30", lark_event("card.action.trigger", lark_click({"a": "req.move", "p": {"id": 10**30}}))
        ),
        lark(
            "lark click page 10^30",
            lark_event("card.action.trigger", lark_click({"a": "req.page", "p": {"p": 10**30}})),
        ),
        lark("lark click value a list", lark_event("card.action.trigger", lark_click([1]))),
        lark("lark click value bad JSON", lark_event("card.action.trigger", lark_click("{oops"))),
        lark(
            "lark click dates not a list",
            lark_event("card.action.trigger", lark_click({"a": "req.form", "f": 1, "d": 5})),
        ),
        lark(
            "lark click labels odd",
            lark_event("card.action.trigger", lark_click({"a": "req.form", "f": 1, "l": {"x": [1]}, "c": 5})),
        ),
        lark(
            "lark form_value not an object",
            lark_event(
                "card.action.trigger",
                {
                    **lark_click({"a": "req.form", "f": 1}),
                    "action": {"value": {"a": "req.form", "f": 1}, "form_value": 5},
                },
            ),
        ),
        lark(
            "lark form date an object",
            lark_event(
                "card.action.trigger",
                {
                    **lark_click({"a": "req.form", "f": 1, "d": ["due"]}),
                    "action": {
                        "value": {"a": "req.form", "f": 1, "d": ["due"]},
                        "form_value": {"title": "probe", "due": {"$gt": ""}},
                    },
                },
            ),
        ),
        lark(
            "lark form value a list",
            lark_event(
                "card.action.trigger",
                {
                    **lark_click({"a": "req.form", "f": 1}),
                    "action": {"value": {"a": "req.form", "f": 1}, "form_value": {"title": [1, {"x": 2}]}},
                },
            ),
        ),
        lark(
            "lark submit by name, form odd",
            lark_event(
                "card.action.trigger",
                {**lark_click(None), "action": {"name": "submit__req__form", "form_value": {"due": 5}}},
            ),
        ),
        lark(
            "lark context a list",
            lark_event("card.action.trigger", {**lark_click({"a": "req.page", "p": {}}), "context": [1]}),
        ),
        lark_unsigned("lark body over the limit", b"a" * BIG, expect=TOO_BIG),
        Probe("lark chunked body over the limit", "/lark/events", {"Content-Type": JSON}, growing(BIG), expect=TOO_BIG),
    ]


def figure_cases(token: str | None = None) -> list[Probe]:
    """Without a token; with `token` (a real one, from `/pm figure token`) the bodies are tried too."""
    cases = [
        figures("figures no token", b'{"name": "fx.USDCNY", "value": 7.4}', expect=frozenset({401})),
        figures("figures wrong token", b'{"name": "fx.USDCNY", "value": 7.4}', "nope", expect=frozenset({401})),
        figures("figures token 100,000 chars", b"{}", "t" * 100_000, expect=frozenset({401})),
        figures("figures token non-ASCII", b"{}", "令牌", expect=frozenset({401})),
        figures("figures nested brackets, wrong token", deep().encode(), "nope", expect=frozenset({401, 413})),
        figures("figures not JSON, wrong token", b"{oops", "nope", expect=frozenset({401})),
        figures("figures body over the limit", b"a" * BIG, "nope", expect=TOO_BIG),
        figures("figures chunked body over the limit", growing(BIG), "nope", expect=TOO_BIG),
    ]
    if token is None:
        return cases
    bodies = {
        "nested brackets": deep().encode(),
        "nested objects": ('{"a":' * 50_000 + "1" + "}" * 50_000).encode(),
        "not JSON": b"{oops",
        "a list": b"[1, 2]",
        "value 1e400": b'{"name": "fx.USDCNY", "value": 1e400}',
        "value NaN": b'{"name": "fx.USDCNY", "value": NaN}',
        "value Infinity": b'{"name": "fx.USDCNY", "value": -Infinity}',
        "value 10^400": b'{"name": "fx.USDCNY", "value": 1' + b"0" * 400 + b"}",
        "value 5000 digits": b'{"name": "fx.USDCNY", "value": ' + b"9" * 5000 + b"}",
        "value an object": b'{"name": "fx.USDCNY", "value": {"x": 1}}',
        "value a string": b'{"name": "fx.USDCNY", "value": "7.4"}',
        "name with NUL": b'{"name": "fx.\\u0000", "value": 1}',
        "name 10,000 chars": json.dumps({"name": "x" * 10_000, "value": 1}).encode(),
        "name a number": b'{"name": 5, "value": 1}',
        "figures a list": b'{"figures": [1, 2]}',
        "figures keys odd": b'{"figures": {"": 1, "\\u0000": 2}}',
        "invalid UTF-8": b'{"name": "\xff", "value": 1}',
    }
    return cases + [figures(f"figures {label}", body, token) for label, body in bodies.items()]


def all_cases(figure_token: str | None = None, response_url: str = RESPONSE_URL) -> list[Probe]:
    return slack_cases(response_url) + lark_cases() + figure_cases(figure_token)


LARK_SECRETS = {"verification_token": VERIFICATION_TOKEN, "encrypt_key": ENCRYPT_KEY}
