""" "Add to Slack": Bolt's OAuth flow (GET /slack/install, GET /slack/oauth_redirect) over our database.

The state of each install attempt lives in slack_sdk's SQLAlchemyOAuthStateStore (one row, deleted when
the redirect consumes it, so a state is good once and for its ten minutes), signed with
SLACK_STATE_SECRET so that a forged state is refused before the database is asked. Installations go to
the store behind bot/slack/tokens.py. Every Web API call of the flow goes to SLACK_API_URL.
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from slack_bolt import BoltResponse
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.state_store import OAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from bot.db import session_scope
from bot.settings import Settings
from bot.slack.tokens import SlackTokens
from models.workspace import set_installed

log = logging.getLogger(__name__)

STATE_TTL_S = 600


class SignedStateStore(OAuthStateStore):
    """States issued by `inner`, each with an HMAC of it; only a state this app signed reaches `inner`."""

    def __init__(self, inner: OAuthStateStore, secret: str) -> None:
        self.inner = inner
        self.secret = secret.encode()

    @property
    def logger(self) -> logging.Logger:
        return log

    def _sign(self, state: str) -> str:
        return hmac.new(self.secret, state.encode(), hashlib.sha256).hexdigest()[:32]

    def issue(self, *args: object, **kwargs: object) -> str:
        state = self.inner.issue()
        return f"{state}.{self._sign(state)}"

    def consume(self, state: str) -> bool:
        plain, _, signature = (state or "").rpartition(".")
        if not plain or not hmac.compare_digest(signature, self._sign(plain)):
            log.warning("OAuth redirect with a state this app did not sign: refused")
            return False
        return self.inner.consume(plain)


def state_store(settings: Settings, engine: Engine) -> OAuthStateStore:
    store: OAuthStateStore = SQLAlchemyOAuthStateStore(expiration_seconds=STATE_TTL_S, engine=engine, logger=log)
    if settings.slack_state_secret:
        return SignedStateStore(store, settings.slack_state_secret)
    log.warning("SLACK_STATE_SECRET is not set: OAuth states are checked against the database only")
    return store


def oauth_settings(settings: Settings, tokens: SlackTokens, engine: Engine) -> OAuthSettings:
    assert tokens.store is not None and settings.slack_client_id and settings.slack_client_secret

    def installed(args: SuccessArgs) -> BoltResponse:
        team = args.installation.team_id
        try:
            if team:
                with session_scope(engine) as db:
                    set_installed(db=db, platform="slack", external_id=team, installed=True)
        except DBAPIError:  # the token is stored; the workspace row is brought back by the next install
            log.exception("installed in Slack team %s, but could not mark its workspace installed", team)
        log.info("installed in Slack team %s (%s)", team, args.installation.team_name)
        return args.default.success(args)

    def failed(args: FailureArgs) -> BoltResponse:
        log.warning("Slack installation failed: %s", args.reason)
        return args.default.failure(args)

    return OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=settings.slack_scope_list,
        user_scopes=[],
        redirect_uri=settings.slack_redirect_uri,
        authorization_url=settings.slack_authorize_url,
        installation_store=tokens.store,
        installation_store_bot_only=True,
        token_rotation_expiration_minutes=settings.slack_token_rotation_minutes,
        state_store=state_store(settings, engine),
        state_expiration_seconds=STATE_TTL_S,
        callback_options=CallbackOptions(success=installed, failure=failed),
        logger=log,
    )


def authorize(settings: Settings, tokens: SlackTokens) -> InstallationStoreAuthorize:
    """Bolt's own authorize for incoming requests, with its token rotation calling SLACK_API_URL (the one
    OAuthSettings makes would call slack.com) and auth.test answers kept per token."""
    assert tokens.store is not None
    return InstallationStoreAuthorize(
        logger=log,
        installation_store=tokens.store,
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        token_rotation_expiration_minutes=settings.slack_token_rotation_minutes,
        bot_only=True,
        cache_enabled=True,
        client=tokens.api,
    )
