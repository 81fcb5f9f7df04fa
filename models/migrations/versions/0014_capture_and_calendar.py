"""requirement source and source link (captured from a message); team calendar and blocker age; standup away

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 18:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("requirement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(16), nullable=True))
        batch_op.add_column(sa.Column("source_link", sa.String(1000), nullable=True))
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calendar", sa.String(8), nullable=True))
        batch_op.add_column(sa.Column("blocker_days", sa.Integer(), nullable=True))
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("away_until", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("away_until")
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.drop_column("blocker_days")
        batch_op.drop_column("calendar")
    with op.batch_alter_table("requirement", schema=None) as batch_op:
        batch_op.drop_column("source_link")
        batch_op.drop_column("source")
