"""the MoSCoW budget of /score top kept per workspace and market (score_budget), filled from the scores

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Open (not shipped or rejected) requirements whose MoSCoW class is planned, effort in hundredths.
_SUMS = """
    SELECT s.workspace_id, {market},
        COALESCE(SUM(CASE WHEN s.moscow = 'must' THEN CAST(ROUND(s.effort * 100) AS BIGINT) ELSE 0 END), 0),
        COALESCE(SUM(CAST(ROUND(s.effort * 100) AS BIGINT)), 0),
        COUNT(*) - COUNT(s.effort)
    FROM requirement_score s JOIN requirement r ON r.id = s.requirement_id {join}
    WHERE s.moscow IN ('must', 'should', 'could') AND r.status NOT IN ('shipped', 'rejected')
    GROUP BY s.workspace_id {group}
"""
_INSERT = "INSERT INTO score_budget (workspace_id, market, must_cents, planned_cents, missing) "


def upgrade() -> None:
    op.create_table(
        "score_budget",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("market", sa.String(length=2), nullable=False),
        sa.Column("must_cents", sa.BigInteger(), nullable=False),
        sa.Column("planned_cents", sa.BigInteger(), nullable=False),
        sa.Column("missing", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),
        sa.PrimaryKeyConstraint("workspace_id", "market"),
    )
    op.execute(_INSERT + _SUMS.format(market="''", join="", group=""))
    join = "JOIN requirement_market m ON m.requirement_id = s.requirement_id"
    op.execute(_INSERT + _SUMS.format(market="m.market", join=join, group=", m.market"))


def downgrade() -> None:
    op.drop_table("score_budget")
