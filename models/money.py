"""Money as Decimal: currency codes, how many decimals each shows, and a column type that keeps
amounts exact on SQLite and PostgreSQL alike (stored as text, read back as Decimal)."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import String, TypeDecorator
from sqlalchemy.engine import Dialect

# ISO 4217 codes in use.
CURRENCIES = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN
    BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS
    GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW
    KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD
    NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD
    SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES
    VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL
    """.split()
)
CURRENCY_ALIASES = {
    "RMB": "CNY",
    "人民币": "CNY",
    "元": "CNY",
    "美元": "USD",
    "欧元": "EUR",
    "英镑": "GBP",
    "日元": "JPY",
    "新元": "SGD",
    "新加坡元": "SGD",
    "马币": "MYR",
    "令吉": "MYR",
}
HOME_CURRENCY = "CNY"

# Decimals shown per currency (ISO minor units, and what shelf prices really use: rupiah prices are whole).
ZERO_DECIMALS = frozenset("BIF CLP DJF GNF IDR ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF".split())
THREE_DECIMALS = frozenset("BHD IQD JOD KWD LYD OMR TND".split())
# The step a charm price ends within: 1 → x.49 / x.99; 100 → x49 / x99 (yen, won); 1000 → x490 / x990.
PRICE_STEP = {"VND": Decimal(1000), "IDR": Decimal(1000)}


def normalise_currency(code: str) -> str | None:
    """The ISO code for what a user typed (eur, RMB, 人民币), or None when it is no currency."""
    cleaned = code.strip()
    upper = CURRENCY_ALIASES.get(cleaned, cleaned).upper()
    upper = CURRENCY_ALIASES.get(upper, upper)
    return upper if upper in CURRENCIES else None


def price_step(currency: str) -> Decimal:
    return PRICE_STEP.get(currency, Decimal(100) if currency in ZERO_DECIMALS else Decimal(1))


def places(currency: str) -> int:
    if currency in ZERO_DECIMALS:
        return 0
    return 3 if currency in THREE_DECIMALS else 2


def rounded(amount: Decimal, currency: str) -> Decimal:
    """Half-up to the currency's decimals: for display only."""
    return amount.quantize(Decimal(1).scaleb(-places(currency)), rounding=ROUND_HALF_UP)


def rounded_up(amount: Decimal, currency: str) -> Decimal:
    """Up to the currency's decimals (a break-even price must not fall short)."""
    return amount.quantize(Decimal(1).scaleb(-places(currency)), rounding=ROUND_CEILING)


def shown(amount: Decimal | None, currency: str) -> str:
    """ "EUR 1,234.50" style text of an amount, rounded for display."""
    if amount is None:
        return "—"
    return f"{currency} {rounded(amount, currency):,}"


def percent(fraction: Decimal | None, digits: int = 2) -> str:
    """A fraction shown as a percentage: 0.31385 → "31.39%"."""
    if fraction is None:
        return "—"
    value = (fraction * 100).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return f"{value.normalize():f}%" if value == value.to_integral() else f"{value}%"


def plain(value: Decimal | None) -> str | None:
    """Exact text of a Decimal for JSON (the audit log, button payloads)."""
    return None if value is None else format(value, "f")


class DecimalText(TypeDecorator[Decimal]):
    """A Decimal stored as its exact text: no float rounding on SQLite, the same on PostgreSQL."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            value = Decimal(value)
        if not isinstance(value, Decimal) or not value.is_finite():
            raise ValueError(f"not a finite Decimal: {value!r}")  # a float would carry its rounding in
        return format(value, "f")

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)
