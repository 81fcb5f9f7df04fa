"""What Tradewind knows about a market before the team edits anything: currency, tax and customs
conventions for the cost lanes, and the profile and launch checklist a new market profile starts with.

Texts live in the message catalogue (templates/i18n/*/markets.toml) under
`mdefault.<CODE>.<field>` and `launch.item.<key>` / `launch.hint.<CODE>.<key>`; this module says which
exist. The tax rates are each market's standard rate: check reduced rates for your category.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from models.costs.landed_cost import Customs

EURO = frozenset("AT BE CY DE EE ES FI FR GR HR IE IT LT LU LV MT NL PT SI SK".split())
MARKET_CURRENCY = {
    **dict.fromkeys(EURO, "EUR"),
    "US": "USD",
    "CA": "CAD",
    "MX": "MXN",
    "BR": "BRL",
    "GB": "GBP",
    "PL": "PLN",
    "SE": "SEK",
    "DK": "DKK",
    "CZ": "CZK",
    "HU": "HUF",
    "RO": "RON",
    "CH": "CHF",
    "NO": "NOK",
    "TR": "TRY",
    "AE": "AED",
    "SA": "SAR",
    "JP": "JPY",
    "KR": "KRW",
    "AU": "AUD",
    "NZ": "NZD",
    "SG": "SGD",
    "MY": "MYR",
    "TH": "THB",
    "VN": "VND",
    "PH": "PHP",
    "ID": "IDR",
    "TW": "TWD",
    "HK": "HKD",
    "IN": "INR",
    "CN": "CNY",
}

# Shelf prices exclude sales tax here (added at checkout); everywhere else they include VAT/GST.
TAX_EXCLUSIVE = frozenset({"US", "CA"})

# Standard VAT/GST rates used when a lane gives none. Markets left out must be given a rate.
STANDARD_VAT = {
    "US": Decimal(0),
    "CA": Decimal(0),
    "GB": Decimal(20),
    "DE": Decimal(19),
    "FR": Decimal(20),
    "IT": Decimal(22),
    "ES": Decimal(21),
    "NL": Decimal(21),
    "BE": Decimal(21),
    "AT": Decimal(20),
    "IE": Decimal(23),
    "PL": Decimal(23),
    "SE": Decimal(25),
    "JP": Decimal(10),
    "SG": Decimal(9),
    "AU": Decimal(10),
    "NZ": Decimal(15),
}

# Customs value on the goods only (FOB) here; on goods plus freight (CIF) elsewhere.
FOB_MARKETS = frozenset({"US", "CA", "AU", "NZ"})

PROFILE_FIELDS = ("language", "payments", "delivery", "returns", "age", "motives", "pains", "price_quality")

# Markets shipped with a profile: their usual platforms (the texts are in the catalogue).
PROFILE_PLATFORMS: dict[str, tuple[str, ...]] = {
    "US": ("amazon", "walmart", "tiktok", "temu", "shein", "ebay", "own"),
    "GB": ("amazon", "ebay", "tiktok", "temu", "shein", "own"),
    "DE": ("amazon", "otto", "ebay", "temu", "shein", "own"),
    "FR": ("amazon", "cdiscount", "fnac", "temu", "shein", "own"),
    "JP": ("amazon", "rakuten", "yahoo", "temu", "own"),
    "SG": ("shopee", "lazada", "amazon", "tiktok", "own"),
    "MY": ("shopee", "lazada", "tiktok"),
}


@dataclass(frozen=True)
class ChecklistDefault:
    key: str
    required: bool


# The launch checklist every market starts with, in order.
BASE_CHECKLIST = (
    ChecklistDefault("translation", True),
    ChecklistDefault("listing", True),
    ChecklistDefault("alt_text", False),
    ChecklistDefault("units", True),
    ChecklistDefault("marks", True),
    ChecklistDefault("privacy", True),
    ChecklistDefault("returns", True),
    ChecklistDefault("cs_script", False),
)
# Items some markets add to it.
EXTRA_CHECKLIST: dict[str, tuple[ChecklistDefault, ...]] = {
    "DE": (ChecklistDefault("epr", True),),
    "FR": (ChecklistDefault("epr", True),),
}
# Items whose text says what it means in that market (launch.hint.<CODE>.<key>).
CHECKLIST_HINTS: dict[str, frozenset[str]] = {
    "US": frozenset({"units", "marks", "privacy", "returns"}),
    "GB": frozenset({"units", "marks", "privacy", "returns"}),
    "DE": frozenset({"translation", "marks", "privacy", "returns", "epr"}),
    "FR": frozenset({"translation", "marks", "privacy", "returns", "epr"}),
    "JP": frozenset({"translation", "units", "marks", "privacy", "returns"}),
    "SG": frozenset({"marks", "privacy", "returns"}),
    "MY": frozenset({"translation", "marks", "privacy"}),
}


def currency_of(market: str) -> str | None:
    return MARKET_CURRENCY.get(market)


def has_profile_defaults(market: str) -> bool:
    return market in PROFILE_PLATFORMS


def checklist_for(market: str) -> tuple[ChecklistDefault, ...]:
    return BASE_CHECKLIST + EXTRA_CHECKLIST.get(market, ())


def customs_basis(market: str) -> Customs:
    return Customs.FOB if market in FOB_MARKETS else Customs.CIF
