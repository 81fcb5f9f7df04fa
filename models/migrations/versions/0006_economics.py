"""economics: costs, fx, suppliers, market profiles

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-25 19:45:58.189640
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import models.base
import models.money

revision: str = "0006"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "market_check_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("market", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=150), nullable=True),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workspace_id", "market", "key"),
    )
    op.create_table(
        "money_setting",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("home_currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
        ),
        sa.PrimaryKeyConstraint("workspace_id"),
    )
    op.create_table(
        "supplier_weight",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("criterion", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("weight", models.money.DecimalText(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
        ),
        sa.PrimaryKeyConstraint("workspace_id", "criterion"),
    )
    op.create_table(
        "fx_rate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("base", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("quote", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("rate", models.money.DecimalText(length=40), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("set_by", sa.Integer(), nullable=True),
        sa.Column("set_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["set_by"],
            ["member.id"],
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("fx_rate", schema=None) as batch_op:
        batch_op.create_index("ix_fx_rate_pair", ["workspace_id", "base", "quote", "as_of"], unique=False)

    op.create_table(
        "market_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("market", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True),
        sa.Column("platforms", sa.JSON(), nullable=True),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("payments", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("delivery", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("returns", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("age", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("motives", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("pains", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("price_quality", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["member.id"],
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workspace_id", "market"),
    )
    op.create_table(
        "sku",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("code_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("purchase", models.money.DecimalText(length=40), nullable=False),
        sa.Column("purchase_currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("weight_kg", models.money.DecimalText(length=40), nullable=True),
        sa.Column("length_cm", models.money.DecimalText(length=40), nullable=True),
        sa.Column("width_cm", models.money.DecimalText(length=40), nullable=True),
        sa.Column("height_cm", models.money.DecimalText(length=40), nullable=True),
        sa.Column("carton_length_cm", models.money.DecimalText(length=40), nullable=True),
        sa.Column("carton_width_cm", models.money.DecimalText(length=40), nullable=True),
        sa.Column("carton_height_cm", models.money.DecimalText(length=40), nullable=True),
        sa.Column("carton_weight_kg", models.money.DecimalText(length=40), nullable=True),
        sa.Column("carton_units", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["member.id"],
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workspace_id", "code_key"),
    )
    op.create_table(
        "supplier",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("name_key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("city", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("lead_days", sa.Integer(), nullable=True),
        sa.Column("defects", sa.Integer(), nullable=True),
        sa.Column("batch", sa.Integer(), nullable=True),
        sa.Column("certs", sa.JSON(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["member.id"],
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workspace_id", "name_key"),
    )
    op.create_table(
        "cost_lane",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("market", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("freight_rate", models.money.DecimalText(length=40), nullable=False),
        sa.Column("freight_basis", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column("freight_currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("divisor", sa.Integer(), nullable=False),
        sa.Column("duty_pct", models.money.DecimalText(length=40), nullable=False),
        sa.Column("hs_code", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("customs", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("declared", models.money.DecimalText(length=40), nullable=True),
        sa.Column("vat_pct", models.money.DecimalText(length=40), nullable=False),
        sa.Column("referral_pct", models.money.DecimalText(length=40), nullable=False),
        sa.Column("fulfilment", models.money.DecimalText(length=40), nullable=False),
        sa.Column("storage", models.money.DecimalText(length=40), nullable=False),
        sa.Column("ads_pct", models.money.DecimalText(length=40), nullable=False),
        sa.Column("returns_pct", models.money.DecimalText(length=40), nullable=False),
        sa.Column("price", models.money.DecimalText(length=40), nullable=False),
        sa.Column("price_currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["sku_id"], ["sku.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["member.id"],
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sku_id", "market"),
    )
    op.create_table(
        "launch_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("market", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("item_key", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("done_by", sa.Integer(), nullable=True),
        sa.Column("done_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["done_by"],
            ["member.id"],
        ),
        sa.ForeignKeyConstraint(["requirement_id"], ["requirement.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("requirement_id", "market", "item_key"),
    )
    op.create_table(
        "market_launch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("market", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("approved_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by"],
            ["member.id"],
        ),
        sa.ForeignKeyConstraint(["requirement_id"], ["requirement.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("requirement_id", "market"),
    )
    op.create_table(
        "supplier_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=True),
        sa.Column("sku_id", sa.Integer(), nullable=True),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("linked_by", sa.Integer(), nullable=True),
        sa.Column("linked_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["linked_by"],
            ["member.id"],
        ),
        sa.ForeignKeyConstraint(["requirement_id"], ["requirement.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["sku_id"], ["sku.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["supplier_id"], ["supplier.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("supplier_link", schema=None) as batch_op:
        batch_op.create_index("ix_supplier_link_requirement", ["requirement_id"], unique=False)
        batch_op.create_index("ix_supplier_link_sku", ["sku_id"], unique=False)

    op.create_table(
        "supplier_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=False),
        sa.Column("certification", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("lead_time", sa.Integer(), nullable=False),
        sa.Column("return_rate", sa.Integer(), nullable=False),
        sa.Column("service", sa.Integer(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("scored_by", sa.Integer(), nullable=True),
        sa.Column("scored_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["scored_by"],
            ["member.id"],
        ),
        sa.ForeignKeyConstraint(["supplier_id"], ["supplier.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("supplier_score", schema=None) as batch_op:
        batch_op.create_index("ix_supplier_score_supplier", ["supplier_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("supplier_score", schema=None) as batch_op:
        batch_op.drop_index("ix_supplier_score_supplier")

    op.drop_table("supplier_score")
    with op.batch_alter_table("supplier_link", schema=None) as batch_op:
        batch_op.drop_index("ix_supplier_link_sku")
        batch_op.drop_index("ix_supplier_link_requirement")

    op.drop_table("supplier_link")
    op.drop_table("market_launch")
    op.drop_table("launch_check")
    op.drop_table("cost_lane")
    op.drop_table("supplier")
    op.drop_table("sku")
    op.drop_table("market_profile")
    with op.batch_alter_table("fx_rate", schema=None) as batch_op:
        batch_op.drop_index("ix_fx_rate_pair")

    op.drop_table("fx_rate")
    op.drop_table("supplier_weight")
    op.drop_table("money_setting")
    op.drop_table("market_check_item")
