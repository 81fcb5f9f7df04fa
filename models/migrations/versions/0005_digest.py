"""digest: channel schedules and settings, skipped dates, claimed runs, standup answers

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-25 19:44:34.227081
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import models.base

revision: str = "0005"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "digest_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("channel_ref", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("slot_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("lease_until", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("since_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("covers_until", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("audit_after", sa.Integer(), nullable=True),
        sa.Column("audit_upto", sa.Integer(), nullable=True),
        sa.Column("parts_total", sa.Integer(), nullable=False),
        sa.Column("parts_done", sa.Integer(), nullable=False),
        sa.Column("message_ref", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workspace_id", "channel_ref", "kind", "day"),
    )
    with op.batch_alter_table("digest_run", schema=None) as batch_op:
        batch_op.create_index("ix_digest_run_state", ["state"], unique=False)

    op.create_table(
        "digest_skip",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("channel_ref", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
        ),
        sa.PrimaryKeyConstraint("workspace_id", "channel_ref", "day"),
    )
    op.create_table(
        "digest_channel",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("channel_ref", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("at_time", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=True),
        sa.Column("tz", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("days", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("lang", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column("remind_minutes", sa.Integer(), nullable=True),
        sa.Column("always", sa.Boolean(), nullable=False),
        sa.Column("markets", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("effective_from", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["member.id"],
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workspace_id", "channel_ref"),
    )
    op.create_table(
        "standup_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("channel_ref", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("yesterday", sa.Text(), nullable=True),
        sa.Column("today", sa.Text(), nullable=True),
        sa.Column("blockers", sa.Text(), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workspace_id", "channel_ref", "member_id", "day"),
    )
    with op.batch_alter_table("standup_answer", schema=None) as batch_op:
        batch_op.create_index(
            "ix_standup_answer_channel_updated", ["workspace_id", "channel_ref", "updated_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("standup_answer", schema=None) as batch_op:
        batch_op.drop_index("ix_standup_answer_channel_updated")

    op.drop_table("standup_answer")
    op.drop_table("digest_channel")
    op.drop_table("digest_skip")
    with op.batch_alter_table("digest_run", schema=None) as batch_op:
        batch_op.drop_index("ix_digest_run_state")

    op.drop_table("digest_run")
