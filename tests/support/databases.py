"""Real databases for the suite: a migrated SQLite file and a fresh PostgreSQL database per run."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def postgres_problem() -> str | None:
    """None when PostgreSQL answers, else why not."""
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as err:
        return f"PostgreSQL at {PG_ADMIN_URL} is not reachable: {err}".strip()
    return None


def create_postgres_database() -> tuple[str, str]:
    """A new empty database; returns (its name, its SQLAlchemy URL)."""
    name = f"tradewind_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return name, f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://", 1)


def drop_postgres_database(name: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fresh_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for the duration of a fixture; skipped when there is no server,
    and a failure under CI, where the PostgreSQL half must run."""
    problem = postgres_problem()
    if problem:
        if IN_CI:
            pytest.fail(f"CI=true but the PostgreSQL half cannot run: {problem}", pytrace=False)
        pytest.skip(problem)
    name, url = create_postgres_database()
    try:
        yield url
    finally:
        drop_postgres_database(name)


def scratch_database(kind: str, tmp_path_factory: pytest.TempPathFactory, name: str = "db") -> Iterator[str]:
    """The URL of a new database of `kind` ("sqlite" or "postgres") for the duration of a fixture."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp(name) / 'tradewind.db'}"
        return
    yield from fresh_postgres_database()


def empty_all_tables(engine: Engine) -> None:
    tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            if conn.execute(text("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")).scalar_one():
                conn.execute(
                    text("TRUNCATE procrastinate_jobs, procrastinate_periodic_defers, procrastinate_workers CASCADE")
                )
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))
