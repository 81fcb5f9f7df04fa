"""A Slack-Web-API-like HTTP server on 127.0.0.1 that answers the calls the bot makes and records them."""

from __future__ import annotations

import base64
import json
import math
import random
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

BOT_USER = "UBOT"
# What real Slack refuses in a message, checked on every call that carries blocks (counted here on its own,
# not with the bot's code): more than 50 blocks, a section over 3,000 characters or a header over 150
# (`invalid_blocks`), and more than about 12,000 characters of text in all the blocks (`msg_blocks_too_long`).
BLOCK_METHODS = ("chat.postMessage", "chat.update", "chat.postEphemeral", "response_url", "views.publish")
MAX_BLOCKS, MAX_SECTION, MAX_HEADER, MAX_BLOCK_TEXT = 50, 3000, 150, 12_000
MAX_VIEW_BLOCKS = 100  # a modal or a Home tab
CODE_TTL_S = 600  # an OAuth code is good for ten minutes, once
# The bodies Slack sends with its 5xx answers.
SERVER_ERRORS = {500: "internal_error", 502: "bad_gateway", 503: "service_unavailable", 504: "request_timeout"}


@dataclass
class Call:
    method: str  # "chat.postMessage"; "response_url" for posts to a response URL; "upload" for file bytes;
    # "file_download" for a GET of a served file
    body: dict[str, Any]
    token: str | None
    path: str
    raw: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Chaos:
    """Faults on a seeded schedule: a share of the calls to `methods` fail one of the ways Slack does.
    "reset" closes the connection unanswered before acting; "reset_after" and "hang" act (the message
    is posted) and then close or hold the answer, so the caller cannot know it went."""

    seed: int
    rate: float = 0.3
    methods: tuple[str, ...] = ("chat.postMessage", "chat.update")
    hang_s: float = 2.0
    retry_after: int = 1
    kinds: tuple[str, ...] = ("500", "503", "429", "reset", "reset_after", "hang")
    injected: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def draw(self, method: str) -> str | None:
        if method not in self.methods or self._random.random() >= self.rate:
            return None
        kind = self._random.choice(self.kinds)
        self.injected.append(kind)
        return kind


@dataclass
class WorkspaceTier:
    """The workspace-wide part of chat.postMessage's special tier: a token bucket per workspace (team) that
    holds `burst` posts and refills at `per_minute`; a post finding it empty gets 429 with Retry-After.
    Slack publishes no figure for this cap (only "a workspace-wide limit" beside one a second per
    channel), so the default borrows Tier 4's "100+ per minute", the most any tier promises."""

    per_minute: float = 100.0
    burst: float = 100.0
    refused: int = 0  # posts answered 429 by this tier
    _tokens: dict[str, tuple[float, float]] = field(default_factory=dict)  # team → (tokens, when)

    def take(self, team: str, now: float) -> float | None:
        """None when a post may go now; otherwise the seconds until the bucket holds one again."""
        tokens, when = self._tokens.get(team, (self.burst, now))
        tokens = min(self.burst, tokens + (now - when) * self.per_minute / 60)
        if tokens < 1:
            self._tokens[team] = (tokens, now)
            self.refused += 1
            return (1 - tokens) * 60 / self.per_minute
        self._tokens[team] = (tokens - 1, now)
        return None


@dataclass
class OAuthApp:
    """A distributable app as Slack knows it: its credentials, redirect URL and token rotation."""

    client_id: str
    client_secret: str
    redirect_uri: str
    rotation: bool = False
    expires_in: int = 43_200  # seconds a rotating access token lives (Slack: 12 hours)
    app_id: str = "A1"


@dataclass
class Grant:
    """A workspace (team) that installed an app: what each code and token stands for."""

    client_id: str
    team_id: str
    team_name: str
    user_id: str
    redirect_uri: str | None = None  # as given to /oauth/v2/authorize, to be repeated to oauth.v2.access
    enterprise_id: str | None = None
    expires_at: float | None = None  # a code's, or a rotating token's
    revoked: bool = False

    @property
    def bot_user_id(self) -> str:
        return f"UB{self.team_id}"


@dataclass
class Scripted:
    status: int
    body: dict[str, Any] | None  # None: the usual answer
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to hold the answer back (the call is recorded at once)


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.files: dict[str, tuple[dict[str, Any], bytes]] = {}  # file id → (file object, content)
        self.messages: set[tuple[str, str]] = set()  # (channel, ts) of the messages in the workspace
        self._scripted: dict[str, list[Scripted]] = {}
        # What is in each channel, as conversations.history reads it: top-level messages, newest last.
        self.history: dict[str, list[dict[str, Any]]] = {}
        self.replies: dict[str, list[dict[str, Any]]] = {}  # thread replies by channel
        self.chaos: Chaos | None = None
        self.channel_pace_s: float | None = None  # chat.postMessage at most once this often per channel
        self.paced_refusals = 0  # posts answered 429 by the per-channel pace
        self.workspace_tier: WorkspaceTier | None = None  # chat.postMessage's workspace-wide cap; opt-in
        # Which workspace a channel is in, for calls made with one fixed token (an OAuth-issued token says
        # its team itself); a channel not listed counts in the token's own bucket.
        self.channel_teams: dict[str, str] = {}
        self._last_post: dict[str, float] = {}
        self.apps: dict[str, OAuthApp] = {}
        self.codes: dict[str, Grant] = {}
        self.tokens: dict[str, Grant] = {}  # bot tokens issued through OAuth
        self.refresh_tokens: dict[str, Grant] = {}
        self._lock = threading.Lock()
        self._ts = 1_700_000_000  # file ids
        self._last_ts = 0.0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                fake._handle(self)

            def do_GET(self) -> None:
                if self.path.startswith("/oauth/v2/authorize"):
                    fake._authorize(self)
                else:
                    fake._serve_file(self)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"{self.base}/response/{name}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self._scripted.clear()
            self.history.clear()
            self.replies.clear()
            self.chaos = None
            self.channel_pace_s = None
            self.paced_refusals = 0
            self.workspace_tier = None
            self.channel_teams.clear()
            self._last_post.clear()
            self.users.clear()
            self.files.clear()
            self.messages.clear()
            self.apps.clear()
            self.codes.clear()
            self.tokens.clear()
            self.refresh_tokens.clear()

    # ---- OAuth: what /oauth/v2/authorize and oauth.v2.access do for a distributed app ------------------

    @property
    def authorize_url(self) -> str:
        return f"{self.base}/oauth/v2/authorize"

    def register_app(self, app: OAuthApp) -> OAuthApp:
        with self._lock:
            self.apps[app.client_id] = app
        return app

    def uninstall(self, team_id: str) -> None:
        """The workspace removed the app: every token it was given stops working."""
        with self._lock:
            for grant in (*self.tokens.values(), *self.refresh_tokens.values()):
                if grant.team_id == team_id:
                    grant.revoked = True

    def team_of(self, token: str | None) -> str | None:
        with self._lock:
            grant = self.tokens.get(token or "")
        return grant.team_id if grant else None

    def _authorize(self, request: BaseHTTPRequestHandler) -> None:
        """The consent page, approved at once by `user` of `team` (query parameters a test adds; Slack
        itself asks which workspace): a redirect to the app's redirect URL with a one-time code."""
        query = dict(parse_qsl(urlsplit(request.path).query))
        with self._lock:
            app = self.apps.get(query.get("client_id", ""))
        given = query.get("redirect_uri")
        problem = None
        if app is None:
            problem = "invalid_client_id"
        elif given is not None and given != app.redirect_uri:
            problem = "bad_redirect_uri"
        if app is None or problem:
            body = f"<html><body>Something went wrong: {problem}</body></html>".encode()
            request.send_response(400)
            request.send_header("Content-Type", "text/html")
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            request.wfile.write(body)
            return
        team = query.get("team") or "T1"
        code = f"{team}.{secrets.token_hex(8)}"
        grant = Grant(
            client_id=app.client_id,
            team_id=team,
            team_name=query.get("team_name") or f"Team {team}",
            user_id=query.get("user") or "U1",
            redirect_uri=given,
            expires_at=time.time() + CODE_TTL_S,
        )
        with self._lock:
            self.calls.append(Call("oauth.authorize", query, None, request.path))
            self.codes[code] = grant
        back = {"code": code, **({"state": query["state"]} if "state" in query else {})}
        request.send_response(302)
        request.send_header("Location", f"{app.redirect_uri}?{urlencode(back)}")
        request.send_header("Content-Length", "0")
        request.end_headers()

    def _oauth_access(self, body: dict[str, Any], auth: str) -> dict[str, Any]:
        client_id, client_secret = body.get("client_id"), body.get("client_secret")
        if auth.startswith("Basic "):
            client_id, _, client_secret = base64.b64decode(auth[6:]).decode().partition(":")
        with self._lock:
            app = self.apps.get(client_id or "")
            if app is None:
                return {"ok": False, "error": "invalid_client_id"}
            if client_secret != app.client_secret:
                return {"ok": False, "error": "bad_client_secret"}
            if body.get("grant_type") == "refresh_token":
                grant = self.refresh_tokens.get(body.get("refresh_token", ""))
                if grant is None or grant.revoked or grant.client_id != app.client_id:
                    return {"ok": False, "error": "invalid_refresh_token"}
                return self._issue(app, grant, refreshing=body["refresh_token"])
            grant = self.codes.pop(body.get("code", ""), None)  # once, whatever happens next
            if grant is None or grant.client_id != app.client_id or (grant.expires_at or 0) < time.time():
                return {"ok": False, "error": "invalid_code"}
            if grant.redirect_uri is not None and body.get("redirect_uri") != grant.redirect_uri:
                return {"ok": False, "error": "bad_redirect_uri"}
            return self._issue(app, grant)

    def _issue(self, app: OAuthApp, grant: Grant, *, refreshing: str | None = None) -> dict[str, Any]:
        """oauth.v2.access's answer; with token rotation an expiring `xoxe.xoxb-` token and a refresh token."""
        kept = Grant(grant.client_id, grant.team_id, grant.team_name, grant.user_id, enterprise_id=grant.enterprise_id)
        answer: dict[str, Any] = {
            "ok": True,
            "app_id": app.app_id,
            "token_type": "bot",
            "scope": "commands,chat:write",
            "bot_user_id": grant.bot_user_id,
            "team": {"id": grant.team_id, "name": grant.team_name},
            "enterprise": None,
            "is_enterprise_install": False,
        }
        if app.rotation:
            token = f"xoxe.xoxb-1-{grant.team_id}-{secrets.token_hex(6)}"
            kept.expires_at = time.time() + app.expires_in
            refresh_token = refreshing or f"xoxe-1-{grant.team_id}-{secrets.token_hex(6)}"
            self.refresh_tokens[refresh_token] = kept
            answer |= {"expires_in": app.expires_in, "refresh_token": refresh_token}
        else:
            token = f"xoxb-{grant.team_id}-{secrets.token_hex(6)}"
        self.tokens[token] = kept
        answer["access_token"] = token
        if refreshing is None:
            answer["authed_user"] = {"id": grant.user_id, "scope": "", "token_type": "user"}
        return answer

    def _token_problem(self, token: str | None) -> str | None:
        """Why Slack would refuse this token, if it would: none, revoked, expired or made up."""
        if not token:
            return "not_authed"
        with self._lock:
            grant = self.tokens.get(token)
        if grant is None:
            # The fixed tokens of single-workspace tests are accepted as they always were.
            return None if token.startswith("xoxb-") else "invalid_auth"
        if grant.revoked:
            return "token_revoked"
        if grant.expires_at is not None and grant.expires_at < time.time():
            return "token_expired"
        return None

    def script(self, method: str, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        """Answer the next call to `method` this way instead of the default."""
        with self._lock:
            self._scripted.setdefault(method, []).append(Scripted(status, body, headers or {}))

    def serve_file(
        self, name: str, content: bytes, *, shares: dict[str, Any] | None = None, user: str = "U1"
    ) -> dict[str, Any]:
        """Host a file as Slack does: its object (as events, files.info and file inputs carry it) points
        at private URLs here that answer only with a bot token."""
        with self._lock:
            self._ts += 1
            file_id = f"F{self._ts}"
        url = f"{self.base}/files-pri/T1-{file_id}/{name}"
        file = {
            "id": file_id,
            "name": name,
            "title": name,
            "user": user,
            "mimetype": "text/csv",
            "filetype": name.rsplit(".", 1)[-1] if "." in name else "text",
            "size": len(content),
            "url_private": url,
            "url_private_download": url.replace(f"/{name}", f"/download/{name}"),
            "shares": shares or {},
        }
        with self._lock:
            self.files[file_id] = (file, content)
        return dict(file)

    def fail(self, method: str, status: int = 500, times: int = 1) -> None:
        """Answer the next `times` calls to `method` with a 5xx, as Slack does when it is in trouble."""
        with self._lock:
            for _ in range(times):
                body = {"ok": False, "error": SERVER_ERRORS.get(status, "internal_error")}
                self._scripted.setdefault(method, []).append(Scripted(status, body))

    def hold(self, method: str, seconds: float) -> None:
        """Answer the next call to `method` as usual, but only after `seconds` (a slow platform)."""
        with self._lock:
            self._scripted.setdefault(method, []).append(Scripted(200, None, delay=seconds))

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.calls_to(method)
            if len(found) >= count:
                return found
            time.sleep(0.01)
        raise AssertionError(f"expected {count} call(s) to {method}; got {len(self.calls_to(method))}: {self.calls}")

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        path = request.path
        if path.startswith("/upload/"):
            method, body = "upload", {}
        else:
            method = "response_url" if path.startswith("/response/") else path.removeprefix("/api/").split("?")[0]
            body = _decode(raw.decode(), request.headers.get("Content-Type", ""))
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else body.get("token")
        with self._lock:
            self.calls.append(Call(method, body, token, path, raw, dict(request.headers.items())))
            scripted = self._scripted.get(method)
            answer = scripted.pop(0) if scripted else None
            fault = self.chaos.draw(method) if self.chaos and answer is None else None
        if fault is not None and self._misbehave(request, fault, method, body, token):
            return
        if answer is None and method == "chat.postMessage":
            answer = self._paced(body, token)
        if answer is not None and answer.delay:
            time.sleep(answer.delay)
        if method == "oauth.v2.access" and answer is None:
            answer = Scripted(200, self._oauth_access(body, auth))
        if answer is None or answer.body is None:
            refused = _refusal(body, method) if method in BLOCK_METHODS else None
            # A response URL answers a refused message with HTTP 400; the Web API with ok: false.
            status = 400 if method == "response_url" else 200
            refusal = Scripted(status, {"ok": False, "error": refused}) if refused else None
            answer = refusal or self._default(method, body, token)
        payload = json.dumps(answer.body).encode()
        request.send_response(answer.status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(payload)))
        for name, value in answer.headers.items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(payload)

    def _misbehave(
        self, request: BaseHTTPRequestHandler, fault: str, method: str, body: dict[str, Any], token: str | None
    ) -> bool:
        """Carry out an injected fault; False when the call then goes on as usual."""
        assert self.chaos is not None
        if fault in ("500", "503"):
            status = int(fault)
            self._answer(request, Scripted(status, {"ok": False, "error": SERVER_ERRORS[status]}))
        elif fault == "429":
            headers = {"Retry-After": str(self.chaos.retry_after)}
            self._answer(request, Scripted(429, {"ok": False, "error": "ratelimited"}, headers))
        elif fault == "reset":
            request.close_connection = True
        else:
            answer = self._default(method, body, token)  # the platform acts...
            if fault == "hang":
                time.sleep(self.chaos.hang_s)  # ...and answers too late for the caller,
                self._answer(request, answer)
            request.close_connection = True  # ...or not at all
        return True

    def _paced(self, body: dict[str, Any], token: str | None) -> Scripted | None:
        """Slack's special tier for chat.postMessage: about one message a second per channel, and, when
        `workspace_tier` is set, a workspace-wide cap. A refused post uses up neither."""
        if self.channel_pace_s is None and self.workspace_tier is None:
            return None
        channel, now = str(body.get("channel")), time.monotonic()
        team = self.team_of(token) or self.channel_teams.get(channel) or f"token:{token}"
        with self._lock:
            last = self._last_post.get(channel)
            if self.channel_pace_s is not None and last is not None and now - last < self.channel_pace_s:
                self.paced_refusals += 1
                return _ratelimited(1)
            wait = self.workspace_tier.take(team, now) if self.workspace_tier is not None else None
            if wait is not None:
                return _ratelimited(max(1, math.ceil(wait)))
            self._last_post[channel] = now
        return None

    def _answer(self, request: BaseHTTPRequestHandler, answer: Scripted) -> None:
        payload = json.dumps(answer.body).encode()
        request.send_response(answer.status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(payload)))
        for name, value in answer.headers.items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(payload)

    def posted(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Every message that is in a channel now (top level and thread replies), as Slack keeps them."""
        with self._lock:
            found = [m for ch, ms in self.history.items() if channel in (None, ch) for m in ms]
            found += [m for ch, ms in self.replies.items() if channel in (None, ch) for m in ms]
            return found

    def _history(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = str(body.get("channel") or "")
        if not channel.startswith(("C", "D", "G")):
            return {"ok": False, "error": "channel_not_found"}
        try:
            oldest = float(body.get("oldest") or 0)
            limit = min(int(body.get("limit") or 100), 999)
            start = int(body.get("cursor") or 0)
        except ValueError:
            return {"ok": False, "error": "invalid_arguments"}
        with_metadata = str(body.get("include_all_metadata", "")).lower() in ("1", "true")
        with self._lock:
            newest_first = [m for m in reversed(self.history.get(channel, [])) if float(m["ts"]) > oldest]
        page = newest_first[start : start + limit]
        messages = [m if with_metadata else {k: v for k, v in m.items() if k != "metadata"} for m in page]
        more = start + limit < len(newest_first)
        return {
            "ok": True,
            "messages": messages,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def _serve_file(self, request: BaseHTTPRequestHandler) -> None:
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None
        headers = {k: v for k, v in request.headers.items()}
        with self._lock:
            self.calls.append(Call("file_download", {}, token, request.path, b"", headers))
            found = next(
                (content for f, content in self.files.values() if request.path in _paths(f)),
                None,
            )
        if found is not None and token and self._token_problem(token) is None:
            status, kind, payload = 200, "text/csv", found
        elif found is not None:
            # Without a token Slack answers with its sign-in page, not an error.
            status, kind, payload = 200, "text/html", b"<html><body>Sign in to Slack</body></html>"
        else:
            status, kind, payload = 404, "text/plain", b"not found"
        request.send_response(status)
        request.send_header("Content-Type", kind)
        request.send_header("Content-Length", str(len(payload)))
        request.end_headers()
        request.wfile.write(payload)

    def _file_info(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            found = self.files.get(str(body.get("file")))
        return {"ok": True, "file": dict(found[0])} if found else {"ok": False, "error": "file_not_found"}

    def _default(self, method: str, body: dict[str, Any], token: str | None) -> Scripted:
        if method in ("response_url", "upload"):
            return Scripted(200, {"ok": True})
        problem = self._token_problem(token)
        if problem:
            return Scripted(200, {"ok": False, "error": problem})
        team = self.team_of(token)
        handler: Callable[[dict[str, Any]], dict[str, Any]] | None = {
            "auth.test": lambda b: {
                "ok": True,
                "url": "https://tradewind-test.slack.com/",
                "team": "Tradewind Test",
                "team_id": team or "T1",
                "user": "tradewind",
                "user_id": f"UB{team}" if team else BOT_USER,
                "bot_id": f"B{team}" if team else "B1",
            },
            "views.publish": self._published,
            "chat.postMessage": self._posted,
            "chat.update": lambda b: {"ok": True, "channel": b.get("channel"), "ts": b.get("ts")},
            "chat.postEphemeral": lambda b: {"ok": True, "message_ts": self._next_ts()},
            "views.open": lambda b: {"ok": True, "view": {"id": "V1"}},
            "users.info": lambda b: {"ok": True, "user": self.users.get(b.get("user", ""), {"id": b.get("user")})},
            "conversations.history": self._history,
            "conversations.open": lambda b: {"ok": True, "channel": {"id": "D" + str(b.get("users", "X"))}},
            "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": lambda b: {"ok": True, "files": _json_list(b.get("files"))},
            "files.info": self._file_info,
            "chat.getPermalink": self._permalink,
        }.get(method)
        return Scripted(200, handler(body) if handler else {"ok": True})

    def add_message(self, channel: str, ts: str) -> None:
        """A message someone wrote in `channel`, for chat.getPermalink to find."""
        with self._lock:
            self.messages.add((channel, ts))

    def _permalink(self, body: dict[str, Any]) -> dict[str, Any]:
        """As Slack answers: both arguments required, and only for a message that exists."""
        channel, ts = body.get("channel"), body.get("message_ts")
        if not channel or not ts:
            return {"ok": False, "error": "invalid_arguments"}
        with self._lock:
            known = (channel, ts) in self.messages
        if not known:
            return {"ok": False, "error": "message_not_found"}
        return {
            "ok": True,
            "channel": channel,
            "permalink": f"https://tradewind-test.slack.com/archives/{channel}/p{str(ts).replace('.', '')}",
        }

    def _published(self, body: dict[str, Any]) -> dict[str, Any]:
        view = body.get("view")
        if not body.get("user_id"):
            return {"ok": False, "error": "invalid_arguments"}
        if not isinstance(view, dict) or view.get("type") != "home":
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": {"id": "VHOME", "type": "home", "blocks": view.get("blocks", [])}}

    def _posted(self, body: dict[str, Any]) -> dict[str, Any]:
        metadata = body.get("metadata")
        if isinstance(metadata, str):
            try:
                metadata = json.loads(metadata)
            except ValueError:
                return {"ok": False, "error": "invalid_metadata_format"}
        if metadata is not None and not (
            isinstance(metadata, dict)
            and isinstance(metadata.get("event_type"), str)
            and isinstance(metadata.get("event_payload"), dict)
        ):
            return {"ok": False, "error": "invalid_metadata_schema"}
        ts = self._next_ts()
        channel = str(body.get("channel"))
        if channel.startswith(("U", "W")):  # a user id: the bot's DM with them
            channel = "D" + channel
        message: dict[str, Any] = {"type": "message", "ts": ts, "text": body.get("text"), "user": BOT_USER}
        if metadata is not None:
            message["metadata"] = metadata
        thread = body.get("thread_ts")
        with self._lock:
            self.messages.add((channel, ts))
            if thread:
                self.replies.setdefault(channel, []).append({**message, "thread_ts": thread})
            else:
                self.history.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": {"ts": ts, "text": body.get("text")}}

    def _upload_url(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._ts += 1
            file_id = f"F{self._ts}"
        return {"ok": True, "upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}

    def uploaded(self) -> list[tuple[dict[str, Any], bytes]]:
        """Each completed upload: the files.completeUploadExternal call and the bytes sent for it."""
        with self._lock:
            blobs = {c.path.rsplit("/", 1)[-1]: c.raw for c in self.calls if c.method == "upload"}
            done = [c.body for c in self.calls if c.method == "files.completeUploadExternal"]
        return [(b, blobs.get(_json_list(b.get("files"))[0]["id"], b"")) for b in done]

    def wait_for_upload(self, count: int = 1, timeout: float = 10.0) -> list[tuple[dict[str, Any], bytes]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = self.uploaded()
            if len(done) >= count:
                return done
            time.sleep(0.02)
        raise AssertionError(f"expected {count} upload(s); got {len(self.uploaded())}")

    def _next_ts(self) -> str:
        """A message ts as Slack makes them: the time it was posted, in microseconds, unique per channel."""
        with self._lock:
            self._last_ts = max(time.time(), self._last_ts + 1e-6)
            return f"{self._last_ts:.6f}"


def _ratelimited(retry_after: int) -> Scripted:
    return Scripted(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})


def _refusal(body: dict[str, Any], method: str = "chat.postMessage") -> str | None:
    if method == "views.publish":
        view = body.get("view")
        blocks = view.get("blocks") if isinstance(view, dict) else None
        if not isinstance(blocks, list):
            return None
        # Slack answers a Home tab of 101 blocks with invalid_arguments ("no more than 100 items").
        refused = _block_refusal(blocks, limit=MAX_VIEW_BLOCKS, total=None)
        return "invalid_arguments" if refused else None
    blocks = body.get("blocks")
    if not isinstance(blocks, list):
        return None
    return _block_refusal(blocks, limit=MAX_BLOCKS, total=MAX_BLOCK_TEXT)


def _block_refusal(blocks: list[Any], *, limit: int, total: int | None) -> str | None:
    if len(blocks) > limit:
        return "invalid_blocks"
    for block in blocks:
        text = block.get("text") if isinstance(block, dict) else None
        own = text.get("text", "") if isinstance(text, dict) else ""
        if len(own) > (MAX_HEADER if block.get("type") == "header" else MAX_SECTION):
            return "invalid_blocks"
    if total is not None and sum(len(t) for t in _texts(blocks)) > total:
        return "msg_blocks_too_long"
    return None


def _texts(value: Any) -> Iterator[str]:
    """Every string held under a "text" key, at any depth (labels and alt text included)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in ("text", "alt_text") and isinstance(inner, str):
                yield inner
            else:
                yield from _texts(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _texts(inner)


def _paths(file: dict[str, Any]) -> tuple[str, ...]:
    return tuple(urlsplit(file[k]).path for k in ("url_private", "url_private_download"))


def _json_list(value: Any) -> list[dict[str, Any]]:
    return json.loads(value) if isinstance(value, str) else list(value or [])


def _decode(raw: str, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    if "json" in content_type:
        return json.loads(raw)
    decoded: dict[str, Any] = dict(parse_qsl(raw, keep_blank_values=True))
    for key in ("blocks", "view", "attachments"):
        if isinstance(decoded.get(key), str):
            decoded[key] = json.loads(decoded[key])
    return decoded
