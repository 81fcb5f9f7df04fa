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
- Returns cost, per unit sold, return rate × (refund − referral fee refunded + processing fee +
  unsellable share × landed cost). The refund is the net price (the VAT refunded to the buyer comes
  back from the tax office). Amazon refunds the referral fee less a refund administration fee of 20 %
  of it, at most 5 (USD, EUR, GBP; 500 JPY) (models/costs/schedules/).
- Duty is charged on the customs value: CIF (goods + insurance + the freight to the border; EU, UK,
  JP...) or the transaction value (goods only; US, CA, AU, NZ), unless a declared value is given. The
  freight charged after arrival (port to fulfilment centre) is outside the CIF value. Duty comes in
  named lines: the base (MFN) rate, US Section 301, and other additional duties, each on that value.
- US customs fees: the merchandise processing fee, a share of the entered value held within a minimum
  and maximum per entry (so it depends on how many units one entry declares), and the harbor
  maintenance fee on sea cargo. Their rates and bounds are data (models/costs/schedules/customs.toml).
- Import VAT/GST is charged at the lane's VAT rate on the customs value plus duty plus any freight
  the customs value leaves out (EU Art. 86 VAT Directive; UK; JP consumption tax on CIF + duty only; AU GST
  on the value of the taxable importation, FOB + duty + transport and insurance). A seller who
  reclaims it does not bear it (cash tied up until the VAT return); one who cannot bears it as a cost.
- Contribution = net revenue − every cost line; margin = contribution ÷ net revenue.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum

from models.costs.referral import ReferralRule

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
class EntryFee:
    """A customs fee that is a share of the entered value within bounds per entry (the US MPF).

    The bounds are in the lane's currency; None where the fee has none."""

    pct: Decimal
    minimum: Decimal | None = None
    maximum: Decimal | None = None


@dataclass(frozen=True)
class Lane:
    """One unit's money in one market, every amount in the market's currency."""

    price: Decimal  # the shelf price the customer sees
    vat_pct: Decimal  # 19 for 19 %; 0 where prices exclude sales tax
    purchase: Decimal
    freight: Decimal  # the whole first leg, to the fulfilment centre
    duty_pct: Decimal  # the base (MFN) rate of the tariff
    customs: Customs
    referral_pct: Decimal | None  # None: not entered (counted as 0 and named on the card)
    fulfilment: Decimal | None
    storage: Decimal | None
    ads_pct: Decimal | None
    returns_pct: Decimal | None
    declared: Decimal | None = None  # customs value when declared, instead of CIF/FOB
    vat_reclaimed: bool = True  # the workspace reclaims import VAT/GST (models/costs/vat.py)
    section301_pct: Decimal | None = None  # US Section 301 duty on Chinese goods
    extra_duty_pct: Decimal | None = None  # other additional duties (IEEPA/reciprocal, anti-dumping...)
    named_duties: bool = False  # the market has additional duties worth naming when not entered (US)
    insurance_pct: Decimal | None = None  # cargo insurance, % of goods + freight to the border
    after_arrival_pct: Decimal | None = None  # share of the freight charged after arrival (not in CIF)
    mpf: EntryFee | None = None  # the merchandise processing fee, where the market charges one
    hmf_pct: Decimal = ZERO  # harbor maintenance fee on the customs value (US, by sea)
    entry_units: int | None = None  # units declared on one customs entry, for the MPF's bounds
    vat_on_inland_freight: bool = True  # freight after arrival is in the import VAT base (EU, UK; not JP)
    return_fee: Decimal | None = None  # the marketplace's processing fee per returned unit
    unsellable_pct: Decimal | None = None  # share of returned units written off
    refund_admin: RefundAdmin | None = None  # how much of the referral fee a refund gives back
    referral_rule: ReferralRule | None = None  # the marketplace's fee for the category, when no rate is given

    def referral_at(self, price: Decimal) -> Decimal:
        if self.referral_pct is None and self.referral_rule is not None:
            return self.referral_rule.fee(price)
        return price * _or_zero(self.referral_pct) / HUNDRED

    def not_entered(self) -> tuple[str, ...]:
        """The cost lines nobody entered, in the order the card shows them."""
        lines = (("insurance", "insurance_pct"),) + (NAMED_DUTIES if self.named_duties else ()) + OPTIONAL_LINES
        if self.returns_pct:
            lines += RETURN_PARTS
        computed = {"referral"} if self.referral_rule is not None else set()
        return tuple(name for name, attr in lines if getattr(self, attr) is None and name not in computed)


NAMED_DUTIES = (("section301", "section301_pct"), ("additional", "extra_duty_pct"))
RETURN_PARTS = (("return_fee", "return_fee"), ("unsellable", "unsellable_pct"))


@dataclass(frozen=True)
class RefundAdmin:
    """On a refund the marketplace gives the referral fee back less an admin fee: `pct` of the referral
    fee, at most `cap` (in the lane's currency; None for no cap)."""

    pct: Decimal
    cap: Decimal | None = None

    def kept(self, referral: Decimal) -> Decimal:
        fee = referral * self.pct / HUNDRED
        return fee if self.cap is None else min(fee, self.cap)


@dataclass(frozen=True)
class Returns:
    """What one returned unit costs, and that times the return rate: the returns line of a unit sold."""

    rate_pct: Decimal
    refund: Decimal
    referral_refund: Decimal
    fee: Decimal
    unsellable_pct: Decimal
    landed: Decimal

    @property
    def per_return(self) -> Decimal:
        return self.refund - self.referral_refund + self.fee + self.unsellable_pct * self.landed / HUNDRED

    @property
    def per_unit_sold(self) -> Decimal:
        return self.rate_pct * self.per_return / HUNDRED


def returns_of(lane: Lane, net: Decimal, referral: Decimal, landed: Decimal) -> Returns:
    refunded = referral - lane.refund_admin.kept(referral) if lane.refund_admin is not None else ZERO
    return Returns(
        _or_zero(lane.returns_pct), net, refunded, _or_zero(lane.return_fee), _or_zero(lane.unsellable_pct), landed
    )


@dataclass(frozen=True)
class Arrival:
    """What a unit costs to bring into the market: freight, insurance, customs value, duties, fees."""

    freight_before: Decimal  # to the port or airport of import: in the CIF value
    freight_after: Decimal  # from there to the fulfilment centre
    insurance: Decimal
    customs_value: Decimal
    duty_base: Decimal
    duty_301: Decimal
    duty_extra: Decimal
    mpf: Decimal
    mpf_bound: str | None  # "minimum" or "maximum" when the entry's MPF hit a bound
    hmf: Decimal
    import_vat_base: Decimal
    import_vat: Decimal
    vat_reclaimed: bool

    @property
    def duty(self) -> Decimal:
        return self.duty_base + self.duty_301 + self.duty_extra

    @property
    def import_vat_cost(self) -> Decimal:
        return ZERO if self.vat_reclaimed else self.import_vat

    @property
    def costs(self) -> Decimal:
        """Everything but the goods: freight, insurance, duties, customs fees, VAT not reclaimed."""
        freight = self.freight_before + self.freight_after
        return freight + self.insurance + self.duty + self.mpf + self.hmf + self.import_vat_cost


def arrival(lane: Lane) -> Arrival:
    after = lane.freight * _or_zero(lane.after_arrival_pct) / HUNDRED
    before = lane.freight - after
    insurance = (lane.purchase + before) * _or_zero(lane.insurance_pct) / HUNDRED
    if lane.declared is not None:
        value = lane.declared
    elif lane.customs is Customs.CIF:
        value = lane.purchase + before + insurance
    else:
        value = lane.purchase
    base = value * lane.duty_pct / HUNDRED
    s301 = value * _or_zero(lane.section301_pct) / HUNDRED
    extra = value * _or_zero(lane.extra_duty_pct) / HUNDRED
    mpf, bound = entry_fee(lane.mpf, value, lane.entry_units)
    hmf = value * lane.hmf_pct / HUNDRED
    # Freight and insurance the customs value leaves out are in the VAT/GST base (EU incidental costs
    # to the first destination, AU's transport and insurance).
    outside = lane.purchase + lane.freight + insurance - value if lane.declared is None else lane.freight + insurance
    if not lane.vat_on_inland_freight:
        outside -= after
    vat_base = value + base + s301 + extra + max(outside, ZERO)
    return Arrival(
        freight_before=before,
        freight_after=after,
        insurance=insurance,
        customs_value=value,
        duty_base=base,
        duty_301=s301,
        duty_extra=extra,
        mpf=mpf,
        mpf_bound=bound,
        hmf=hmf,
        import_vat_base=vat_base,
        import_vat=vat_base * lane.vat_pct / HUNDRED,
        vat_reclaimed=lane.vat_reclaimed,
    )


def entry_fee(fee: EntryFee | None, value: Decimal, units: int | None) -> tuple[Decimal, str | None]:
    """One unit's share of a per-entry fee: the rate on the entry's value, held within the fee's bounds,
    divided by the units on the entry. Without the entry's size the bounds cannot apply."""
    if fee is None:
        return ZERO, None
    if not units:
        return value * fee.pct / HUNDRED, None
    entry = value * units * fee.pct / HUNDRED
    if fee.minimum is not None and entry < fee.minimum:
        return fee.minimum / units, "minimum"
    if fee.maximum is not None and entry > fee.maximum:
        return fee.maximum / units, "maximum"
    return entry / units, None


@dataclass(frozen=True)
class BuildUp:
    price: Decimal
    vat: Decimal
    net_revenue: Decimal
    purchase: Decimal
    freight: Decimal
    customs_value: Decimal
    duty: Decimal  # every duty line together
    referral: Decimal
    fulfilment: Decimal
    storage: Decimal
    ads: Decimal
    returns: Decimal
    returned: Returns
    total_cost: Decimal
    contribution: Decimal
    margin: Decimal | None  # a fraction of net revenue; None when net revenue is 0
    break_even: Decimal | None  # the shelf price at which contribution is 0; None when none exists
    arrival: Arrival
    not_entered: tuple[str, ...] = ()  # cost lines counted as 0 because nobody entered them

    @property
    def import_vat_base(self) -> Decimal:
        return self.arrival.import_vat_base

    @property
    def import_vat(self) -> Decimal:
        return self.arrival.import_vat

    @property
    def import_vat_cost(self) -> Decimal:
        return self.arrival.import_vat_cost

    @property
    def vat_reclaimed(self) -> bool:
        return self.arrival.vat_reclaimed

    @property
    def landed(self) -> Decimal:
        """The goods and all it takes to bring them into the market: freight, insurance, duties, customs
        fees and import VAT not reclaimed."""
        return self.purchase + self.arrival.costs


def customs_value(lane: Lane) -> Decimal:
    return arrival(lane).customs_value


def _or_zero(value: Decimal | None) -> Decimal:
    return ZERO if value is None else value


def fixed_costs(lane: Lane) -> Decimal:
    """The costs that do not move with the price."""
    return lane.purchase + arrival(lane).costs + _or_zero(lane.fulfilment) + _or_zero(lane.storage)


def build_up(lane: Lane, *, solve: bool = True) -> BuildUp:
    net = lane.price / (ONE + lane.vat_pct / HUNDRED)
    came = arrival(lane)
    referral = lane.referral_at(lane.price)
    ads = lane.price * _or_zero(lane.ads_pct) / HUNDRED
    returned = returns_of(lane, net, referral, lane.purchase + came.costs)
    returns = returned.per_unit_sold
    fulfilment, storage = _or_zero(lane.fulfilment), _or_zero(lane.storage)
    total = lane.purchase + came.costs + referral + fulfilment + storage + ads + returns
    contribution = net - total
    return BuildUp(
        price=lane.price,
        vat=lane.price - net,
        net_revenue=net,
        purchase=lane.purchase,
        freight=lane.freight,
        customs_value=came.customs_value,
        duty=came.duty,
        referral=referral,
        fulfilment=fulfilment,
        storage=storage,
        ads=ads,
        returns=returns,
        returned=returned,
        total_cost=total,
        contribution=contribution,
        margin=contribution / net if net else None,
        break_even=price_for_margin(lane, ZERO) if solve else None,
        arrival=came,
        not_entered=lane.not_entered(),
    )


def price_for_margin(lane: Lane, margin: Decimal) -> Decimal | None:
    """The lowest shelf price whose contribution is `margin` (a fraction) of net revenue; None when no
    price reaches it.

    Contribution − margin × net revenue is linear in the price between the prices where a fee changes
    its rate (referral bands and minimum, the refund admin fee's cap); on each such stretch the line
    through two of its points gives the exact root.
    """
    kinks = sorted({k for k in _kinks(lane) if k > 0})
    edges = [ZERO, *kinks]
    for i, low in enumerate(edges):
        high = edges[i + 1] if i + 1 < len(edges) else None
        one, two = (
            (low + ONE, low + ONE + ONE) if high is None else (low + (high - low) / 3, low + (high - low) * 2 / 3)
        )
        gap_one, gap_two = _gap(lane, one, margin), _gap(lane, two, margin)
        slope = (gap_two - gap_one) / (two - one)
        if slope == 0:
            if gap_one == 0:
                return low
            continue
        root = one - gap_one / slope
        if low <= root and (high is None or root <= high) and root > 0:
            return root
    return None


def _gap(lane: Lane, price: Decimal, margin: Decimal) -> Decimal:
    found = build_up(replace(lane, price=price), solve=False)
    return found.contribution - margin * found.net_revenue


def _kinks(lane: Lane) -> list[Decimal]:
    rule = lane.referral_rule if lane.referral_pct is None else None
    found = rule.kinks() if rule is not None else []
    admin = lane.refund_admin
    if admin is not None and admin.cap is not None and admin.pct:
        referral_at_cap = admin.cap * HUNDRED / admin.pct  # the referral fee where the admin fee is capped
        if rule is None:
            pct = _or_zero(lane.referral_pct)
            if pct:
                found.append(referral_at_cap * HUNDRED / pct)
        else:
            found += [referral_at_cap * HUNDRED / band.pct for band in rule.bands if band.pct]
            found += _portion_prices(rule, referral_at_cap)
    return found


def _portion_prices(rule: ReferralRule, fee: Decimal) -> list[Decimal]:
    """Where a portion-banded fee reaches `fee` (its price is then a kink of the admin fee's cap)."""
    if not rule.portion:
        return []
    found, low, so_far = [], ZERO, ZERO
    for band in rule.bands:
        if band.pct:
            at = low + (fee - so_far) * HUNDRED / band.pct
            if at >= low and (band.up_to is None or at <= band.up_to):
                found.append(at)
        if band.up_to is None:
            break
        so_far += (band.up_to - low) * band.pct / HUNDRED
        low = band.up_to
    return found


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
