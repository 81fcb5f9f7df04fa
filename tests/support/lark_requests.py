"""Requests built, encrypted and signed exactly as Lark builds them, sent over real HTTP to /lark/events.

Lark encrypts the JSON with AES-256-CBC (key = SHA-256 of the Encrypt Key, a random 16-byte IV in
front, PKCS#7 padding, base64) and sends {"encrypt": ...}; it signs the body as sent with
SHA-256(timestamp + nonce + encrypt key + body). Written here from that description with
pycryptodome, independently of the SDK code the bot uses to decrypt.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import os
import re
import time
from dataclasses import dataclass
from typing import Any

import httpx
from Crypto.Cipher import AES

from tests.fakes.lark_api import APP_ID, BOT_OPEN_ID, FakeLark

VERIFICATION_TOKEN = "v-lark-verification-token"
ENCRYPT_KEY = "lark-encrypt-key-for-the-tests"


def encrypt(plain: str, key: str = ENCRYPT_KEY) -> str:
    data = plain.encode()
    pad = 16 - len(data) % 16
    iv = os.urandom(16)
    cipher = AES.new(hashlib.sha256(key.encode()).digest(), AES.MODE_CBC, iv)
    return base64.b64encode(iv + cipher.encrypt(data + bytes([pad]) * pad)).decode()


def signature(timestamp: str, nonce: str, body: bytes, key: str = ENCRYPT_KEY) -> str:
    return hashlib.sha256((timestamp + nonce + key).encode() + body).hexdigest()


@dataclass(frozen=True)
class LarkUser:
    open_id: str = "ou_ana"
    tenant: str = "tenant_acme"
    chat: str = "oc_product"
    name: str = "ana"


class LarkSender:
    """Messages, card clicks, form submissions and challenges into the bot's /lark/events."""

    def __init__(
        self,
        base_url: str,
        fake: FakeLark | None = None,
        *,
        token: str = VERIFICATION_TOKEN,
        encrypt_key: str = ENCRYPT_KEY,
    ) -> None:
        self.url = f"{base_url}/lark/events"
        self.fake = fake
        self.token = token
        self.encrypt_key = encrypt_key
        self.http = httpx.Client(timeout=10)
        self._n = itertools.count(1)

    def close(self) -> None:
        self.http.close()

    def message(
        self,
        text: str,
        *,
        who: LarkUser | None = None,
        chat_type: str = "group",
        mention_bot: bool | None = None,
        people: dict[str, str] | None = None,
        event_id: str | None = None,
        message_id: str | None = None,
        parent_id: str | None = None,
        **send: Any,
    ) -> httpx.Response:
        """A text message as Lark delivers it (in reply to `parent_id`, when given): `@name` for each name
        in `people` (name → open_id) becomes a mention placeholder; in a group the bot is mentioned first
        unless told otherwise."""
        who = who or LarkUser()
        n = next(self._n)
        mentions: list[dict[str, Any]] = []

        def mention(open_id: str, name: str) -> str:
            key = f"@_user_{len(mentions) + 1}"
            ids = {"open_id": open_id, "union_id": f"on_{open_id}", "user_id": None}
            mentions.append({"key": key, "id": ids, "name": name, "tenant_key": who.tenant})
            return key

        addressed = chat_type == "group" if mention_bot is None else mention_bot
        lead = mention(BOT_OPEN_ID, "Tradewind") + " " if addressed else ""
        for name, open_id in (people or {}).items():
            text = re.sub(f"@{re.escape(name)}(?![\\w])", lambda _m, o=open_id, nm=name: mention(o, nm), text)
        message_id = message_id or f"om_user_{n}"
        if self.fake is not None:
            self.fake.chats[message_id] = who.chat
        event = {
            "sender": {
                "sender_id": {"open_id": who.open_id, "union_id": f"on_{who.open_id}", "user_id": None},
                "sender_type": "user",
                "tenant_key": who.tenant,
            },
            "message": {
                "message_id": message_id,
                "create_time": str(int(time.time() * 1000)),
                "chat_id": who.chat,
                "chat_type": chat_type,
                "message_type": "text",
                "content": json.dumps({"text": lead + text}, ensure_ascii=False),
                "mentions": mentions,
            },
        }
        if parent_id:
            event["message"] |= {"parent_id": parent_id, "root_id": parent_id}
        return self.event("im.message.receive_v1", event, who=who, event_id=event_id, **send)

    def file(
        self,
        name: str,
        content: bytes,
        *,
        who: LarkUser | None = None,
        chat_type: str = "group",
        parent_id: str | None = None,
        root_id: str | None = None,
        message_type: str = "file",
        event_id: str | None = None,
        **send: Any,
    ) -> httpx.Response:
        """A file message as Lark delivers it (in reply to `parent_id`, in the thread of `root_id`); the
        Lark-like server serves its bytes to whoever asks with a tenant token."""
        who = who or LarkUser()
        n = next(self._n)
        message_id, file_key = f"om_file_{n}", f"file_v3_{n}"
        if self.fake is not None:
            self.fake.chats[message_id] = who.chat
            self.fake.serve_file(message_id, file_key, name, content)
        message: dict[str, Any] = {
            "message_id": message_id,
            "create_time": str(int(time.time() * 1000)),
            "chat_id": who.chat,
            "chat_type": chat_type,
            "message_type": message_type,
            "content": json.dumps({"file_key": file_key, "file_name": name}, ensure_ascii=False),
        }
        if parent_id:
            message["parent_id"] = parent_id
            message["root_id"] = root_id or parent_id
        event = {
            "sender": {
                "sender_id": {"open_id": who.open_id, "union_id": f"on_{who.open_id}", "user_id": None},
                "sender_type": "user",
                "tenant_key": who.tenant,
            },
            "message": message,
        }
        return self.event("im.message.receive_v1", event, who=who, event_id=event_id, **send)

    def click(
        self, button: dict[str, Any], *, who: LarkUser | None = None, message_id: str = "om_card", **send: Any
    ) -> httpx.Response:
        """Press a button element taken from a card."""
        value = next(b["value"] for b in button["behaviors"] if b["type"] == "callback")
        return self.card_action({"value": value, "tag": "button"}, who=who, message_id=message_id, **send)

    def submit(
        self,
        card: dict[str, Any],
        values: dict[str, Any],
        *,
        who: LarkUser | None = None,
        message_id: str = "om_form",
        **send: Any,
    ) -> httpx.Response:
        """Submit the form in a card with these field values (date pickers send "2026-09-01 +0800")."""
        submit = next(b for b in buttons(card) if b.get("form_action_type") == "submit")
        value = next(b["value"] for b in submit["behaviors"] if b["type"] == "callback")
        action = {"value": value, "tag": "button", "name": submit.get("name"), "form_value": values}
        return self.card_action(action, who=who, message_id=message_id, **send)

    def card_action(
        self, action: dict[str, Any], *, who: LarkUser | None = None, message_id: str = "om_card", **send: Any
    ) -> httpx.Response:
        who = who or LarkUser()
        event = {
            "operator": {"tenant_key": who.tenant, "user_id": None, "open_id": who.open_id},
            "token": f"c-{next(self._n)}",
            "action": action,
            "host": "im_message",
            "context": {"open_message_id": message_id, "open_chat_id": who.chat},
        }
        return self.event("card.action.trigger", event, who=who, **send)

    def event(
        self, event_type: str, event: dict[str, Any], *, who: LarkUser, event_id: str | None = None, **send: Any
    ) -> httpx.Response:
        payload = {
            "schema": "2.0",
            "header": {
                "event_id": event_id or f"ev_{next(self._n)}_{time.monotonic_ns()}",
                "token": self.token,
                "create_time": str(int(time.time() * 1000)),
                "event_type": event_type,
                "tenant_key": who.tenant,
                "app_id": APP_ID,
            },
            "event": event,
        }
        return self.post(payload, **send)

    def challenge(self, challenge: str = "ch-123", **send: Any) -> httpx.Response:
        return self.post({"challenge": challenge, "token": self.token, "type": "url_verification"}, **send)

    def post(
        self,
        payload: dict[str, Any],
        *,
        timestamp: int | None = None,
        encrypted: bool = True,
        signed: bool = True,
        sign_key: str | None = None,
    ) -> httpx.Response:
        plain = json.dumps(payload, ensure_ascii=False)
        body = json.dumps({"encrypt": encrypt(plain, self.encrypt_key)}) if encrypted else plain
        raw = body.encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if signed:
            ts, nonce = str(int(time.time()) if timestamp is None else timestamp), os.urandom(8).hex()
            headers |= {
                "X-Lark-Request-Timestamp": ts,
                "X-Lark-Request-Nonce": nonce,
                "X-Lark-Signature": signature(ts, nonce, raw, sign_key or self.encrypt_key),
            }
        return self.http.post(self.url, content=raw, headers=headers)


def buttons(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every button in a card, in order, wherever it sits (rows, forms)."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("tag") == "button":
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card.get("body", {}))
    return found


def button(card: dict[str, Any], label: str) -> dict[str, Any]:
    for element in buttons(card):
        if element["text"]["content"] == label:
            return element
    raise AssertionError(f"no button {label!r} in {[b['text']['content'] for b in buttons(card)]}")


def card_text(card: dict[str, Any]) -> str:
    """All visible text of a card (header, markdown, plain text), for assertions."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("tag") in ("markdown", "plain_text", "lark_md") and isinstance(node.get("content"), str):
                parts.append(node["content"])
            for key, value in node.items():
                if key != "behaviors":
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk({"header": card.get("header"), "body": card.get("body")})
    return "\n".join(parts)
