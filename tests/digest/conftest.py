from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.runtime import Runtime
from handlers import REGISTRY
from tests.digest.support import Schedulers
from tests.fakes.slack_api import FakeSlack


@pytest.fixture
def slack_runtime(engine) -> Runtime:
    return Runtime(engine, REGISTRY)


@pytest.fixture
def schedulers(engine, database_url: str, fake_slack: FakeSlack) -> Iterator[Schedulers]:
    fake_slack.reset()
    started = Schedulers(database_url, fake_slack)
    yield started
    started.stop()
