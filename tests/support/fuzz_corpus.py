"""A seeded corpus of hostile requests for /slack/events, /lark/events and /api/figures.

Case n is built from its own generator, seeded with (SEED, n): the same n is the same request on
every machine and in every slice of the corpus, so a failure is reproduced by its number alone
(`case(n)`). Each starts from a request the platform really sends (a slash command, a click, a modal
submission, an event, a Lark message or card callback, a figures push) and is then mutated: fields
dropped, retyped, lengthened, nested or filled with NUL, RTL marks, mentions and full-width
punctuation; bodies truncated or spliced with bytes; headers signed, signed with odd timestamps,
wrongly signed or not signed at all. Signing happens when a case is sent (`materialise`), with the
clock of that moment, so the corpus itself holds no time.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from Crypto.Cipher import AES

from tests.support.client_faults import (
    FORM,
    JSON,
    Probe,
    _block_actions,
    lark_click,
    lark_event,
    lark_message,
    slack_command_fields,
    slack_event,
    slack_sign,
    view_submission,
)
from tests.support.lark_requests import ENCRYPT_KEY, signature

SEED = 20261203
SIZE = 10_000

COMMANDS = ("/req", "/score", "/risk", "/exp", "/cost", "/market", "/supplier", "/digest", "/standup", "/pm")
ACTIONS = (
    "approval.approve",
    "approval.reject_form",
    "approval.transfer_form",
    "audit.page",
    "cost.page",
    "exp.decide",
    "exp.page",
    "market.tick",
    "req.form",
    "req.move",
    "req.page",
    "risk.ack",
    "risk.form",
    "risk.page",
    "score.form",
    "score.history_page",
    "standup.form",
    "supplier.page",
)
WORDS = (
    "add", "list", "show", "edit", "tz", "lang", "help", "top", "rice", "ice", "moscow", "watch", "settings",
    "figure", "token", "schedule", "always", "on", "off", "approve", "REQ-1", "REQ-2", "RISK-1", "EXP-1",
    "America", "Asia/Shanghai", "Etc", "UTC", "US", "DE", "JP", "CN-US", "，", "、", "；", "=", "＝", "：",
    "market=", "title=", "due=", "owner=", "reach=", "impact=", "confidence=", "effort=", "status=",
    "<@U1|ana>", "<@U2>", "<!channel>", "<https://evil.example|x>", "&lt;", "&amp;", "“", "”", "'", '"',
    "「", "」", "1e400", "9" * 30, "-0", "NaN", "inf", "+999w", "+1d", "2026-02-30", "12月32日", "today",
    "\x00", "\t", "\u3000", "\u202e", "\ufeff", "😀", "٣", "１２", "zh-CN", "en", "fr", "%00", "../..",
)  # fmt: skip
ODD_STRINGS = (
    "", " ", "\x00", "a\x00b", "\u202egnp.exe", "😀" * 50, "<!channel>", "<@U1>", "&lt;", "%00", "../../etc",
    "REQ-1", "{", "[]", "null", "０", "٣", "x" * 3_000, "Ω" * 500, "\ud7ff", "𠀀", "\\u0000",
)  # fmt: skip
ODD_NUMBERS = (0, -1, 1, 2**31, 2**53 + 1, 2**63, -(2**63) - 1, 10**30, 1.5, -0.0, 1e308, True, False)
ODD_TIMESTAMPS = ("abc", "1e10", "０", "-1", "", "9" * 40, "nan", "0x10", "1_700_000_000", "１７")


@dataclass(frozen=True)
class FuzzCase:
    n: int
    kind: str
    path: str
    content_type: str
    body: bytes
    signing: str  # "valid", "none", "ts:<odd timestamp>", "sig:<odd signature>", "stale", "token:<bearer>"

    @property
    def signed(self) -> bool:
        """Signed as the platform signs (or, for figures, carrying the workspace's real token)."""
        return self.signing == "valid"


def corpus(response_url: str, size: int = SIZE, seed: int = SEED, start: int = 0) -> list[FuzzCase]:
    """Cases start..start+size; commands and clicks name `response_url` for their follow-ups (a server
    that answers them, such as the Slack-like one of the tests), the one thing not drawn from the seed."""
    return [case(n, response_url, seed) for n in range(start, start + size)]


def case(n: int, response_url: str, seed: int = SEED) -> FuzzCase:
    rng = random.Random(f"{seed}:{n}")
    kind = rng.choices(list(BUILDERS), weights=[w for w, _ in BUILDERS.values()])[0]
    return BUILDERS[kind][1](rng, n, kind, response_url)


def materialise(fuzz: FuzzCase, now: int, figure_token: str | None = None) -> Probe:
    """The case as a request at time `now`: its headers signed (or not) as its `signing` says."""
    headers = {"Content-Type": fuzz.content_type}
    mode, _, odd = fuzz.signing.partition(":")
    if fuzz.path == "/slack/events":
        ts = odd if mode == "ts" else str(now - 600 if mode == "stale" else now)
        if mode != "none":
            headers["X-Slack-Request-Timestamp"] = ts
            headers["X-Slack-Signature"] = odd if mode == "sig" else slack_sign(fuzz.body, ts)
    elif fuzz.path == "/lark/events":
        ts = odd if mode == "ts" else str(now - 600 if mode == "stale" else now)
        nonce = f"nonce{fuzz.n}"
        if mode != "none":
            headers["X-Lark-Request-Timestamp"] = ts
            headers["X-Lark-Request-Nonce"] = nonce
            headers["X-Lark-Signature"] = odd if mode == "sig" else signature(ts, nonce, fuzz.body)
    elif mode == "valid" and figure_token:
        headers["Authorization"] = f"Bearer {figure_token}"
    elif mode == "token" and odd:
        headers["Authorization"] = f"Bearer {odd}"
    return Probe(f"fuzz #{fuzz.n} ({fuzz.kind}, {fuzz.signing[:20]})", fuzz.path, headers, fuzz.body)


def _signing(rng: random.Random, path: str) -> str:
    if rng.random() < 0.55:
        return "valid"
    mode = rng.choice(("none", "ts", "sig", "stale"))
    if mode == "ts":
        return "ts:" + rng.choice(ODD_TIMESTAMPS)
    if mode == "sig":
        hex_digits = "".join(rng.choice("0123456789abcdef") for _ in range(64))
        prefix = "v0=" if path == "/slack/events" else ""
        return "sig:" + rng.choice((prefix + hex_digits, "v1=" + hex_digits, hex_digits[:10], "v0=" + "g" * 64))
    return mode


def _text(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(0, 8))]
    glue = rng.choice((" ", " ", " ", "", "\u3000"))
    return glue.join(words)


def _odd(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if roll < 0.35:
        return rng.choice(ODD_STRINGS)
    if roll < 0.6:
        return rng.choice(ODD_NUMBERS)
    if roll < 0.7:
        return None
    if roll < 0.8 or depth > 2:
        return _text(rng)
    if roll < 0.9:
        return [_odd(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(("a", "p", "id", "value", "type", "")): _odd(rng, depth + 1) for _ in range(rng.randint(0, 3))}


def _nested(rng: random.Random) -> Any:
    value: Any = _odd(rng)
    for _ in range(rng.choice((10, 70, 300, 3_000))):
        value = [value] if rng.random() < 0.5 else {"a": value}
    return value


def _mutate(tree: Any, rng: random.Random, times: int) -> Any:
    """`times` random edits somewhere in a JSON-like tree (which is changed in place, and returned)."""
    for _ in range(times):
        holder, key = _pick(tree, rng)
        if holder is None:
            tree = _odd(rng)
            continue
        op = rng.random()
        if op < 0.25 and isinstance(holder, dict):
            holder.pop(key, None)
        elif op < 0.85:
            holder[key] = _odd(rng)
        elif op < 0.92:
            holder[key] = _nested(rng)
        else:
            holder[key] = [holder[key]]
    return tree


def _pick(tree: Any, rng: random.Random) -> tuple[Any, Any]:
    """A random (container, key) inside the tree; (None, None) for a tree with no containers."""
    found: list[tuple[Any, Any]] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, child in items:
            found.append((node, key))
            if isinstance(child, (dict, list)) and len(found) < 500:
                stack.append(child)
    return rng.choice(found) if found else (None, None)


def _bytes(raw: bytes, rng: random.Random) -> bytes:
    """Now and then, damage the bytes themselves."""
    roll = rng.random()
    if roll < 0.85 or not raw:
        return raw
    at = rng.randrange(len(raw))
    if roll < 0.9:
        return raw[:at]
    if roll < 0.95:
        return raw[:at] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 8))) + raw[at:]
    return raw[:at] + b"\x00" + raw[at + 1 :]


def _dumps(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)
    except (RecursionError, ValueError):
        return "[" * 5_000 + "]" * 5_000


def _slack_command(rng: random.Random, n: int, kind: str, url: str) -> FuzzCase:
    command = rng.choice(COMMANDS) if rng.random() < 0.97 else rng.choice(("/zzz", "", "/", "req", "/" + "x" * 80))
    fields: dict[str, Any] = slack_command_fields(_text(rng), command, trigger_id=f"t{n}", user_id=f"U{n % 5}")
    fields["response_url"] = url
    for _ in range(rng.choice((0, 0, 1, 2))):
        name = rng.choice(list(fields))
        if rng.random() < 0.3:
            del fields[name]
        else:
            fields[name] = str(_odd(rng))
    body = urlencode(fields).encode()
    if rng.random() < 0.05:
        body += b"&" + urlencode({"command": "/pm"}).encode()  # a field given twice
    return FuzzCase(n, kind, "/slack/events", FORM, _bytes(body, rng), _signing(rng, "/slack/events"))


def _button_value(rng: random.Random) -> Any:
    """What a button carries: mostly the bot's own {"a": action, "p": payload} with odd payload values."""
    payload = {rng.choice(("id", "p", "o", "to", "from", "f", "d", "k", "r", "m")): _odd(rng) for _ in range(3)}
    return {"a": rng.choice(ACTIONS), "p": payload} if rng.random() < 0.85 else _odd(rng)


def _slack_click(rng: random.Random, n: int, kind: str, url: str) -> FuzzCase:
    value = _button_value(rng)
    payload = _block_actions(_dumps(value) if isinstance(value, dict) else value, response_url=url, trigger_id=f"t{n}")
    payload["user"]["id"] = f"U{n % 5}"
    payload["actions"][0]["action_ts"] = f"{1_700_000_000 + n}.000200"
    payload = _mutate(payload, rng, rng.choice((0, 1, 1, 2, 3)))
    body = ("payload=" + _quote(_dumps(payload))).encode()
    return FuzzCase(n, kind, "/slack/events", FORM, _bytes(body, rng), _signing(rng, "/slack/events"))


def _slack_view(rng: random.Random, n: int, kind: str, url: str) -> FuzzCase:
    element_kinds = ("plain_text_input", "datepicker", "static_select", "multi_static_select", "users_select")
    values = {}
    for name in rng.sample(("title", "due", "markets", "owner", "reach", "impact", "reason", "note"), 3):
        element_kind = rng.choice(element_kinds)
        value_key = {
            "datepicker": "selected_date",
            "static_select": "selected_option",
            "multi_static_select": "selected_options",
            "users_select": "selected_user",
        }.get(element_kind, "value")
        values[name] = {"a": {"type": element_kind, value_key: _odd(rng)}}
    metadata = json.dumps({"c": "C1", "p": {"id": _odd(rng)}}) if rng.random() < 0.8 else str(_odd(rng))
    payload = view_submission(rng.choice(ACTIONS), values, private_metadata=metadata)
    payload = _mutate(payload, rng, rng.choice((0, 1, 2)))
    body = ("payload=" + _quote(_dumps(payload))).encode()
    return FuzzCase(n, kind, "/slack/events", FORM, _bytes(body, rng), _signing(rng, "/slack/events"))


def _slack_event(rng: random.Random, n: int, kind: str, url: str) -> FuzzCase:
    event = {
        "type": rng.choice(("app_mention", "message", "file_shared", "reaction_added")),
        "user": f"U{n % 5}",
        "text": "<@UBOT> " + rng.choice(COMMANDS)[1:] + " " + _text(rng),
        "channel": rng.choice(("C1", "D1")),
        "channel_type": rng.choice(("channel", "im")),
        "ts": f"{1_700_000_000 + n}.000100",
    }
    envelope = slack_event(event, event_id=f"Ev{SEED}{n}", event_time=1_700_000_000 + n)
    envelope = _mutate(envelope, rng, rng.choice((0, 1, 2)))
    body = _dumps(envelope).encode()
    return FuzzCase(n, kind, "/slack/events", JSON, _bytes(body, rng), _signing(rng, "/slack/events"))


def _lark_message(rng: random.Random, n: int, kind: str, url: str) -> FuzzCase:
    message = lark_message(rng.choice(COMMANDS) + " " + _text(rng), message_id=f"om_fuzz_{n}")
    message["sender"]["sender_id"]["open_id"] = f"ou_fuzz_{n % 5}"
    if rng.random() < 0.2:
        message["message"]["message_type"] = rng.choice(("post", "file", "image"))
        message["message"]["content"] = _dumps(_mutate({"content": [[{"tag": "text", "text": _text(rng)}]]}, rng, 1))
    payload = _mutate(_lark_event("im.message.receive_v1", message, n), rng, rng.choice((0, 1, 2)))
    return _lark(rng, n, kind, payload)


def _lark_click(rng: random.Random, n: int, kind: str, url: str) -> FuzzCase:
    value = _button_value(rng)
    event = lark_click(value if rng.random() < 0.5 else _dumps(value))
    event["operator"]["open_id"] = f"ou_fuzz_{n % 5}"
    if rng.random() < 0.4:
        event["action"]["form_value"] = {rng.choice(("title", "due", "reason")): _odd(rng) for _ in range(2)}
        if isinstance(value, dict):
            value["f"], value["d"] = 1, rng.choice((["due"], 5, [1], None))
    payload = _mutate(_lark_event("card.action.trigger", event, n), rng, rng.choice((0, 1, 2)))
    return _lark(rng, n, kind, payload)


def _lark_event(kind: str, event: dict[str, Any], n: int) -> dict[str, Any]:
    return lark_event(kind, event, event_id=f"ev_fuzz_{n}", create_time=str(1_700_000_000_000 + n))


def _lark(rng: random.Random, n: int, kind: str, payload: Any) -> FuzzCase:
    plain = _dumps(payload)
    body = json.dumps({"encrypt": _encrypt(plain, rng)}).encode() if rng.random() < 0.9 else plain.encode()
    return FuzzCase(n, kind, "/lark/events", JSON, _bytes(body, rng), _signing(rng, "/lark/events"))


def _figures(rng: random.Random, n: int, kind: str, url: str) -> FuzzCase:
    body: Any = {"name": rng.choice(("fx.USDCNY", "freight.CN-US.40ft", "x")), "value": 7.1}
    if rng.random() < 0.4:
        body = {"figures": {"fx.USDCNY": 7.2, "fx.EURCNY": "7,9"}}
    raw = _dumps(_mutate(body, rng, rng.choice((0, 1, 2, 3)))).encode()
    signing = "valid" if rng.random() < 0.5 else "token:" + rng.choice(("", "twf_x", "t" * 300, "令牌", "x y"))
    return FuzzCase(n, kind, "/api/figures", JSON, _bytes(raw, rng), signing)


def _garbage(rng: random.Random, n: int, kind: str, url: str) -> FuzzCase:
    path = rng.choice(("/slack/events", "/lark/events", "/api/figures"))
    raw = bytes(rng.randrange(256) for _ in range(rng.choice((0, 1, 16, 300))))
    content_type = rng.choice((FORM, JSON, "text/plain", "multipart/form-data; boundary=x", ""))
    return FuzzCase(n, kind, path, content_type, raw, _signing(rng, path))


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)


def _encrypt(plain: str, rng: random.Random, key: str = ENCRYPT_KEY) -> str:
    """As Lark encrypts (tests/support/lark_requests.encrypt), with an IV drawn from the case's generator."""
    data = plain.encode()
    pad = 16 - len(data) % 16
    iv = bytes(rng.randrange(256) for _ in range(16))
    cipher = AES.new(hashlib.sha256(key.encode()).digest(), AES.MODE_CBC, iv)
    return base64.b64encode(iv + cipher.encrypt(data + bytes([pad]) * pad)).decode()


Builder = Callable[[random.Random, int, str, str], FuzzCase]
BUILDERS: dict[str, tuple[float, Builder]] = {
    "slack command": (0.26, _slack_command),
    "slack click": (0.16, _slack_click),
    "slack view": (0.10, _slack_view),
    "slack event": (0.08, _slack_event),
    "lark message": (0.16, _lark_message),
    "lark click": (0.12, _lark_click),
    "figures": (0.07, _figures),
    "garbage": (0.05, _garbage),
}
