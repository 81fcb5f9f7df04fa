"""What a failed call to Slack or Lark means for the row that made it: try again (when), or give up."""

from __future__ import annotations

import http.client
import socket
import urllib.error
from dataclasses import dataclass

from bot.notify import ChannelUnreachable

# Slack answers these with ok: false when the fault is its own.
SLACK_TRANSIENT = {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"}
LARK_RATE_LIMITED = 99991400


@dataclass(frozen=True)
class Verdict:
    retry: bool
    ambiguous: bool = False  # the platform may have acted before the answer was lost
    wait_s: float | None = None  # the platform said how long (Retry-After, x-ogw-ratelimit-reset)
    reason: str = ""


def judge(err: BaseException) -> Verdict:
    if isinstance(err, ChannelUnreachable):
        return Verdict(retry=False, reason="channel unreachable")
    slack = _slack(err)
    if slack is not None:
        return slack
    lark = _lark(err)
    if lark is not None:
        return lark
    if isinstance(err, TimeoutError | socket.timeout):
        return Verdict(retry=True, ambiguous=True, reason="timed out")
    if isinstance(err, ConnectionRefusedError):
        return Verdict(retry=True, reason="connection refused")
    if isinstance(err, ConnectionError | http.client.HTTPException):
        return Verdict(retry=True, ambiguous=True, reason=f"connection lost: {type(err).__name__}")
    if isinstance(err, urllib.error.URLError):
        refused = isinstance(err.reason, ConnectionRefusedError)
        return Verdict(retry=True, ambiguous=not refused, reason=f"unreachable: {err.reason}")
    try:
        import requests

        if isinstance(err, requests.exceptions.ConnectTimeout | requests.exceptions.ConnectionError):
            ambiguous = not isinstance(err, requests.exceptions.ConnectTimeout)
            return Verdict(retry=True, ambiguous=ambiguous, reason=type(err).__name__)
        if isinstance(err, requests.exceptions.Timeout):
            return Verdict(retry=True, ambiguous=True, reason="timed out")
    except ImportError:  # pragma: no cover
        pass
    return Verdict(retry=False, reason=f"{type(err).__name__}: {err}"[:300])


def _slack(err: BaseException) -> Verdict | None:
    try:
        from slack_sdk.errors import SlackApiError
    except ImportError:  # pragma: no cover
        return None
    if not isinstance(err, SlackApiError):
        return None
    status = getattr(err.response, "status_code", 200)
    code = err.response.get("error") if err.response is not None else None
    if status == 429:
        headers = getattr(err.response, "headers", {}) or {}
        after = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
        return Verdict(retry=True, wait_s=_seconds(after, 1.0), reason="429")
    if status >= 500 or code in SLACK_TRANSIENT:
        return Verdict(retry=True, reason=f"{status} {code}")
    return Verdict(retry=False, reason=f"refused: {code}")


def _lark(err: BaseException) -> Verdict | None:
    from bot.lark.client import LarkApiError

    if not isinstance(err, LarkApiError):
        return None
    if err.code == LARK_RATE_LIMITED:
        return Verdict(retry=True, wait_s=getattr(err, "reset_s", None) or 1.0, reason="rate limited")
    if err.code is None or (err.code >= 500 and err.code < 600) or str(err.code).startswith("5"):
        return Verdict(retry=True, ambiguous=err.code is None, reason=f"code {err.code}")
    return Verdict(retry=False, reason=f"refused: code {err.code} {err.msg}")


def _seconds(value: str | None, default: float) -> float:
    try:
        return max(0.0, float(value)) if value is not None else default
    except ValueError:
        return default
