"""workspace.people_version (caches invalidated across processes); job claims (one run per slot)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 18:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import models.base

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.add_column(sa.Column("people_version", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "job_claim",
        sa.Column("job", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("slot", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("claimed_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("job", "slot"),
    )
    with op.batch_alter_table("job_claim", schema=None) as batch_op:
        batch_op.create_index("ix_job_claim_claimed_at", ["claimed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("job_claim", schema=None) as batch_op:
        batch_op.drop_index("ix_job_claim_claimed_at")
    op.drop_table("job_claim")
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.drop_column("people_version")
