"""landed cost lines: fee lines a lane leaves out are stored as not entered (NULL), never as 0;
whether the workspace reclaims import VAT; named duties, insurance, freight after arrival, entry size; return fee and unsellable share; the marketplace
and referral category; a workspace's own figures for the fee schedules

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 13:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import models.base
import models.money

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPTIONAL_FEES = ("referral_pct", "fulfilment", "storage", "ads_pct", "returns_pct")
NEW_PERCENTAGES = (
    "section301_pct",
    "extra_duty_pct",
    "insurance_pct",
    "after_arrival_pct",
    "return_fee",
    "unsellable_pct",
)


def upgrade() -> None:
    op.create_table(
        "fee_override",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("market", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("value", models.money.DecimalText(length=40), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["updated_by"], ["member.id"]),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),
        sa.PrimaryKeyConstraint("workspace_id", "market", "key"),
    )
    with op.batch_alter_table("money_setting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("import_vat_reclaimed", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column("vat_reclaim_days", sa.Integer(), server_default="60", nullable=False))
    with op.batch_alter_table("cost_lane", schema=None) as batch_op:
        for name in OPTIONAL_FEES:
            batch_op.alter_column(name, existing_type=models.money.DecimalText(length=40), nullable=True)
        for name in NEW_PERCENTAGES:
            batch_op.add_column(sa.Column(name, models.money.DecimalText(length=40), nullable=True))
        batch_op.add_column(sa.Column("entry_units", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True))
        batch_op.add_column(sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))


def downgrade() -> None:
    op.drop_table("fee_override")
    with op.batch_alter_table("money_setting", schema=None) as batch_op:
        batch_op.drop_column("vat_reclaim_days")
        batch_op.drop_column("import_vat_reclaimed")
    for name in OPTIONAL_FEES:
        op.execute(f"UPDATE cost_lane SET {name} = '0' WHERE {name} IS NULL")
    with op.batch_alter_table("cost_lane", schema=None) as batch_op:
        batch_op.drop_column("category")
        batch_op.drop_column("platform")
        batch_op.drop_column("entry_units")
        for name in NEW_PERCENTAGES:
            batch_op.drop_column(name)
        for name in OPTIONAL_FEES:
            batch_op.alter_column(name, existing_type=models.money.DecimalText(length=40), nullable=False)
