"""Money on risks: kept in the currency it was given in, shown in the workspace's home currency at the
team's own FX rates (models/costs/fx.py) when a rate is known."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlmodel import Session

from models.costs import fx
from models.money import CURRENCIES, DecimalText

__all__ = ["CURRENCIES", "DecimalText", "convert_amount", "report_currency"]


def report_currency(*, db: Session, workspace_id: int) -> str:
    """The currency the workspace reports money in (its home currency, CNY unless an admin changed it)."""
    return fx.home_currency(db=db, workspace_id=workspace_id)


def convert_amount(
    *, db: Session, workspace_id: int, amount: Decimal, currency: str, to: str, on: date
) -> fx.Converted | None:
    """`amount` of `currency` in `to` at the team's rate in force on `on`; None when no rate is known."""
    return fx.convert(db=db, workspace_id=workspace_id, amount=amount, from_currency=currency, to_currency=to, on=on)
