"""The SQLite file holds the team's data: a new one, its WAL and its shared-memory file are 0600."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.db import make_engine


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The usual umask, under which files are created 0644."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def write_something(engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS note (body TEXT)"))
        conn.execute(text("INSERT INTO note VALUES ('x')"))


@pytest.mark.usefixtures("open_umask")
def test_a_new_database_file_and_its_wal_and_shm_are_private(tmp_path: Path) -> None:
    path = tmp_path / "tradewind.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        write_something(engine)  # the pooled connection stays open, and with it the WAL and shared memory
        files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
        assert all(f.exists() for f in files)
        assert {f.name: oct(mode(f)) for f in files} == {f.name: "0o600" for f in files}
    finally:
        engine.dispose()


@pytest.mark.usefixtures("open_umask")
def test_a_file_that_exists_keeps_its_mode_and_a_warning_says_others_can_read_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "shared.db"
    path.touch(mode=0o644)
    os.chmod(path, 0o644)
    engine = make_engine(f"sqlite:///{path}")
    with caplog.at_level(logging.WARNING, logger="bot.db"):
        engine.dispose()
        engine = make_engine(f"sqlite:///{path}")
    try:
        write_something(engine)
        assert mode(path) == 0o644
        assert any("other users on this machine can read it" in r.getMessage() for r in caplog.records)
    finally:
        engine.dispose()


@pytest.mark.usefixtures("open_umask")
def test_a_private_file_that_exists_gives_no_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "tradewind.db"
    make_engine(f"sqlite:///{path}").dispose()
    with caplog.at_level(logging.WARNING, logger="bot.db"):
        make_engine(f"sqlite:///{path}").dispose()
    assert mode(path) == 0o600
    assert not caplog.records
