"""a channel's own standup questions, and answers kept with the questions they answered

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import models.base

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "standup_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("channel_ref", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("questions", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),
        sa.ForeignKeyConstraint(["updated_by"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workspace_id", "channel_ref"),
    )
    with op.batch_alter_table("standup_answer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("custom", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("standup_answer", schema=None) as batch_op:
        batch_op.drop_column("custom")
    op.drop_table("standup_questions")
