"""request claims (commands, clicks and submissions carried out once); who may change what

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 13:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import models.base

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "request_claim",
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("claimed_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "key"),
    )
    with op.batch_alter_table("request_claim", schema=None) as batch_op:
        batch_op.create_index("ix_request_claim_claimed_at", ["claimed_at"], unique=False)
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.add_column(sa.Column("digest_editors", sa.String(48), nullable=False, server_default="admin,approver"))
        batch_op.add_column(sa.Column("fx_editors", sa.String(48), nullable=False, server_default="admin,approver"))
        batch_op.add_column(sa.Column("adhoc_approvers", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.drop_column("adhoc_approvers")
        batch_op.drop_column("fx_editors")
        batch_op.drop_column("digest_editors")
    with op.batch_alter_table("request_claim", schema=None) as batch_op:
        batch_op.drop_index("ix_request_claim_claimed_at")
    op.drop_table("request_claim")
