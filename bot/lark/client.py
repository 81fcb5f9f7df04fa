"""The Lark Open API client: built for LARK_DOMAIN, with rate-limit retries and the bot's own identity."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import lark_oapi as lark
import requests
from lark_oapi.core.enum import AccessTokenType, HttpMethod
from lark_oapi.core.model import BaseRequest, BaseResponse

from bot.settings import Settings

log = logging.getLogger(__name__)

RATE_LIMITED = {99991400, 230020}  # app-wide frequency limit; per-chat message limit
RETRIES = 3
MAX_WAIT_S = 5.0
TIMEOUT_S = 10.0


class LarkApiError(Exception):
    def __init__(self, what: str, code: int | None, msg: str | None) -> None:
        super().__init__(f"{what}: code {code}: {msg}")
        self.code = code
        self.msg = msg


def make_client(settings: Settings, *, timeout: float = TIMEOUT_S) -> lark.Client:
    return (
        lark.Client.builder()
        .app_id(settings.lark_app_id or "")
        .app_secret(settings.lark_app_secret or "")
        .domain(settings.lark_domain)
        .timeout(timeout)
        .log_level(lark.LogLevel.WARNING)
        .build()
    )


APPLINKS = {
    "https://open.feishu.cn": "https://applink.feishu.cn",
    "https://open.larksuite.com": "https://applink.larksuite.com",
}


def applink_origin(domain: str) -> str | None:
    """Where Lark's AppLinks (links that open a chat in the client) live for this domain; None for a
    private or test deployment, whose chats cannot be linked."""
    return APPLINKS.get(domain)


def call(what: str, send: Callable[[], BaseResponse], *, sleep: Callable[[float], None] = time.sleep) -> Any:
    """Run one Open API call; retry when Lark says to slow down; raise LarkApiError on failure."""
    for attempt in range(RETRIES + 1):
        try:
            response = send()
        except requests.exceptions.ReadTimeout as err:
            # Sent, but no answer in time: Lark may have acted on it. A TimeoutError says so to callers
            # that must never do a thing twice (a digest is then not posted again; bot/digest_poster.py).
            raise TimeoutError(f"{what}: no answer in time") from err
        except ValueError as err:  # a body that is not JSON (a proxy's error page)
            raise LarkApiError(what, None, str(err)) from err
        if response.success():
            return getattr(response, "data", None)
        status = response.raw.status_code if response.raw else None
        if (response.code in RATE_LIMITED or status == 429) and attempt < RETRIES:
            sleep(_wait(response, attempt))
            continue
        raise LarkApiError(what, response.code, response.msg)
    raise AssertionError("unreachable")


def _wait(response: BaseResponse, attempt: int) -> float:
    headers = response.raw.headers if response.raw else {}
    reset = {k.lower(): v for k, v in (headers or {}).items()}.get("x-ogw-ratelimit-reset")
    try:
        return min(float(reset), MAX_WAIT_S) if reset else min(0.5 * 2**attempt, MAX_WAIT_S)
    except ValueError:
        return 1.0


class BotIdentity:
    """The bot's own open_id (GET /open-apis/bot/v3/info), to tell its mention from other people's.

    Fetched in the background (again at most once a minute after a failure); until it is known, a
    leading mention is taken to be the bot.
    """

    RETRY_AFTER_S = 60.0

    def __init__(self, client: lark.Client) -> None:
        self.client = client
        self._open_id: str | None = None
        self._lock = threading.Lock()
        self._fetching = False
        self._next_try = 0.0

    def open_id(self) -> str | None:
        if self._open_id is None:
            self.prefetch()
        return self._open_id

    def prefetch(self) -> None:
        with self._lock:
            if self._fetching or self._open_id is not None or time.monotonic() < self._next_try:
                return
            self._fetching = True
            self._next_try = time.monotonic() + self.RETRY_AFTER_S
        threading.Thread(target=self._fetch, name="lark-bot-info", daemon=True).start()

    def _fetch(self) -> None:
        try:
            request = (
                BaseRequest.builder()
                .http_method(HttpMethod.GET)
                .uri("/open-apis/bot/v3/info")
                .token_types({AccessTokenType.TENANT})
                .build()
            )
            response = self.client.request(request)
            body = json.loads(response.raw.content) if response.raw and response.raw.content else {}
            self._open_id = (body.get("bot") or {}).get("open_id") or None
            if self._open_id is None:
                log.warning("Lark bot info without an open_id: %s", body.get("msg"))
        except Exception:
            log.warning("could not read the Lark bot's open_id; leading mentions count as the bot", exc_info=True)
        finally:
            with self._lock:
                self._fetching = False
