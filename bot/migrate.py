"""Bring the database schema to the newest Alembic revision, once even if several processes start."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from bot.outbox import jobs
from bot.resources import MIGRATIONS

log = logging.getLogger(__name__)

PG_MIGRATION_LOCK = 0x7472_6164  # any constant shared by every Tradewind process


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate(engine: Engine) -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with _exclusive(engine) as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        if conn.dialect.name == "postgresql":
            jobs.apply_schema(conn)
    log.info("database schema is up to date")


@contextmanager
def _exclusive(engine: Engine) -> Iterator[Connection]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": PG_MIGRATION_LOCK})
            conn.commit()
            try:
                yield conn
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": PG_MIGRATION_LOCK})
                conn.commit()
        return
    database = engine.url.database
    lock_path = Path(f"{database}.migrate.lock") if database and database != ":memory:" else None
    if lock_path is None:
        with engine.connect() as conn:
            yield conn
        return
    with open(lock_path, "a+b") as lock_file, _file_lock(lock_file), engine.connect() as conn:
        yield conn


@contextmanager
def _file_lock(lock_file: BinaryIO) -> Iterator[None]:
    """An exclusive lock on the file, held until the block ends: flock on POSIX, msvcrt on Windows."""
    if sys.platform == "win32":
        import msvcrt

        lock_file.seek(0)
        while True:
            try:
                msvcrt.locking(lock_file.fileno(), msvcrt.LK_LOCK, 1)  # retries for 10 s, then raises
                break
            except OSError:
                continue
        try:
            yield
        finally:
            lock_file.seek(0)
            msvcrt.locking(lock_file.fileno(), msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(lock_file, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(lock_file, fcntl.LOCK_UN)
