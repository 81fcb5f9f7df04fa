"""Money on risks: exact decimals in any currency, and the hooks to the workspace's reporting currency.

Amounts are kept in the currency they were given in. Converting them needs FX rates, which belong to
the economics feature; until it is merged `convert_amount` knows only same-currency conversions and
`report_currency` knows no workspace currency.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import String, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlmodel import Session

# ISO 4217 codes a cross-border seller meets: where they sell, buy and get paid.
CURRENCIES = frozenset(
    """
    USD CNY EUR GBP JPY HKD SGD MYR THB VND PHP IDR TWD KRW AUD NZD CAD MXN BRL CLP COP PEN ARS
    CHF SEK NOK DKK PLN CZK HUF RON TRY AED SAR ILS INR PKR BDT ZAR EGP NGN KES RUB UAH
    """.split()
)


class DecimalText(TypeDecorator[Decimal]):
    """An exact decimal stored as text: SQLite has no decimal type, and floats would round money."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, Decimal) or not value.is_finite():
            raise ValueError(f"not a finite Decimal: {value!r}")
        return format(value, "f")

    def process_result_value(self, value: str | None, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        try:
            return Decimal(value)
        except InvalidOperation as err:
            raise ValueError(f"stored decimal {value!r} is unreadable") from err


def report_currency(*, db: Session, workspace_id: int) -> str | None:
    """The currency the workspace reports money in; None while no such setting exists."""
    return None


def convert_amount(
    *, db: Session, workspace_id: int, amount: Decimal, currency: str, to: str, on: date
) -> Decimal | None:
    """`amount` of `currency` in `to` at the rate of `on`; None when no rate is known."""
    if currency == to:
        return amount
    return None
