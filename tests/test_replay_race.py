"""The same request carried out by several connections at the same instant acts once.

Run on PostgreSQL only: SQLite takes its write lock when a transaction begins (BEGIN IMMEDIATE), so
the replays there run one after another and a race cannot happen, nor this test fail. On PostgreSQL
each replay is its own connection and transaction, and only the claim's unique key stops them.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.db import make_engine
from bot.runtime import Caller, Runtime
from handlers import REGISTRY
from models.request_claim import request_key
from models.requirements.requirement import Requirement

pytestmark = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)

REPLAYS = 8


def test_replays_on_separate_connections_at_once_add_one_requirement(engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    caller = Caller("slack", "T1", "U1")
    Runtime(engine, REGISTRY).command(caller, "/req", "add warm-up")  # the person exists before the race
    start = threading.Barrier(REPLAYS)
    once = request_key("command", "trigger-raced")

    def replay(_: int) -> tuple[bool, str]:
        own = make_engine(url)
        try:
            runtime = Runtime(own, REGISTRY)
            start.wait()
            outcome = runtime.command(caller, "/req", "add raced", once=once)
            return outcome.repeated, outcome.reply.kind
        finally:
            own.dispose()

    with ThreadPoolExecutor(max_workers=REPLAYS) as pool:
        results = list(pool.map(replay, range(REPLAYS)))
    assert sorted(results) == [(False, "req_card")] + [(True, "message")] * (REPLAYS - 1)
    with Session(engine) as db:
        assert list(db.exec(select(Requirement.title).order_by(Requirement.number))) == ["warm-up", "raced"]
