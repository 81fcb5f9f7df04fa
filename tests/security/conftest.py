"""One server with Slack and Lark both enabled, as a deployment serving both runs, for hostile input."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from bot.runtime import Runtime
from bot.settings import Settings
from bot.web import create_app
from handlers import REGISTRY
from tests.fakes.lark_api import APP_ID, APP_SECRET, FakeLark
from tests.fakes.slack_api import FakeSlack
from tests.support.lark_requests import ENCRYPT_KEY, VERIFICATION_TOKEN
from tests.support.server import ServerThread
from tests.support.slack_requests import SECRET


@pytest.fixture(scope="session")
def fake_lark() -> Iterator[FakeLark]:
    fake = FakeLark()
    yield fake
    fake.close()


@pytest.fixture(scope="session")
def front_door(
    migrated_engine: Engine, database_url: str, fake_slack: FakeSlack, fake_lark: FakeLark
) -> Iterator[ServerThread]:
    settings = Settings(
        database_url=database_url,
        slack_bot_token="xoxb-test-token",
        slack_signing_secret=SECRET,
        slack_api_url=fake_slack.api_url,
        lark_app_id=APP_ID,
        lark_app_secret=APP_SECRET,
        lark_verification_token=VERIFICATION_TOKEN,
        lark_encrypt_key=ENCRYPT_KEY,
        lark_domain=fake_lark.domain,
        _env_file=None,  # type: ignore[call-arg]
    )
    runtime = Runtime(migrated_engine, REGISTRY)
    app = create_app(settings, runtime)
    server = ServerThread(app).start()
    server.runtime = runtime
    deadline = time.monotonic() + 10
    while app.state.lark.bot.open_id() is None:
        assert time.monotonic() < deadline, "the bot's open_id was never fetched"
        time.sleep(0.01)
    yield server
    server.stop()


@pytest.fixture
def server(
    front_door: ServerThread, engine: Engine, fake_slack: FakeSlack, fake_lark: FakeLark
) -> Iterator[ServerThread]:
    fake_slack.reset()
    fake_lark.reset()
    front_door.runtime.forget_people()  # the tables were just emptied
    yield front_door
    assert front_door.runtime.background.wait_idle(), "after-answer work did not finish"


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for name, t in SQLModel.metadata.tables.items()
        }
