"""scoring and approvals: current scores, their history, market weights, approvals; Slack admins on members

Revision ID: 0002
Revises: 0004
Create Date: 2026-11-25 19:46:17.183443
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import models.base

revision: str = "0002"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "market_weight",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("market", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("weight", sa.Numeric(precision=10, scale=4), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
        ),
        sa.PrimaryKeyConstraint("workspace_id", "market"),
    )
    op.create_table(
        "approval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("mode", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("submitted_status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("channel_ref", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("reminded_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["member.id"],
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["member.id"],
        ),
        sa.ForeignKeyConstraint(["requirement_id"], ["requirement.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("approval", schema=None) as batch_op:
        batch_op.create_index("ix_approval_requirement", ["workspace_id", "requirement_id"], unique=False)
        batch_op.create_index(
            "uq_approval_pending",
            ["requirement_id"],
            unique=True,
            sqlite_where=sa.text("state = 'pending'"),
            postgresql_where=sa.text("state = 'pending'"),
        )

    op.create_table(
        "requirement_score",
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("reach", sa.BigInteger(), nullable=True),
        sa.Column("reach_split", sa.Boolean(), nullable=False),
        sa.Column("impact", sa.Numeric(precision=4, scale=2), nullable=True),
        sa.Column("confidence", sa.Integer(), nullable=True),
        sa.Column("effort", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("rice", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("weighted_rice", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("ice_impact", sa.Integer(), nullable=True),
        sa.Column("ice_confidence", sa.Integer(), nullable=True),
        sa.Column("ice_ease", sa.Integer(), nullable=True),
        sa.Column("ice", sa.Integer(), nullable=True),
        sa.Column("moscow", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["requirement_id"], ["requirement.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
        ),
        sa.PrimaryKeyConstraint("requirement_id"),
    )
    with op.batch_alter_table("requirement_score", schema=None) as batch_op:
        batch_op.create_index("ix_requirement_score_ice", ["workspace_id", "ice"], unique=False)
        batch_op.create_index("ix_requirement_score_rice", ["workspace_id", "rice"], unique=False)
        batch_op.create_index("ix_requirement_score_weighted", ["workspace_id", "weighted_rice"], unique=False)

    op.create_table(
        "score_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["member.id"],
        ),
        sa.ForeignKeyConstraint(["requirement_id"], ["requirement.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("score_entry", schema=None) as batch_op:
        batch_op.create_index("ix_score_entry_requirement", ["requirement_id", "id"], unique=False)

    op.create_table(
        "score_market",
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("market", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("reach", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("rice", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.ForeignKeyConstraint(["requirement_id"], ["requirement.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("requirement_id", "market"),
    )
    with op.batch_alter_table("score_market", schema=None) as batch_op:
        batch_op.create_index("ix_score_market_rank", ["market", "rice"], unique=False)

    op.create_table(
        "approval_step",
        sa.Column("approval_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("vote", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("transferred_to", sa.Integer(), nullable=True),
        sa.Column("decided_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["approval_id"], ["approval.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
        ),
        sa.ForeignKeyConstraint(
            ["transferred_to"],
            ["member.id"],
        ),
        sa.PrimaryKeyConstraint("approval_id", "member_id"),
    )
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("platform_admin", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("platform_admin")

    op.drop_table("approval_step")
    with op.batch_alter_table("score_market", schema=None) as batch_op:
        batch_op.drop_index("ix_score_market_rank")

    op.drop_table("score_market")
    with op.batch_alter_table("score_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_score_entry_requirement")

    op.drop_table("score_entry")
    with op.batch_alter_table("requirement_score", schema=None) as batch_op:
        batch_op.drop_index("ix_requirement_score_weighted")
        batch_op.drop_index("ix_requirement_score_rice")
        batch_op.drop_index("ix_requirement_score_ice")

    op.drop_table("requirement_score")
    with op.batch_alter_table("approval", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_approval_pending",
            sqlite_where=sa.text("state = 'pending'"),
            postgresql_where=sa.text("state = 'pending'"),
        )
        batch_op.drop_index("ix_approval_requirement")

    op.drop_table("approval")
    op.drop_table("market_weight")
