"""tests/outbox/ runs on databases of its own: the app servers other tests start live for the whole
session and deliver their database's outbox with embedded loops, which would take these tests' rows
too (unpaced, and not through the workers under test)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from bot.db import make_engine
from bot.migrate import migrate
from tests.support.databases import scratch_database


@pytest.fixture(scope="package", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from scratch_database(request.param, tmp_path_factory, "outbox-db")


@pytest.fixture(scope="package")
def migrated_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()
