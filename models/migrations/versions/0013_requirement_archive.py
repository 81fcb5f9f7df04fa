"""requirements can be archived (hidden from lists, search, ranking and digests) and restored; exchange
rates fed as figures (fx.USDCNY) move into the one store of rates; suppliers get keys (SUP-<n>)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 18:50:00.000000
"""

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from alembic import op

import models.base
from models.money import CURRENCIES

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("requirement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("archived_at", models.base.UTCDateTime(timezone=True), nullable=True))
    _figures_to_rates()
    with op.batch_alter_table("supplier", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number", sa.Integer(), nullable=True))
    _number_suppliers()
    with op.batch_alter_table("supplier", schema=None) as batch_op:
        batch_op.alter_column("number", existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint("uq_supplier_number", ["workspace_id", "number"])


SUPPLIER = sa.table(
    "supplier", sa.column("id", sa.Integer), sa.column("workspace_id", sa.Integer), sa.column("number", sa.Integer)
)
COUNTER = sa.table(
    "counter", sa.column("workspace_id", sa.Integer), sa.column("kind", sa.String), sa.column("value", sa.Integer)
)


def _number_suppliers() -> None:
    """The suppliers of each workspace numbered in the order they were added; the counter continues."""
    bind = op.get_bind()
    last: dict[int, int] = {}
    for row in bind.execute(sa.select(SUPPLIER.c.id, SUPPLIER.c.workspace_id).order_by(SUPPLIER.c.id)).all():
        last[row.workspace_id] = last.get(row.workspace_id, 0) + 1
        bind.execute(SUPPLIER.update().where(SUPPLIER.c.id == row.id).values(number=last[row.workspace_id]))
    for workspace_id, value in last.items():
        bind.execute(COUNTER.insert().values(workspace_id=workspace_id, kind="SUP", value=value))


FIGURE = sa.table(
    "figure",
    sa.column("id", sa.Integer),
    sa.column("workspace_id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("value", sa.String),
    sa.column("updated_by", sa.Integer),
    sa.column("updated_at", models.base.UTCDateTime()),
)
FX_RATE = sa.table(
    "fx_rate",
    sa.column("workspace_id", sa.Integer),
    sa.column("base", sa.String),
    sa.column("quote", sa.String),
    sa.column("rate", sa.String),
    sa.column("as_of", sa.Date),
    sa.column("set_by", sa.Integer),
    sa.column("set_at", models.base.UTCDateTime()),
)


def _figures_to_rates() -> None:
    """Each `fx.<BASE><QUOTE>` figure becomes a rate set for the day it was fed, unless the team set that
    pair by /pm fx since; the figure row goes (its watches are keyed by name and read the rate now)."""
    bind = op.get_bind()
    for row in bind.execute(sa.select(FIGURE)).mappings().all():
        match = re.fullmatch(r"fx\.([a-z]{3})([a-z]{3})", row["name"].casefold())
        if match is None:
            continue
        base, quote = match.group(1).upper(), match.group(2).upper()
        if base not in CURRENCIES or quote not in CURRENCIES or base == quote or not _positive(row["value"]):
            continue
        fed = row["updated_at"]
        newer = bind.execute(
            sa.select(sa.literal(1)).where(
                FX_RATE.c.workspace_id == row["workspace_id"],
                FX_RATE.c.base == base,
                FX_RATE.c.quote == quote,
                FX_RATE.c.set_at >= fed,
            )
        ).first()
        if newer is None:
            bind.execute(
                FX_RATE.insert().values(
                    workspace_id=row["workspace_id"],
                    base=base,
                    quote=quote,
                    rate=row["value"],
                    as_of=fed.date(),
                    set_by=row["updated_by"],
                    set_at=fed,
                )
            )
        bind.execute(FIGURE.delete().where(FIGURE.c.id == row["id"]))


def _positive(value: object) -> bool:
    try:
        return Decimal(str(value)) > 0
    except InvalidOperation:
        return False


def downgrade() -> None:
    with op.batch_alter_table("supplier", schema=None) as batch_op:
        batch_op.drop_constraint("uq_supplier_number", type_="unique")
        batch_op.drop_column("number")
    op.execute(COUNTER.delete().where(COUNTER.c.kind == "SUP"))
    with op.batch_alter_table("requirement", schema=None) as batch_op:
        batch_op.drop_column("archived_at")
