"""A SKU's margin per market from its stored lanes and the team's rates, as it is and under shocks.

For other features (the FX, tariff and freight indicators of the risk register)::

    from models.costs.margin import Shock, what_if_all
    hits = what_if_all(db=db, workspace_id=ws, shock=Shock(fx_pct=Decimal(-5)), currencies={"EUR"}, on=today)
    for hit in hits: hit.sku_code, hit.market, hit.base.margin, hit.shocked.margin, hit.turns_negative
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlmodel import Session

from models.costs.cost import OTHER_PLATFORM, CostLane, Sku, lanes_in, lanes_of
from models.costs.customs_fees import NONE, CustomsFees, fees_for
from models.costs.fba import FbaChoice, choose, monthly_storage
from models.costs.fee_override import overrides, schedule_with
from models.costs.fee_schedule import Schedule
from models.costs.fx import Rate, RateBook, home_currency, rate_book
from models.costs.landed_cost import (
    HUNDRED,
    ONE,
    BuildUp,
    EntryFee,
    Lane,
    MissingMeasure,
    build_up,
    freight_per_unit,
)
from models.costs.referral import ReferralRule
from models.costs.vat import RECLAIMED, ImportVat, import_vat


@dataclass(frozen=True)
class Shock:
    """A change to test a margin against. Zero everywhere is the margin as it is.

    fx_pct: the market's currency against every other currency, in %: -5 means each EUR buys 5 % less
    CNY (EURCNY 7.82 → 7.429), which raises CNY costs in euros and lowers the margin's CNY worth.
    duty_points: percentage points added to the duty rate (4.7 % + 10 pt = 14.7 %).
    duty_pct, freight_pct, price_pct: relative changes in % (+30 → × 1.3).
    """

    fx_pct: Decimal = Decimal(0)
    duty_points: Decimal = Decimal(0)
    duty_pct: Decimal = Decimal(0)
    freight_pct: Decimal = Decimal(0)
    price_pct: Decimal = Decimal(0)

    @property
    def is_none(self) -> bool:
        return not any((self.fx_pct, self.duty_points, self.duty_pct, self.freight_pct, self.price_pct))


NO_SHOCK = Shock()
CIF_PLUS_DUTY_VAT = frozenset({"JP"})  # import consumption tax on CIF + duty, not on freight after arrival


@dataclass
class LaneResult:
    market: str
    currency: str  # the market's (price) currency
    home: str
    lane: CostLane
    build: BuildUp | None = None  # None when a rate or a measure is missing
    missing_rates: list[str] = field(default_factory=list)  # pairs such as "EURCNY"
    missing_measure: str | None = None  # "weight" or "dims"
    rates: list[Rate] = field(default_factory=list)  # every rate the figures used
    to_home: Decimal | None = None  # 1 market currency in home currency (shocked), when known
    inputs: Lane | None = None
    vat: ImportVat = RECLAIMED  # the workspace's import VAT setting the figures used
    schedule: Schedule | None = None  # the marketplace's fee schedule the lane uses
    fba: FbaChoice | None = None  # the size tier and fee it picked, when the lane gives no fulfilment fee
    fba_needs: str | None = None  # "weight" or "dims" when the tier cannot be picked; "tier" when none fits
    storage_season: str | None = None  # "peak" or "off_peak" when storage comes from the schedule
    fees: CustomsFees = NONE  # the market's customs fees in force

    def home_amount(self, amount: Decimal | None) -> Decimal | None:
        if amount is None or self.to_home is None:
            return None
        return amount * self.to_home


def evaluate(
    sku: Sku,
    lane: CostLane,
    book: RateBook,
    home: str,
    shock: Shock = NO_SHOCK,
    vat: ImportVat = RECLAIMED,
    *,
    on: date | None = None,
    own_fees: dict[str, dict[str, Decimal]] | None = None,
) -> LaneResult:
    """One lane's build-up in its market's currency; conversions at the team's rates, shocked; the
    customs fees in force on `on` (the newest when None)."""
    market_ccy = lane.price_currency
    fees = fees_for(lane.market, lane.channel, on)
    result = LaneResult(lane.market, market_ccy, home, lane, vat=vat, fees=fees)
    strength = ONE + shock.fx_pct / HUNDRED

    def to_market(amount: Decimal, currency: str) -> Decimal | None:
        if currency == market_ccy:
            return amount
        found = book.rate(currency, market_ccy)
        if found is None:
            result.missing_rates.append(f"{market_ccy}{currency}")
            return None
        _remember(result, found)
        return amount * found.value / strength

    purchase = to_market(sku.purchase, sku.purchase_currency)
    try:
        freight_rate = lane.freight_rate * (ONE + shock.freight_pct / HUNDRED)
        freight_raw = freight_per_unit(sku.parcel(), freight_rate, lane.basis, lane.divisor)
    except MissingMeasure as err:
        result.missing_measure = err.needs
        freight_raw = None
    freight = to_market(freight_raw, lane.freight_currency) if freight_raw is not None else None
    if market_ccy != home:
        found = book.rate(market_ccy, home)
        if found is not None:
            _remember(result, found)
            result.to_home = found.value * strength
    else:
        result.to_home = ONE
    mpf, bounds_known = None, True
    if fees.mpf is not None:
        low, high = to_market(fees.mpf.minimum, fees.mpf.currency), to_market(fees.mpf.maximum, fees.mpf.currency)
        mpf, bounds_known = EntryFee(fees.mpf.pct, low, high), low is not None and high is not None
    schedule = marketplace_schedule(lane, (own_fees or {}).get(lane.market))
    result.schedule = schedule
    sold = _marketplace_lines(result, sku, lane, schedule, on) if schedule is not None else MarketplaceLines()
    if purchase is None or freight is None or not bounds_known:
        return result
    duty = max(lane.duty_pct * (ONE + shock.duty_pct / HUNDRED) + shock.duty_points, Decimal(0))
    result.inputs = Lane(
        price=lane.price * (ONE + shock.price_pct / HUNDRED),
        vat_pct=lane.vat_pct,
        purchase=purchase,
        freight=freight,
        duty_pct=duty,
        customs=lane.customs_basis,
        referral_pct=lane.referral_pct,
        fulfilment=lane.fulfilment if lane.fulfilment is not None else sold.fulfilment,
        storage=lane.storage if lane.storage is not None else sold.storage,
        ads_pct=lane.ads_pct,
        returns_pct=lane.returns_pct,
        declared=lane.declared,
        vat_reclaimed=vat.reclaimed,
        section301_pct=lane.section301_pct,
        extra_duty_pct=lane.extra_duty_pct,
        named_duties=lane.market == "US",
        vat_on_inland_freight=lane.market not in CIF_PLUS_DUTY_VAT,
        insurance_pct=lane.insurance_pct,
        after_arrival_pct=lane.after_arrival_pct,
        mpf=mpf,
        hmf_pct=fees.hmf_pct,
        entry_units=lane.entry_units,
        return_fee=lane.return_fee,
        unsellable_pct=lane.unsellable_pct,
        refund_admin=schedule.refund_admin if schedule is not None else None,
        referral_rule=sold.referral_rule,
    )
    result.build = build_up(result.inputs)
    return result


@dataclass(frozen=True)
class MarketplaceLines:
    """The lines a marketplace schedule gives a lane that left them out."""

    fulfilment: Decimal | None = None
    storage: Decimal | None = None
    referral_rule: ReferralRule | None = None


def marketplace_schedule(lane: CostLane, own: dict[str, Decimal] | None = None) -> Schedule | None:
    """The market's Amazon schedule with the workspace's own figures, unless the lane sells elsewhere or
    in another currency."""
    found = schedule_with(lane.market, own)
    if found is None or lane.platform == OTHER_PLATFORM or found.currency != lane.price_currency:
        return None
    return found


def _marketplace_lines(
    result: LaneResult, sku: Sku, lane: CostLane, schedule: Schedule, on: date | None
) -> MarketplaceLines:
    rule = schedule.referral.get(lane.category) if lane.category and lane.referral_pct is None else None
    table = schedule.fba
    if table is None or (lane.fulfilment is not None and lane.storage is not None):
        return MarketplaceLines(referral_rule=rule)
    dims = (sku.length_cm, sku.width_cm, sku.height_cm)
    if sku.weight_kg is None or None in dims:
        result.fba_needs = "weight" if sku.weight_kg is None else "dims"
        return MarketplaceLines(referral_rule=rule)
    assert sku.length_cm is not None and sku.width_cm is not None and sku.height_cm is not None
    sides = (sku.length_cm, sku.width_cm, sku.height_cm)
    choice = choose(table, sides, sku.weight_kg)
    if choice is None:
        result.fba_needs = "tier"
        return MarketplaceLines(referral_rule=rule)
    month = (on or date.today()).month
    result.fba = choice if lane.fulfilment is None else None
    result.storage_season = ("peak" if month in table.peak_months else "off_peak") if lane.storage is None else None
    return MarketplaceLines(choice.fee, monthly_storage(table, choice.storage_kind, sides, month), rule)


def _remember(result: LaneResult, found: Rate) -> None:
    shown = found.as_set
    if all(r.pair != shown.pair for r in result.rates):
        result.rates.append(shown)


def evaluate_sku(
    *, db: Session, sku: Sku, on: date, market: str | None = None, shock: Shock = NO_SHOCK
) -> list[LaneResult]:
    assert sku.id is not None
    book = rate_book(db=db, workspace_id=sku.workspace_id, on=on)
    home = home_currency(db=db, workspace_id=sku.workspace_id)
    vat = import_vat(db=db, workspace_id=sku.workspace_id)
    own = overrides(db=db, workspace_id=sku.workspace_id)
    lanes = lanes_of(db=db, sku_id=sku.id, market=market)
    return [evaluate(sku, lane, book, home, shock, vat, on=on, own_fees=own) for lane in lanes]


@dataclass(frozen=True)
class WhatIf:
    sku_code: str
    sku_id: int
    market: str
    base: LaneResult
    shocked: LaneResult

    @property
    def turns_negative(self) -> bool:
        """Positive (or zero) contribution today, negative under the shock."""
        before, after = self.base.build, self.shocked.build
        return before is not None and after is not None and before.contribution >= 0 > after.contribution

    @property
    def negative(self) -> bool:
        return self.shocked.build is not None and self.shocked.build.contribution < 0

    @property
    def change(self) -> Decimal | None:
        """The shock's effect on contribution per unit, in the market's currency."""
        before, after = self.base.build, self.shocked.build
        return None if before is None or after is None else after.contribution - before.contribution


def what_if(*, db: Session, sku: Sku, shock: Shock, on: date) -> list[WhatIf]:
    """Every lane of one SKU, as it is and under the shock."""
    assert sku.id is not None
    book = rate_book(db=db, workspace_id=sku.workspace_id, on=on)
    home = home_currency(db=db, workspace_id=sku.workspace_id)
    vat = import_vat(db=db, workspace_id=sku.workspace_id)
    own = overrides(db=db, workspace_id=sku.workspace_id)
    return [_pair(sku, lane, book, home, shock, vat, on, own) for lane in lanes_of(db=db, sku_id=sku.id)]


def what_if_all(
    *,
    db: Session,
    workspace_id: int,
    shock: Shock,
    on: date,
    markets: set[str] | frozenset[str] | None = None,
    currencies: set[str] | frozenset[str] | None = None,
) -> list[WhatIf]:
    """Every lane of the workspace (in these markets, priced in these currencies) under the shock:
    the margin a risk threatens."""
    book = rate_book(db=db, workspace_id=workspace_id, on=on)
    home = home_currency(db=db, workspace_id=workspace_id)
    vat = import_vat(db=db, workspace_id=workspace_id)
    own = overrides(db=db, workspace_id=workspace_id)
    found = lanes_in(db=db, workspace_id=workspace_id, markets=frozenset(markets) if markets else None)
    return [
        _pair(sku, lane, book, home, shock, vat, on, own)
        for sku, lane in found
        if currencies is None or lane.price_currency in currencies
    ]


def _pair(
    sku: Sku,
    lane: CostLane,
    book: RateBook,
    home: str,
    shock: Shock,
    vat: ImportVat,
    on: date,
    own: dict[str, dict[str, Decimal]],
) -> WhatIf:
    assert sku.id is not None
    base = evaluate(sku, lane, book, home, vat=vat, on=on, own_fees=own)
    shocked = evaluate(sku, lane, book, home, shock, vat, on=on, own_fees=own)
    return WhatIf(sku.code, sku.id, lane.market, base, shocked)
