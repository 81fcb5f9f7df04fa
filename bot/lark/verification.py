"""Checking that a request comes from Lark: the encrypted body, the signature, its age and the token.

Lark signs with plain SHA-256 (not HMAC) over timestamp + nonce + encrypt key + the raw body, and
encrypts the body with AES-256-CBC under SHA-256(encrypt key) when an Encrypt Key is configured. The
SDK checks neither the timestamp's age nor compares in constant time, so this is done here.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

from lark_oapi.core.utils import AESCipher

from bot.safe_json import NotJson, loads_object

MAX_AGE_S = 300  # older (or further in the future) requests are replays
TIMESTAMP = "X-Lark-Request-Timestamp"
NONCE = "X-Lark-Request-Nonce"
SIGNATURE = "X-Lark-Signature"
DIGITS = re.compile(r"[0-9]{1,12}")  # not float(): it takes "nan", which is never too old
HEX_DIGEST = re.compile(r"[0-9a-fA-F]{64}")
MAX_NONCE = 128


class Rejected(Exception):
    """The request cannot be shown to come from Lark; answered with `status` and nothing done."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class LarkVerifier:
    def __init__(
        self,
        verification_token: str | None,
        encrypt_key: str | None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.token = verification_token or ""
        self.encrypt_key = encrypt_key or ""
        self.clock = clock
        self._cipher = AESCipher(self.encrypt_key) if self.encrypt_key else None

    def verify(self, body: bytes, headers: Mapping[str, str]) -> dict[str, Any]:
        """The request's JSON payload (decrypted), or Rejected.

        `headers` must look names up case-insensitively (Starlette's do).
        """
        outer = _json_object(body, status=400)
        payload = self._decrypt(outer) if "encrypt" in outer else outer
        if payload.get("type") == "url_verification":
            # Answered before any signature: Lark sends the challenge when the URL is saved.
            self._check_token(payload.get("token"))
            return payload
        if self.encrypt_key:
            self._check_signature(body, headers)
        header = payload.get("header") if isinstance(payload.get("header"), dict) else {}
        self._check_token(header.get("token") if payload.get("schema") else payload.get("token"))
        return payload

    def sign(self, timestamp: str, nonce: str, body: bytes) -> str:
        return hashlib.sha256((timestamp + nonce + self.encrypt_key).encode() + body).hexdigest()

    def _decrypt(self, outer: dict[str, Any]) -> dict[str, Any]:
        if self._cipher is None:
            raise Rejected(400, "encrypted body but LARK_ENCRYPT_KEY is not set")
        try:
            plain = self._cipher.decrypt_str(str(outer["encrypt"]))
        except (ValueError, UnicodeDecodeError, TypeError) as err:
            raise Rejected(401, "body cannot be decrypted with this encrypt key") from err
        return _json_object(plain.encode(), status=401)

    def _check_signature(self, body: bytes, headers: Mapping[str, str]) -> None:
        timestamp, nonce, signature = headers.get(TIMESTAMP), headers.get(NONCE), headers.get(SIGNATURE)
        if not (timestamp and nonce and signature):
            raise Rejected(401, "unsigned request")
        if not DIGITS.fullmatch(timestamp) or not HEX_DIGEST.fullmatch(signature) or len(nonce) > MAX_NONCE:
            raise Rejected(401, "malformed signature headers")
        if not hmac.compare_digest(self.sign(timestamp, nonce, body), signature.lower()):
            raise Rejected(401, "bad signature")
        if abs(self.clock() - int(timestamp)) > MAX_AGE_S:
            raise Rejected(401, "stale timestamp (replay?)")

    def _check_token(self, token: Any) -> None:
        if not self.token:
            return
        if not isinstance(token, str) or not hmac.compare_digest(token.encode(), self.token.encode()):
            raise Rejected(401, "wrong verification token")


def _json_object(raw: bytes, *, status: int) -> dict[str, Any]:
    try:
        return loads_object(raw)
    except NotJson as err:
        raise Rejected(status, f"body: {err}") from err
