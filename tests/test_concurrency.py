"""Keys are REQ-<n> in order, never duplicated, when many people add at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.db import make_engine
from bot.runtime import Caller, Runtime
from handlers import REGISTRY
from models.requirements.requirement import Requirement
from tests.support.slack_requests import SlackSender, SlackUser, block_text

PEOPLE = 50


def numbers(engine: Engine) -> list[int]:
    with Session(engine) as db:
        return sorted(db.exec(select(Requirement.number)))


def test_fifty_people_adding_at_once_through_separate_connections(engine: Engine) -> None:
    # Each thread has its own engine, so each add is its own connection and transaction.
    url = engine.url.render_as_string(hide_password=False)

    def add(n: int) -> str:
        own = make_engine(url)
        try:
            outcome = Runtime(own, REGISTRY).command(Caller("slack", "T1", f"U{n}"), "/req", f"add from {n}")
            return outcome.reply.kind
        finally:
            own.dispose()

    with ThreadPoolExecutor(max_workers=PEOPLE) as pool:
        kinds = list(pool.map(add, range(PEOPLE)))
    assert kinds == ["req_card"] * PEOPLE
    assert numbers(engine) == list(range(1, PEOPLE + 1))


def test_fifty_concurrent_slash_commands_over_http(slack: SlackSender, slack_server, engine: Engine) -> None:
    def add(n: int) -> str:
        sender = SlackSender(slack_server.url, slack.response_base)
        try:
            return block_text(sender.command(f"add http {n}", who=SlackUser(user=f"U{n}")).json())
        finally:
            sender.close()

    with ThreadPoolExecutor(max_workers=PEOPLE) as pool:
        replies = list(pool.map(add, range(PEOPLE)))
    keys = sorted(int(r.split(" logged.")[0].rsplit("REQ-", 1)[1]) for r in replies)
    assert keys == list(range(1, PEOPLE + 1))
    assert numbers(engine) == keys
