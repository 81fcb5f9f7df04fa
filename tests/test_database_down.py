"""When PostgreSQL goes away the user is told, Slack still gets its ack in time, and the bot recovers."""

from __future__ import annotations

import time

import httpx
import pytest
from sqlalchemy.engine import make_url

from bot.db import make_engine
from bot.runtime import Runtime
from bot.web import create_app
from handlers import REGISTRY
from tests.conftest import slack_settings
from tests.fakes.tcp_proxy import TcpProxy
from tests.support.server import ServerThread
from tests.support.slack_requests import SlackSender, block_text

# The outage is staged on PostgreSQL's TCP connection; an SQLite file cannot go away like that.
pytestmark = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


@pytest.fixture
def proxied(database_url: str, engine, fake_slack):
    url = make_url(database_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    through_proxy = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    app_engine = make_engine(through_proxy)
    runtime = Runtime(app_engine, REGISTRY)
    server = ServerThread(create_app(slack_settings(through_proxy, fake_slack), runtime)).start()
    server.runtime = runtime
    sender = SlackSender(server.url, fake_slack.base + "/response")
    yield proxy, sender, server
    sender.close()
    server.stop()
    proxy.down()
    app_engine.dispose()


def test_outage_is_reported_in_time_and_the_bot_recovers(proxied, caplog) -> None:
    proxy, slack, server = proxied
    assert "REQ-1 logged." in block_text(slack.command("add before").json())

    proxy.down()
    started = time.monotonic()
    response = slack.command("add during")
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert elapsed < 3.0
    assert "temporarily unavailable" in block_text(response.json())
    assert "database unavailable" in caplog.text
    assert httpx.get(f"{server.url}/healthz").status_code == 503

    proxy.up()
    assert "REQ-2 logged." in block_text(slack.command("add after").json())
    assert httpx.get(f"{server.url}/healthz").json() == {"ok": True, "database": "ok"}


def test_an_outage_is_logged_once_when_it_starts_and_once_when_it_ends(proxied, caplog) -> None:
    proxy, slack, server = proxied
    assert "REQ-1 logged." in block_text(slack.command("add before").json())
    assert server.runtime.background.wait_idle()  # the new member's profile is fetched and stored
    caplog.clear()

    proxy.down()
    for n in range(6):
        assert "temporarily unavailable" in block_text(slack.command(f"add during {n}").json())
    assert httpx.get(f"{server.url}/healthz").status_code == 503
    proxy.up()
    assert "logged." in block_text(slack.command("add after").json())
    assert "temporarily unavailable" not in block_text(slack.command("list").json())

    ours = [r for r in caplog.records if r.name.startswith(("bot", "handlers", "models", "slack_bolt"))]
    loud = [r.getMessage() for r in ours if r.levelno >= 30]
    assert len(loud) == 2, loud
    assert loud[0].startswith("database unavailable (") and "while serving slack" in loud[0]
    assert loud[1].startswith("database available again after") and "7 requests were answered" in loud[1]
    assert not [r for r in caplog.records if r.exc_info], "no tracebacks for an outage"
    assert "add during" not in caplog.text  # nothing anyone typed
