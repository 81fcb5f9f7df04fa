"""the MoSCoW budget of /score top read from an index of its own

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 19:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("requirement_score", schema=None) as batch_op:
        batch_op.create_index("ix_requirement_score_budget", ["workspace_id", "moscow", "effort"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("requirement_score", schema=None) as batch_op:
        batch_op.drop_index("ix_requirement_score_budget")
