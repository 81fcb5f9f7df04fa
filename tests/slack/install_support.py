"""An app installed from its install page, in any number of workspaces, against the Slack-like server:
the browser's part (install page, consent, redirect back) over real HTTP, and the app behind it."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

import httpx
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.runtime import Runtime
from bot.settings import Settings
from bot.web import create_app
from handlers import REGISTRY
from tests.fakes.slack_api import FakeSlack, OAuthApp
from tests.support.server import ServerThread
from tests.support.slack_requests import SECRET, SlackSender, SlackUser

CLIENT_ID = "1111111111.2222222222"
CLIENT_SECRET = "0123456789abcdef0123456789abcdef"
STATE_SECRET = "state-signing-secret"


def oauth_settings(database_url: str, fake: FakeSlack, port: int, **changes: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "slack_signing_secret": SECRET,
        "slack_api_url": fake.api_url,
        "slack_client_id": CLIENT_ID,
        "slack_client_secret": CLIENT_SECRET,
        "slack_state_secret": STATE_SECRET,
        "slack_redirect_uri": f"http://127.0.0.1:{port}/slack/oauth_redirect",
        "slack_authorize_url": fake.authorize_url,
    }
    return Settings(**(values | changes), _env_file=None)  # type: ignore[call-arg]


def member(team: str) -> SlackUser:
    return SlackUser(user=f"U{team}", team=team, channel=f"C{team}", name=f"pm-{team.lower()}")


class Installed:
    """The app served with OAuth settings, a browser to install it with, and signed Slack requests."""

    def __init__(self, settings: Settings, engine: Engine, fake: FakeSlack, port: int) -> None:
        self.settings = settings
        self.fake = fake
        self.runtime = Runtime(engine, REGISTRY)
        self.server = ServerThread(create_app(settings, self.runtime), port=port).start()
        self.browser = httpx.Client(timeout=10)
        self.slack = SlackSender(self.server.url, fake.base + "/response", settle=self.settle)

    def settle(self) -> None:
        assert self.runtime.background.wait_idle(), "after-answer work did not finish"

    def close(self) -> None:
        self.settle()
        self.slack.close()
        self.browser.close()
        self.server.stop()

    # ---- the browser's part ---------------------------------------------------------------------

    def install_page(self) -> tuple[str, str]:
        """GET /slack/install: the Add to Slack link, and the state cookie the page sets."""
        page = self.browser.get(f"{self.server.url}/slack/install")
        assert page.status_code == 200, page.text
        found = re.search(r'<a href="([^"]+)"', page.text)
        assert found, page.text
        # The cookie is Secure, which a browser keeps for http://127.0.0.1 and httpx does not: carried by hand.
        cookie = page.headers["set-cookie"].split(";", 1)[0]
        return html.unescape(found.group(1)), cookie

    def consent(self, link: str, team: str) -> httpx.Response:
        """The person approves the install for `team` on Slack's page; Slack redirects back."""
        return self.browser.get(f"{link}&{urlencode({'team': team, 'user': f'U{team}'})}", follow_redirects=False)

    def come_back(self, location: str, cookie: str) -> httpx.Response:
        return self.browser.get(location, headers={"Cookie": cookie})

    def install(self, team: str) -> httpx.Response:
        link, cookie = self.install_page()
        consent = self.consent(link, team)
        assert consent.status_code == 302, consent.text
        return self.come_back(consent.headers["location"], cookie)


@contextmanager
def installed_app(
    database_url: str, engine: Engine, fake: FakeSlack, *, app: OAuthApp | None = None, **changes: Any
) -> Iterator[Installed]:
    fake.reset()
    port = ServerThread.free_port()
    settings = oauth_settings(database_url, fake, port, **changes)
    fake.register_app(
        app
        or OAuthApp(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uri=settings.slack_redirect_uri or "")
    )
    running = Installed(settings, engine, fake, port)
    try:
        yield running
    finally:
        running.close()


def stored_bots(engine: Engine) -> dict[str, str]:
    """Team id → bot token, as the installation store holds them (the newest of each team)."""
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT team_id, bot_token FROM slack_bots ORDER BY installed_at, id")).all()
    return {team: token for team, token in rows}


def issued(fake: FakeSlack) -> dict[str, str]:
    """Team id → the bot token the Slack-like server issued it most recently."""
    return {grant.team_id: token for token, grant in fake.tokens.items()}
