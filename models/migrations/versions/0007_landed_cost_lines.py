"""landed cost lines: fee lines a lane leaves out are stored as not entered (NULL), never as 0

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-03 13:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

import models.money

revision: str = "0007"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPTIONAL_FEES = ("referral_pct", "fulfilment", "storage", "ads_pct", "returns_pct")


def upgrade() -> None:
    with op.batch_alter_table("cost_lane", schema=None) as batch_op:
        for name in OPTIONAL_FEES:
            batch_op.alter_column(name, existing_type=models.money.DecimalText(length=40), nullable=True)


def downgrade() -> None:
    for name in OPTIONAL_FEES:
        op.execute(f"UPDATE cost_lane SET {name} = '0' WHERE {name} IS NULL")
    with op.batch_alter_table("cost_lane", schema=None) as batch_op:
        for name in OPTIONAL_FEES:
            batch_op.alter_column(name, existing_type=models.money.DecimalText(length=40), nullable=False)
