"""Fixtures: every database test runs on SQLite and on PostgreSQL; Slack is a local fake over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from bot.db import make_engine
from bot.migrate import migrate
from bot.runtime import Runtime
from bot.settings import Settings
from bot.web import create_app
from handlers import REGISTRY
from tests.fakes.slack_api import FakeSlack
from tests.support.console import ConsoleDriver
from tests.support.databases import empty_all_tables, scratch_database
from tests.support.server import ServerThread
from tests.support.slack_requests import SECRET, SlackSender


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from scratch_database(request.param, tmp_path_factory)


@pytest.fixture(scope="session")
def migrated_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(migrated_engine: Engine) -> Engine:
    """The migrated database, emptied before each test."""
    empty_all_tables(migrated_engine)
    return migrated_engine


@pytest.fixture
def runtime(engine: Engine) -> Runtime:
    return Runtime(engine, REGISTRY)


@pytest.fixture
def console(runtime: Runtime) -> ConsoleDriver:
    return ConsoleDriver(runtime)


@pytest.fixture(scope="session")
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack()
    yield fake
    fake.close()


def slack_settings(database_url: str, fake: FakeSlack) -> Settings:
    return Settings(
        database_url=database_url,
        slack_bot_token="xoxb-test-token",
        slack_signing_secret=SECRET,
        slack_api_url=fake.api_url,
        post_interval_s=0.0,  # the fake does not pace channels; tests/outbox/ covers the pace
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture(scope="session")
def slack_server(migrated_engine: Engine, database_url: str, fake_slack: FakeSlack) -> Iterator[ServerThread]:
    runtime = Runtime(migrated_engine, REGISTRY)
    server = ServerThread(create_app(slack_settings(database_url, fake_slack), runtime)).start()
    server.runtime = runtime
    yield server
    server.stop()


@pytest.fixture
def slack(slack_server: ServerThread, engine: Engine, fake_slack: FakeSlack) -> Iterator[SlackSender]:
    """Signed requests into the real app over HTTP; the app's Web API calls land in fake_slack."""
    fake_slack.reset()
    slack_server.runtime.forget_people()  # the tables were just emptied
    sender = SlackSender(slack_server.url, fake_slack.base + "/response", settle=slack_server.runtime.settle)
    yield sender
    sender.close()
    # Work still running after the answer would land in the next test's database and fake server.
    assert slack_server.runtime.settle(), "after-answer work did not finish"
