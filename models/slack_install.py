"""The tables of slack_sdk's SQLAlchemy installation and OAuth state stores, registered on our metadata
so that Alembic creates them like every other table (the SDK's own `create_tables()` would bypass
migrations). The SDK builds them, so they are exactly what its stores read and write; migration 0007
created them and tests/test_migrations.py keeps that migration equal to these declarations.
Timestamps are naive UTC because that is what the SDK writes.
"""

from __future__ import annotations

from datetime import UTC, datetime

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlmodel import Session, SQLModel

metadata = SQLModel.metadata

slack_installations = SQLAlchemyInstallationStore.build_installations_table(metadata, "slack_installations")
slack_bots = SQLAlchemyInstallationStore.build_bots_table(metadata, "slack_bots")
slack_oauth_states = SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, "slack_oauth_states")


def prune_states(*, db: Session, now: datetime) -> int:
    """Delete the states of install attempts that were never finished and have expired."""
    naive = now.astimezone(UTC).replace(tzinfo=None)  # the SDK stores naive UTC
    result = db.connection().execute(slack_oauth_states.delete().where(slack_oauth_states.c.expire_at < naive))
    return int(result.rowcount or 0)
