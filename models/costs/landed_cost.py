"""Landed cost and contribution margin of one unit sold in one market: pure Decimal math, no I/O.

Every amount here is already in the market's currency except where a name says otherwise; the
caller converts (models/costs/cost.py). Definitions, as the ERP profit reports use them:

- First-leg freight (头程): sea per CBM of the larger of volume and weight (1 t counts as 1 CBM,
  the forwarders' W/M rule); air and express per kg of chargeable weight, the larger of actual and
  volumetric weight (L×W×H cm ÷ divisor, 6000 or 5000); or a flat amount per unit. A carton's freight
  is divided by the units it holds.
- Shelf prices in VAT markets include VAT: VAT is backed out, price ÷ (1 + rate). US and Canadian
  prices exclude sales tax, which the platform collects.
- The referral fee and advertising are charged on the shelf price (VAT-inclusive where it is).
- Returns are a reserve on net revenue (a refund gives the VAT back).
- Duty is charged on the customs value: CIF (goods + first-leg freight; EU, UK, JP...) or FOB
  (goods only; US, CA, AU, NZ), unless a declared value is given.
- Import VAT/GST is charged at the lane's VAT rate on the customs value plus duty plus any freight
  the customs value leaves out (EU Art. 86 VAT Directive; UK; JP consumption tax on CIF + duty; AU GST
  on the value of the taxable importation, FOB + duty + transport and insurance). A seller who
  reclaims it does not bear it (cash tied up until the VAT return); one who cannot bears it as a cost.
- Contribution = net revenue − every cost line; margin = contribution ÷ net revenue.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum

HUNDRED = Decimal(100)
ONE = Decimal(1)
ZERO = Decimal(0)
KG_PER_TONNE = Decimal(1000)
CM3_PER_M3 = Decimal(1_000_000)


class Channel(StrEnum):
    SEA = "sea"
    AIR = "air"
    EXPRESS = "express"


class Basis(StrEnum):
    CBM = "cbm"
    KG = "kg"
    UNIT = "unit"


class Customs(StrEnum):
    CIF = "cif"
    FOB = "fob"


# The fee lines a lane may leave out, by name and the Lane field that holds each.
OPTIONAL_LINES = (
    ("referral", "referral_pct"),
    ("fulfilment", "fulfilment"),
    ("storage", "storage"),
    ("ads", "ads_pct"),
    ("returns", "returns_pct"),
)

DEFAULT_DIVISOR = {Channel.AIR: 6000, Channel.EXPRESS: 5000, Channel.SEA: 6000}


class MissingMeasure(ValueError):
    """The freight basis needs a weight or dimensions the SKU does not have."""

    def __init__(self, needs: str) -> None:
        super().__init__(needs)
        self.needs = needs  # "weight" or "dims"


@dataclass(frozen=True)
class Parcel:
    """What the forwarder weighs and measures: one unit, or a carton of `units` units."""

    weight_kg: Decimal | None = None
    length_cm: Decimal | None = None
    width_cm: Decimal | None = None
    height_cm: Decimal | None = None
    units: int = 1

    @property
    def has_dims(self) -> bool:
        return None not in (self.length_cm, self.width_cm, self.height_cm)

    def cm3(self) -> Decimal:
        if not self.has_dims:
            raise MissingMeasure("dims")
        assert self.length_cm is not None and self.width_cm is not None and self.height_cm is not None
        return self.length_cm * self.width_cm * self.height_cm


def volume_cbm(parcel: Parcel) -> Decimal:
    return parcel.cm3() / CM3_PER_M3


def volumetric_kg(parcel: Parcel, divisor: int) -> Decimal:
    return parcel.cm3() / Decimal(divisor)


def chargeable_kg(parcel: Parcel, divisor: int) -> Decimal:
    """The larger of actual and volumetric weight; either alone when only one is known."""
    candidates = []
    if parcel.weight_kg is not None:
        candidates.append(parcel.weight_kg)
    if parcel.has_dims:
        candidates.append(volumetric_kg(parcel, divisor))
    if not candidates:
        raise MissingMeasure("weight")
    return max(candidates)


def chargeable_cbm(parcel: Parcel) -> Decimal:
    """Sea freight's W/M: the larger of volume in CBM and weight in tonnes."""
    volume = volume_cbm(parcel)
    if parcel.weight_kg is None:
        return volume
    return max(volume, parcel.weight_kg / KG_PER_TONNE)


def freight_per_unit(parcel: Parcel, rate: Decimal, basis: Basis, divisor: int) -> Decimal:
    """First-leg freight of one unit, in the currency the rate is quoted in."""
    match basis:
        case Basis.UNIT:
            return rate
        case Basis.CBM:
            return rate * chargeable_cbm(parcel) / parcel.units
        case Basis.KG:
            return rate * chargeable_kg(parcel, divisor) / parcel.units
    raise AssertionError(basis)


@dataclass(frozen=True)
class Lane:
    """One unit's money in one market, every amount in the market's currency."""

    price: Decimal  # the shelf price the customer sees
    vat_pct: Decimal  # 19 for 19 %; 0 where prices exclude sales tax
    purchase: Decimal
    freight: Decimal
    duty_pct: Decimal
    customs: Customs
    referral_pct: Decimal | None  # None: not entered (counted as 0 and named on the card)
    fulfilment: Decimal | None
    storage: Decimal | None
    ads_pct: Decimal | None
    returns_pct: Decimal | None
    declared: Decimal | None = None  # customs value when declared, instead of CIF/FOB
    vat_reclaimed: bool = True  # the workspace reclaims import VAT/GST (models/costs/vat.py)

    def not_entered(self) -> tuple[str, ...]:
        """The fee lines nobody entered, in the order the card shows them."""
        return tuple(name for name, attr in OPTIONAL_LINES if getattr(self, attr) is None)


@dataclass(frozen=True)
class BuildUp:
    price: Decimal
    vat: Decimal
    net_revenue: Decimal
    purchase: Decimal
    freight: Decimal
    customs_value: Decimal
    duty: Decimal
    referral: Decimal
    fulfilment: Decimal
    storage: Decimal
    ads: Decimal
    returns: Decimal
    total_cost: Decimal
    contribution: Decimal
    margin: Decimal | None  # a fraction of net revenue; None when net revenue is 0
    break_even: Decimal | None  # the shelf price at which contribution is 0; None when none exists
    not_entered: tuple[str, ...] = ()  # fee lines counted as 0 because nobody entered them
    import_vat_base: Decimal = ZERO
    import_vat: Decimal = ZERO  # paid at import; a cost only when not reclaimed
    vat_reclaimed: bool = True

    @property
    def import_vat_cost(self) -> Decimal:
        return ZERO if self.vat_reclaimed else self.import_vat

    @property
    def landed(self) -> Decimal:
        """Goods, first-leg freight, duty and import VAT not reclaimed: a unit arrived in the market."""
        return self.purchase + self.freight + self.duty + self.import_vat_cost


def customs_value(lane: Lane) -> Decimal:
    if lane.declared is not None:
        return lane.declared
    return lane.purchase + lane.freight if lane.customs is Customs.CIF else lane.purchase


def _or_zero(value: Decimal | None) -> Decimal:
    return ZERO if value is None else value


def import_vat_base(lane: Lane, duty: Decimal) -> Decimal:
    """Customs value + duty + the freight the customs value leaves out."""
    value = customs_value(lane)
    outside = lane.freight if lane.declared is not None or lane.customs is Customs.FOB else ZERO
    return value + duty + outside


def fixed_costs(lane: Lane) -> Decimal:
    """The costs that do not move with the price."""
    duty = customs_value(lane) * lane.duty_pct / HUNDRED
    vat = ZERO if lane.vat_reclaimed else import_vat_base(lane, duty) * lane.vat_pct / HUNDRED
    return lane.purchase + lane.freight + duty + vat + _or_zero(lane.fulfilment) + _or_zero(lane.storage)


def build_up(lane: Lane) -> BuildUp:
    net = lane.price / (ONE + lane.vat_pct / HUNDRED)
    value = customs_value(lane)
    duty = value * lane.duty_pct / HUNDRED
    referral = lane.price * _or_zero(lane.referral_pct) / HUNDRED
    ads = lane.price * _or_zero(lane.ads_pct) / HUNDRED
    returns = net * _or_zero(lane.returns_pct) / HUNDRED
    fulfilment, storage = _or_zero(lane.fulfilment), _or_zero(lane.storage)
    vat_base = import_vat_base(lane, duty)
    import_vat = vat_base * lane.vat_pct / HUNDRED
    vat_cost = ZERO if lane.vat_reclaimed else import_vat
    total = lane.purchase + lane.freight + duty + vat_cost + referral + fulfilment + storage + ads + returns
    contribution = net - total
    return BuildUp(
        price=lane.price,
        vat=lane.price - net,
        net_revenue=net,
        purchase=lane.purchase,
        freight=lane.freight,
        customs_value=value,
        duty=duty,
        referral=referral,
        fulfilment=fulfilment,
        storage=storage,
        ads=ads,
        returns=returns,
        total_cost=total,
        contribution=contribution,
        margin=contribution / net if net else None,
        break_even=price_for_margin(lane, ZERO),
        not_entered=lane.not_entered(),
        import_vat_base=vat_base,
        import_vat=import_vat,
        vat_reclaimed=lane.vat_reclaimed,
    )


def price_for_margin(lane: Lane, margin: Decimal) -> Decimal | None:
    """The exact shelf price whose contribution is `margin` (a fraction) of net revenue.

    Contribution(P) = P·[(1 − returns − margin) ÷ (1 + vat) − referral − ads] − fixed costs; solved for
    P. None when no price reaches that margin (the percentages take all of it).
    """
    per_price = (ONE - _or_zero(lane.returns_pct) / HUNDRED - margin) / (ONE + lane.vat_pct / HUNDRED) - (
        _or_zero(lane.referral_pct) + _or_zero(lane.ads_pct)
    ) / HUNDRED
    if per_price <= 0:
        return None
    return fixed_costs(lane) / per_price


def charm_price(price: Decimal, step: Decimal = ONE) -> Decimal:
    """The lowest price ending in .49 or .99 of `step` that is not below `price` (21.16 → 21.49).

    A step of 100 gives yen-style endings (2,449 / 2,499); of 1000, 490 / 990.
    """
    low, high = step * Decimal("0.49"), step * Decimal("0.99")
    base = (price / step).to_integral_value(rounding=ROUND_FLOOR) * step
    for candidate in (base + low, base + high, base + step + low):
        if candidate >= price:
            return candidate
    raise AssertionError("unreachable: base + step + low is above price")
