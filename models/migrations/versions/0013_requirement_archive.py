"""requirements can be archived (hidden from lists, search, ranking and digests) and restored

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-03 18:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0013"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("requirement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("archived_at", models.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("requirement", schema=None) as batch_op:
        batch_op.drop_column("archived_at")
