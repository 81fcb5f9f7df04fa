"""A database that stalls (open, answering nothing) or a lock that is never released: every request is
answered within Slack's 3 seconds, nothing half-done is stored, other requests go on, and the bot
recovers when the database does.

PostgreSQL is reached through a TCP proxy (tests/fakes/tcp_proxy.py) that stalls, holds and drops the
way a network does; SQLite is stalled by another process holding its write lock.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, select

from bot.db import make_engine
from bot.runtime import Runtime
from bot.web import create_app
from handlers import REGISTRY
from models.requirements.requirement import Requirement
from tests.conftest import slack_settings
from tests.fakes.tcp_proxy import TcpProxy
from tests.support.server import ServerThread
from tests.support.slack_requests import SlackSender, SlackUser, block_text, button

SLACK_WINDOW_S = 3.0  # what Slack waits for an answer
PROMPT_S = 1.5  # a request through a healthy path, while another waits out its 2 s budget
UNAVAILABLE = "temporarily unavailable"
postgres = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def titles(engine: Engine) -> list[str]:
    with Session(engine) as db:
        return list(db.exec(select(Requirement.title).order_by(Requirement.number)))


def timed(call: Callable[[], httpx.Response]) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def answer_text(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    return block_text(response.json())


def settle(slack: SlackSender) -> None:
    """Let the work after earlier answers finish, so that what is stalled next is the request's own."""
    assert slack.settle is not None
    slack.settle()


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    stop = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < stop, "condition never held"
        time.sleep(0.01)


@pytest.fixture
def proxied(database_url: str, engine: Engine, fake_slack: Any) -> Iterator[tuple[TcpProxy, SlackSender, str]]:
    """The app on its own engine, reaching PostgreSQL through the proxy; `engine` reaches it directly."""
    url = make_url(database_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    through_proxy = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    app_engine = make_engine(through_proxy)
    runtime = Runtime(app_engine, REGISTRY)
    server = ServerThread(create_app(slack_settings(through_proxy, fake_slack), runtime)).start()
    fake_slack.reset()
    sender = SlackSender(server.url, fake_slack.base + "/response", settle=runtime.settle)
    yield proxy, sender, server.url
    sender.close()
    proxy.up()
    runtime.settle()
    server.stop()
    proxy.down()
    app_engine.dispose()


@postgres
def test_every_command_is_answered_in_time_while_the_database_stalls(proxied, engine: Engine) -> None:
    proxy, slack, base = proxied
    first = slack.command("add before")
    assert "REQ-1 logged." in answer_text(first)
    approve = button(first.json(), "Triage")

    settle(slack)
    slack.settle = None  # the card is on screen already: the click must not wait for the stalled database
    proxy.stall()
    for text in ("add during the stall", "list", "show REQ-1", "edit REQ-1 title=renamed", "status REQ-1 parked"):
        response, elapsed = timed(lambda text=text: slack.command(text))
        assert elapsed < SLACK_WINDOW_S, f"/req {text} took {elapsed:.2f} s"
        assert UNAVAILABLE in answer_text(response), text
    click, elapsed = timed(lambda: slack.click(approve))
    assert click.status_code == 200
    assert elapsed < SLACK_WINDOW_S
    health, elapsed = timed(lambda: httpx.get(f"{base}/healthz", timeout=10))
    assert health.status_code == 503
    assert elapsed < SLACK_WINDOW_S

    proxy.up()
    assert proxy.wait_drained()  # what the stalled connections held has reached the server
    assert "REQ-2 logged." in answer_text(slack.command("add after"))
    assert titles(engine) == ["before", "after"]
    assert httpx.get(f"{base}/healthz", timeout=10).json() == {"ok": True, "database": "ok"}


@postgres
def test_a_commit_held_up_past_the_deadline_never_lands(proxied, engine: Engine) -> None:
    proxy, slack, _base = proxied
    assert "REQ-1 logged." in answer_text(slack.command("add before"))

    settle(slack)
    proxy.stall_on(b"COMMIT")
    response, elapsed = timed(lambda: slack.command("add held in the network"))
    assert elapsed < SLACK_WINDOW_S
    assert UNAVAILABLE in answer_text(response)

    # The network delivers the COMMIT after the user was told "unavailable": the server refuses it.
    proxy.up()
    assert proxy.wait_drained()
    assert titles(engine) == ["before"]
    assert "REQ-2 logged." in answer_text(slack.command("add after"))
    assert titles(engine) == ["before", "after"]


@postgres
def test_one_stalled_request_does_not_delay_the_others(proxied, engine: Engine) -> None:
    proxy, slack, base = proxied
    other_team = SlackUser(user="U9", team="T2")
    assert "REQ-1 logged." in answer_text(slack.command("add before"))
    assert "REQ-1 logged." in answer_text(slack.command("add elsewhere", who=other_team))

    # Another team's request: one team's rows never wait on another's (a request of the same team
    # could, rightly, wait for the row lock that the stalled one holds until the server lets go).
    settle(slack)
    proxy.stall_on(b"stalled item")
    stalled: dict[str, Any] = {}

    def send_stalled() -> None:
        sender = SlackSender(base, slack.response_base)
        try:
            stalled["response"], stalled["elapsed"] = timed(lambda: sender.command("add stalled item", who=other_team))
        finally:
            sender.close()

    thread = threading.Thread(target=send_stalled)
    thread.start()
    wait_for(lambda: proxy.frozen_links() == 1)

    quick, elapsed = timed(lambda: slack.command("add quick"))
    assert elapsed < PROMPT_S
    assert "REQ-2 logged." in answer_text(quick)
    listed, elapsed = timed(lambda: slack.command("list"))
    assert elapsed < PROMPT_S
    assert "quick" in answer_text(listed)
    health, elapsed = timed(lambda: httpx.get(f"{base}/healthz", timeout=10))
    assert elapsed < PROMPT_S
    assert health.json() == {"ok": True, "database": "ok"}
    assert thread.is_alive(), "the stalled request was answered before the others were timed"

    thread.join(timeout=10)
    assert stalled["elapsed"] < SLACK_WINDOW_S
    assert UNAVAILABLE in answer_text(stalled["response"])
    proxy.up()
    assert proxy.wait_drained()
    assert sorted(titles(engine)) == ["before", "elsewhere", "quick"]


@postgres
def test_pooled_connections_that_froze_are_replaced(proxied, engine: Engine) -> None:
    proxy, slack, _base = proxied
    assert "REQ-1 logged." in answer_text(slack.command("add before"))

    settle(slack)
    proxy.stall_open()  # the pool's connections freeze; a new connection would get through
    response, elapsed = timed(lambda: slack.command("add on a frozen connection"))
    assert elapsed < SLACK_WINDOW_S
    assert UNAVAILABLE in answer_text(response)
    response, elapsed = timed(lambda: slack.command("add on a fresh connection"))
    assert elapsed < SLACK_WINDOW_S
    assert "REQ-2 logged." in answer_text(response)

    proxy.up()
    assert titles(engine) == ["before", "on a fresh connection"]


@postgres
def test_dropped_connections_are_replaced_without_the_user_noticing(proxied, engine: Engine) -> None:
    proxy, slack, _base = proxied
    assert "REQ-1 logged." in answer_text(slack.command("add before"))
    settle(slack)
    proxy.drop()
    response, elapsed = timed(lambda: slack.command("add after the drop"))
    assert elapsed < SLACK_WINDOW_S
    assert "REQ-2 logged." in answer_text(response)
    assert titles(engine) == ["before", "after the drop"]


@sqlite
def test_a_write_lock_held_elsewhere_is_answered_in_time(slack: SlackSender, slack_server, engine: Engine) -> None:
    assert "REQ-1 logged." in answer_text(slack.command("add before"))
    holder = sqlite3.connect(engine.url.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process writing, and writing, and writing
    try:
        response, elapsed = timed(lambda: slack.command("add while locked"))
        assert elapsed < SLACK_WINDOW_S
        assert UNAVAILABLE in answer_text(response)
        health, elapsed = timed(lambda: httpx.get(f"{slack_server.url}/healthz", timeout=10))
        assert elapsed < SLACK_WINDOW_S
        assert health.status_code == 503
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "REQ-2 logged." in answer_text(slack.command("add after"))
    assert titles(engine) == ["before", "after"]
