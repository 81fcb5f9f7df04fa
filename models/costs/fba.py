"""Fulfilment by the marketplace: which size tier a unit falls in, the fee for its shipping weight, and
its monthly storage. Pure Decimal math on a table read from models/costs/schedules/.

A tier is the first, in the table's order, whose side limits (longest, median, shortest side, and
length + girth where given) and weight limit the unit fits. Tiers that bill on dimensional weight use
the larger of unit weight and L×W×H × the table's weight-per-volume factor (Amazon US: ÷ 139 in³ per
lb), both for the limit and for the fee; others use the unit weight.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

CM_PER_INCH = Decimal("2.54")
KG_PER_OZ = Decimal("0.028349523125")  # the avoirdupois ounce, exactly
CM3_PER_FT3 = (CM_PER_INCH * 12) ** 3
CM3_PER_M3 = Decimal(1_000_000)
ZERO = Decimal(0)


@dataclass(frozen=True)
class WeightBand:
    up_to: Decimal  # the heaviest shipping weight in the band, in the table's weight unit
    fee: Decimal
    over: Decimal | None = None  # above this weight, `per_step` is added for each `step` or part of one
    step: Decimal | None = None
    per_step: Decimal = ZERO

    def fee_for(self, weight: Decimal) -> Decimal:
        if self.over is None or self.step is None or weight <= self.over:
            return self.fee
        steps = ((weight - self.over) / self.step).to_integral_value(rounding=ROUND_CEILING)
        return self.fee + steps * self.per_step


@dataclass(frozen=True)
class SizeTier:
    key: str
    longest: Decimal  # side limits in the table's length unit
    median: Decimal
    shortest: Decimal
    max_weight: Decimal
    bands: tuple[WeightBand, ...]
    storage: str  # which storage rate applies: "standard" or "bulky"
    girth: Decimal | None = None  # length + girth limit
    dim_weight: bool = False


@dataclass(frozen=True)
class FbaTable:
    length_unit: str  # "in" or "cm"
    weight_unit: str  # "oz" or "g"
    dim_factor: Decimal  # weight units per cubic length unit (US: 16 oz ÷ 139 in³)
    tiers: tuple[SizeTier, ...]
    storage: dict[str, dict[str, Decimal]]  # rate per storage unit and month, by tier kind and season
    storage_unit: str  # "ft3" or "m3"
    peak_months: frozenset[int]  # the months the "peak" storage rate applies


@dataclass(frozen=True)
class FbaChoice:
    tier: str
    shipping_weight: Decimal  # in the table's weight unit
    band_up_to: Decimal
    fee: Decimal
    storage_kind: str


def sides(table: FbaTable, length_cm: Decimal, width_cm: Decimal, height_cm: Decimal) -> list[Decimal]:
    found = sorted((length_cm, width_cm, height_cm), reverse=True)
    return [side / CM_PER_INCH for side in found] if table.length_unit == "in" else found


def unit_weight(table: FbaTable, weight_kg: Decimal) -> Decimal:
    return weight_kg / KG_PER_OZ if table.weight_unit == "oz" else weight_kg * 1000


def choose(table: FbaTable, dims_cm: tuple[Decimal, Decimal, Decimal], weight_kg: Decimal) -> FbaChoice | None:
    """The tier and fee of one unit, or None when it fits no tier of the table."""
    longest, median, shortest = sides(table, *dims_cm)
    actual = unit_weight(table, weight_kg)
    dimensional = longest * median * shortest * table.dim_factor
    for tier in table.tiers:
        weight = max(actual, dimensional) if tier.dim_weight else actual
        if longest > tier.longest or median > tier.median or shortest > tier.shortest or weight > tier.max_weight:
            continue
        if tier.girth is not None and longest + 2 * (median + shortest) > tier.girth:
            continue
        band = next((b for b in tier.bands if weight <= b.up_to), None)
        if band is None:
            continue
        return FbaChoice(tier.key, weight, band.up_to, band.fee_for(weight), tier.storage)
    return None


def monthly_storage(table: FbaTable, kind: str, dims_cm: tuple[Decimal, Decimal, Decimal], month: int) -> Decimal:
    """One unit's storage for one month: its volume times the rate of its tier kind and season."""
    cm3 = dims_cm[0] * dims_cm[1] * dims_cm[2]
    volume = cm3 / (CM3_PER_FT3 if table.storage_unit == "ft3" else CM3_PER_M3)
    return volume * table.storage[kind]["peak" if month in table.peak_months else "off_peak"]
