"""Tables come from Alembic: the migrations build exactly what the models declare, both ways."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from bot.migrate import alembic_config
from models.base import ours


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": ours})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_downgrade_to_nothing_and_back(database_url: str, engine: Engine) -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    command.downgrade(cfg, "base")
    command.upgrade(cfg, "head")
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": ours})
        assert compare_metadata(context, SQLModel.metadata) == []
