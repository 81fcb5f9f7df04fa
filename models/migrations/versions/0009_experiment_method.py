"""experiments: inference method (sequential by default), metric direction, fixed-horizon lock, mean metrics, guardrails

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("experiment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "method", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default="sequential"
            )
        )
        batch_op.add_column(
            sa.Column("direction", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False, server_default="higher")
        )
        batch_op.add_column(sa.Column("locked", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default="proportion")
        )
        batch_op.add_column(sa.Column("baseline_sd", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("guardrails", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("experiment_total", schema=None) as batch_op:
        batch_op.add_column(sa.Column("total", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("squares", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("experiment_total", schema=None) as batch_op:
        batch_op.drop_column("squares")
        batch_op.drop_column("total")
    with op.batch_alter_table("experiment", schema=None) as batch_op:
        batch_op.drop_column("guardrails")
        batch_op.drop_column("baseline_sd")
        batch_op.drop_column("kind")
        batch_op.drop_column("locked")
        batch_op.drop_column("direction")
        batch_op.drop_column("method")
