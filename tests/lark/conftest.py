"""Lark fixtures: the real app over HTTP with Lark enabled; its Open API calls land in fake_lark."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from bot.runtime import Runtime
from bot.settings import Settings
from bot.web import create_app
from handlers import REGISTRY
from tests.fakes.lark_api import APP_ID, APP_SECRET, FakeLark
from tests.support.lark_requests import ENCRYPT_KEY, VERIFICATION_TOKEN, LarkSender
from tests.support.server import ServerThread


def lark_settings(database_url: str, fake: FakeLark, **extra: object) -> Settings:
    return Settings(
        database_url=database_url,
        lark_app_id=APP_ID,
        lark_app_secret=APP_SECRET,
        lark_verification_token=VERIFICATION_TOKEN,
        lark_encrypt_key=ENCRYPT_KEY,
        lark_domain=fake.domain,
        _env_file=None,  # type: ignore[call-arg]
        **extra,
    )


@pytest.fixture(scope="session")
def fake_lark() -> Iterator[FakeLark]:
    fake = FakeLark()
    yield fake
    fake.close()


@pytest.fixture(scope="session")
def lark_server(migrated_engine: Engine, database_url: str, fake_lark: FakeLark) -> Iterator[ServerThread]:
    runtime = Runtime(migrated_engine, REGISTRY)
    app = create_app(lark_settings(database_url, fake_lark), runtime)
    server = ServerThread(app).start()
    server.runtime = runtime
    deadline = time.monotonic() + 10
    while app.state.lark.bot.open_id() is None:  # so that which mention is the bot's never races
        assert time.monotonic() < deadline, "the bot's open_id was never fetched"
        time.sleep(0.01)
    yield server
    server.stop()


@pytest.fixture
def lark(lark_server: ServerThread, engine: Engine, fake_lark: FakeLark) -> Iterator[LarkSender]:
    """Encrypted, signed requests into the real app over HTTP; its Open API calls land in fake_lark."""
    fake_lark.reset()
    lark_server.runtime.forget_people()  # the tables were just emptied
    sender = LarkSender(lark_server.url, fake_lark)
    yield sender
    sender.close()
    # Work still running after the answer would land in the next test's database and fake server.
    assert lark_server.runtime.settle(), "after-answer work did not finish"
