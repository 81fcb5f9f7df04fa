"""Which bot token speaks for which Slack workspace.

One workspace: SLACK_BOT_TOKEN, for every team. Many ("Add to Slack"): each team's token from the
installation store (slack_sdk's SQLAlchemyInstallationStore on our own database, tables under Alembic,
see models/slack_install.py), looked up for every outgoing call, and refreshed first when token rotation
is on and it expires within SLACK_TOKEN_ROTATION_MINUTES. Bolt does the same for incoming requests.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import sqlalchemy as sa
from slack_sdk import WebClient
from slack_sdk.errors import SlackTokenRotationError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy.engine import Engine

from bot.db import read_only
from bot.settings import Settings

log = logging.getLogger(__name__)

CLIENTS_KEPT = 256


def make_client(settings: Settings, *, outbox: bool = False) -> WebClient:
    """The Web API client of single-workspace mode (SLACK_BOT_TOKEN). For the outbox, one that retries
    nothing itself: the outbox reschedules the row (a 429 never sleeps a worker; a reset is looked up)."""
    return _client(settings, settings.slack_bot_token, outbox=outbox)


def _client(settings: Settings, token: str | None, *, outbox: bool = False) -> WebClient:
    if outbox:
        return WebClient(token=token, base_url=settings.slack_api_url, timeout=10, retry_handlers=[])
    client = WebClient(token=token, base_url=settings.slack_api_url)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=3))
    return client


class InstallationStore(SQLAlchemyInstallationStore):
    """The SDK's store, reading without SQLite's write lock (every request reads it), plus the lookup an
    outgoing call needs: a workspace knows only its team id."""

    def __init__(self, *, client_id: str, engine: Engine) -> None:
        super().__init__(client_id=client_id, engine=engine, logger=log)
        self._queries: dict[tuple[tuple[str, bool], ...], sa.Select[Any]] = {}

    def find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        team = None if is_enterprise_install else team_id  # an org-wide install has no team of its own
        return self._newest({"enterprise_id": enterprise_id, "team_id": team})

    def find_bot_of_team(self, team_id: str) -> Bot | None:
        return self._newest({"team_id": team_id})

    def _newest(self, match: dict[str, str | None]) -> Bot | None:
        """The newest bot token matching these columns (None: the column IS NULL)."""
        shape = tuple((name, value is None) for name, value in sorted(match.items()))
        query = self._queries.get(shape)
        if query is None:  # built once per shape: building the expression cost more than running it
            c = self.bots.c
            where = [c[name].is_(None) if empty else c[name] == sa.bindparam(name) for name, empty in shape]
            query = self._queries[shape] = (
                self.bots.select()
                .where(c.client_id == sa.bindparam("client_id"), c.bot_token.is_not(None), *where)
                .order_by(sa.desc(c.installed_at))
                .limit(1)
            )
        values = {"client_id": self.client_id} | {k: v for k, v in match.items() if v is not None}
        with self.engine.connect().execution_options(**read_only(self.engine)) as conn:
            row = conn.execute(query, values).mappings().first()
        return self.build_bot_entity(row) if row is not None else None


class SlackTokens:
    def __init__(self, settings: Settings, engine: Engine, *, outbox: bool = False) -> None:
        self.settings = settings
        self.outbox = outbox  # clients for the outbox: no retries of their own
        self.store: InstallationStore | None = None
        self.rotator: TokenRotator | None = None
        self.api = _client(settings, None)  # no token: OAuth calls, and the base of every per-team client
        if settings.slack_oauth:
            assert settings.slack_client_id is not None and settings.slack_client_secret is not None
            self.store = InstallationStore(client_id=settings.slack_client_id, engine=engine)
            self.rotator = TokenRotator(
                client_id=settings.slack_client_id, client_secret=settings.slack_client_secret, client=self.api
            )
        self._clients: dict[str, WebClient] = {}
        self._lock = threading.Lock()

    @property
    def many(self) -> bool:
        return self.store is not None

    def token(self, team_ref: str | None) -> str | None:
        """The bot token for this team now; None when the app is not installed there."""
        if self.store is None:
            return self.settings.slack_bot_token
        if not team_ref:
            return None
        bot = self.store.find_bot_of_team(team_ref)
        if bot is None:
            return None
        if bot.bot_refresh_token and self.rotator is not None:
            try:
                fresh = self.rotator.perform_bot_token_rotation(
                    bot=bot, minutes_before_expiration=self.settings.slack_token_rotation_minutes
                )
            except SlackTokenRotationError:
                log.exception("could not refresh the bot token of Slack team %s", team_ref)
                return None
            if fresh is not None:
                self.store.save_bot(fresh)
                log.info("bot token of Slack team %s refreshed", team_ref)
                bot = fresh
        return bot.bot_token

    def client(self, team_ref: str | None) -> WebClient | None:
        """A Web API client holding this team's token (one per token, kept while it is in use)."""
        token = self.token(team_ref)
        if token is None:
            return None
        with self._lock:
            client = self._clients.get(token)
            if client is None:
                if len(self._clients) >= CLIENTS_KEPT:
                    self._clients.clear()
                client = self._clients[token] = _client(self.settings, token, outbox=self.outbox)
            return client
