"""Parsers for the numbers people type about money and goods: amounts, percentages, currencies,
weights, dimensions, freight rates and what-if shocks. Each raises FieldError with a clear reason."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from handlers.core.reply import FieldError
from models.costs.landed_cost import Basis
from models.money import normalise_currency

NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d{1,2}")  # 24,99 as Europeans write it; 1,299 stays a thousand
HUNDRED = Decimal(100)
MAX_AMOUNT = Decimal("1e12")

WEIGHT_UNITS = {"kg": Decimal(1), "公斤": Decimal(1), "千克": Decimal(1), "g": Decimal("0.001"), "克": Decimal("0.001")}
WEIGHT_UNITS |= {"lb": Decimal("0.45359237"), "lbs": Decimal("0.45359237"), "oz": Decimal("0.028349523125")}
LENGTH_UNITS = {"cm": Decimal(1), "厘米": Decimal(1), "mm": Decimal("0.1"), "毫米": Decimal("0.1")}
LENGTH_UNITS |= {"in": Decimal("2.54")}
BASIS_WORDS = {
    "cbm": Basis.CBM,
    "m3": Basis.CBM,
    "m³": Basis.CBM,
    "方": Basis.CBM,
    "立方": Basis.CBM,
    "kg": Basis.KG,
    "公斤": Basis.KG,
    "千克": Basis.KG,
    "unit": Basis.UNIT,
    "pcs": Basis.UNIT,
    "pc": Basis.UNIT,
    "件": Basis.UNIT,
    "个": Basis.UNIT,
}
DIM_SEPARATORS = re.compile(r"\s*[x×X*＊]\s*")


def _fold(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().lower().replace(" ", "")


def number(name: str, value: str) -> Decimal:
    """A plain decimal number: 23.50, 1,299, 24,99, ２３.５; never NaN or infinity."""
    raw = _fold(value)
    if THOUSANDS.fullmatch(raw):
        raw = raw.replace(",", "")
    elif DECIMAL_COMMA.fullmatch(raw):
        raw = raw.replace(",", ".")
    if not NUMBER.fullmatch(raw):
        raise FieldError(name, "money.bad_number", value=value)
    try:
        found = Decimal(raw)
    except InvalidOperation as err:
        raise FieldError(name, "money.bad_number", value=value) from err
    if abs(found) >= MAX_AMOUNT:
        raise FieldError(name, "money.too_big", value=value)
    return found


def amount(name: str, value: str, *, positive: bool = False) -> Decimal:
    """A money amount: zero or more (more than zero when `positive`)."""
    found = number(name, value)
    if found < 0:
        raise FieldError(name, "money.negative", value=value)
    if positive and found == 0:
        raise FieldError(name, "money.zero", value=value)
    return found


def percent(name: str, value: str, *, maximum: Decimal = HUNDRED) -> Decimal:
    """A percentage in points (4.7% → 4.7). The % sign is required except for 0."""
    raw = _fold(value)
    if raw.endswith("%"):
        found = number(name, raw[:-1])
    else:
        found = number(name, raw)
        if found != 0:
            raise FieldError(name, "money.need_percent", value=value, example=f"{raw}%")
    if found < 0:
        raise FieldError(name, "money.negative", value=value)
    if found > maximum:
        raise FieldError(name, "money.percent_over", value=value, max=f"{maximum.normalize():f}%")
    return found


def currency(name: str, value: str) -> str:
    found = normalise_currency(unicodedata.normalize("NFKC", value))
    if found is None:
        raise FieldError(name, "money.bad_currency", value=value)
    return found


def _with_unit(name: str, value: str, units: dict[str, Decimal], default: str, error: str) -> Decimal:
    raw = _fold(value)
    for unit in sorted(units, key=len, reverse=True):
        if raw.endswith(unit):
            return number(name, raw[: -len(unit)]) * units[unit]
    if NUMBER.fullmatch(raw):
        return number(name, raw) * units[default]
    raise FieldError(name, error, value=value)


def weight_kg(name: str, value: str) -> Decimal:
    """0.42kg, 420g, 1.2lb or 0.42 (kg); more than zero."""
    found = _with_unit(name, value, WEIGHT_UNITS, "kg", "money.bad_weight")
    if found <= 0:
        raise FieldError(name, "money.bad_weight", value=value)
    return found


def dims_cm(name: str, value: str) -> tuple[Decimal, Decimal, Decimal]:
    """30x20x5cm, 30×20×5, 300*200*50mm, 12x8x2in: length, width, height in cm, each above zero."""
    raw = _fold(value)
    unit = "cm"
    for candidate in sorted(LENGTH_UNITS, key=len, reverse=True):
        if raw.endswith(candidate):
            unit, raw = candidate, raw[: -len(candidate)]
            break
    parts = DIM_SEPARATORS.split(raw)
    if len(parts) != 3:
        raise FieldError(name, "money.bad_dims", value=value)
    try:
        sides = [number(name, p) * LENGTH_UNITS[unit] for p in parts]
    except FieldError as err:
        raise FieldError(name, "money.bad_dims", value=value) from err
    if any(side <= 0 for side in sides):
        raise FieldError(name, "money.bad_dims", value=value)
    return sides[0], sides[1], sides[2]


def freight(name: str, value: str) -> tuple[Decimal, Basis]:
    """1200/cbm, 38/kg, 1.20/unit (also /m3, /方, /公斤, /件)."""
    raw = _fold(value)
    rate_text, slash, basis_text = raw.partition("/")
    basis = BASIS_WORDS.get(basis_text)
    if not slash or basis is None:
        raise FieldError(name, "money.bad_freight", value=value)
    return amount(name, rate_text), basis


def whole(name: str, value: str, *, low: int, high: int) -> int:
    raw = _fold(value).removesuffix("d").removesuffix("天")
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise FieldError(name, "money.bad_whole", value=value, low=low, high=high)
    return int(raw)


def change(name: str, value: str, *, points: bool = False) -> tuple[Decimal, bool]:
    """A what-if change: +5% / -5% (relative), or +10pt (percentage points, when `points` is allowed).

    Returns the amount and whether it is in points.
    """
    raw = _fold(value)
    for suffix in ("pt", "pts", "pp", "个点", "点"):
        if raw.endswith(suffix):
            if not points:
                raise FieldError(name, "money.bad_change", value=value)
            return number(name, raw[: -len(suffix)]), True
    if not raw.endswith("%"):
        raise FieldError(name, "money.bad_change", value=value)
    found = number(name, raw[:-1])
    if found <= -HUNDRED:
        raise FieldError(name, "money.bad_change", value=value)
    return found, False
