"""Landed-cost math against examples worked by hand (in the comments), to the cent.

The reference figures were worked out on paper (checked with `bc -l`), not by calling this code.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

import pytest

from models.costs.landed_cost import (
    Basis,
    Customs,
    EntryFee,
    Lane,
    MissingMeasure,
    Parcel,
    RefundAdmin,
    build_up,
    chargeable_cbm,
    chargeable_kg,
    charm_price,
    entry_fee,
    freight_per_unit,
    price_for_margin,
)
from models.costs.referral import Band, ReferralRule
from models.money import rounded, rounded_up

TINY = D("1e-20")


def cents(value: D) -> D:
    return rounded(value, "EUR")


def test_chargeable_weight_is_the_larger_of_actual_and_volumetric() -> None:
    # 25 × 20 × 15 cm = 7,500 cm³; ÷ 6000 = 1.25 kg volumetric > 0.80 kg actual → 1.25 kg.
    box = Parcel(D("0.80"), D(25), D(20), D(15))
    assert chargeable_kg(box, 6000) == D("1.25")
    # ÷ 5000 (express) = 1.5 kg.
    assert chargeable_kg(box, 5000) == D("1.5")
    # A dense item: 10 × 10 × 10 = 1,000 cm³ ÷ 6000 = 0.1667 kg < 2 kg actual → 2 kg.
    assert chargeable_kg(Parcel(D(2), D(10), D(10), D(10)), 6000) == D(2)
    # Only a weight known: that weight.
    assert chargeable_kg(Parcel(D("0.42")), 6000) == D("0.42")
    with pytest.raises(MissingMeasure):
        chargeable_kg(Parcel(), 6000)


def test_sea_freight_is_per_cbm_of_the_larger_of_volume_and_weight() -> None:
    # 30 × 20 × 5 cm = 3,000 cm³ = 0.003 m³; 0.42 kg = 0.00042 t < 0.003 → 0.003 CBM;
    # at CNY 1,200 per CBM: 1,200 × 0.003 = CNY 3.60 a unit.
    tee = Parcel(D("0.42"), D(30), D(20), D(5))
    assert chargeable_cbm(tee) == D("0.003")
    assert freight_per_unit(tee, D(1200), Basis.CBM, 6000) == D("3.6")
    # A 40 kg block of 0.01 m³: 0.04 t > 0.01 m³ → charged as 0.04 CBM: 1,200 × 0.04 = 48.
    assert freight_per_unit(Parcel(D(40), D(10), D(20), D(50)), D(1200), Basis.CBM, 6000) == D(48)
    with pytest.raises(MissingMeasure):
        freight_per_unit(Parcel(D(1)), D(1200), Basis.CBM, 6000)


def test_a_carton_s_freight_is_split_over_its_units() -> None:
    # Carton 60 × 40 × 40 cm = 96,000 cm³ ÷ 6000 = 16 kg volumetric > 12 kg actual;
    # CNY 38/kg × 16 = 608 for the carton; 24 units → 608 ÷ 24 = 25.3333… a unit.
    carton = Parcel(D(12), D(60), D(40), D(40), units=24)
    assert abs(freight_per_unit(carton, D(38), Basis.KG, 6000) * 24 - D(608)) < TINY
    assert rounded(freight_per_unit(carton, D(38), Basis.KG, 6000), "CNY") == D("25.33")
    assert freight_per_unit(carton, D("1.20"), Basis.UNIT, 6000) == D("1.20")


# EU lane, Germany, sea, a cotton T-shirt (HS 6109100010), all in EUR at EURCNY 7.82:
#   purchase    CNY 23.50 ÷ 7.82                       =  3.005115…  → 3.01
#   freight     CNY 3.60 ÷ 7.82                        =  0.460358…  → 0.46
#   customs value (CIF) = (23.50 + 3.60) ÷ 7.82        =  3.465473…
#   duty        12 % × 3.465473…                       =  0.415857…  → 0.42
#   shelf price 24.99 incl. 19 % VAT: net 24.99 ÷ 1.19 = 21.00 exactly; VAT 3.99
#   referral    15 % × 24.99 (VAT-inclusive)           =  3.7485     → 3.75
#   fulfilment 3.40, storage 0.12
#   ads         8 % × 24.99                            =  1.9992     → 2.00
#   returns     6 % × 21.00 (net)                      =  1.26
#   total cost  = 30.352 ÷ 7.82 + 10.5277              = 14.409030…
#   contribution 21.00 − 14.409030…                    =  6.590970…  → 6.59
#   margin      6.590970… ÷ 21.00                      = 31.3856 %   → 31.39 %
#   in CNY      6.590970… × 7.82                       = 51.541386   → 51.54
#   break-even: fixed costs F = 30.352 ÷ 7.82 + 3.52 = 7.401330…;
#     per-euro-of-price k = (1 − 0.06) ÷ 1.19 − 0.15 − 0.08 = 0.559916…;
#     P = F ÷ k = 13.218644… → shown rounded up: 13.22
#   25 % margin: k = (1 − 0.06 − 0.25) ÷ 1.19 − 0.23 = 0.349832…; P = 21.156816… → 21.16;
#     charm price 21.49; there: net 18.058824, contribution 4.631264 → 4.63, margin 25.65 %.
RATE = D("7.82")
DE = Lane(
    price=D("24.99"),
    vat_pct=D(19),
    purchase=D("23.50") / RATE,
    freight=D("3.60") / RATE,
    duty_pct=D(12),
    customs=Customs.CIF,
    referral_pct=D(15),
    fulfilment=D("3.40"),
    storage=D("0.12"),
    ads_pct=D(8),
    returns_pct=D(6),
)


def test_eu_lane_backs_vat_out_and_charges_referral_on_the_gross_price() -> None:
    b = build_up(DE)
    assert b.net_revenue == D("21")
    assert b.vat == D("3.99")
    assert b.referral == D("3.7485")
    assert b.ads == D("1.9992")
    assert b.returns == D("1.26")
    assert abs(b.customs_value - D("27.10") / RATE) < TINY
    assert [cents(x) for x in (b.purchase, b.freight, b.duty)] == [D("3.01"), D("0.46"), D("0.42")]
    assert abs(b.contribution - (D("10.4723") - D("30.352") / RATE)) < TINY
    assert cents(b.contribution) == D("6.59")
    assert rounded(b.margin * 100, "EUR") == D("31.39")
    assert rounded(b.contribution * RATE, "CNY") == D("51.54")
    assert rounded_up(b.break_even, "EUR") == D("13.22")
    assert rounded(b.landed, "EUR") == D("3.88")  # 30.352 ÷ 7.82 = 3.881330


def test_eu_lane_target_margin_price_and_its_charm_ending() -> None:
    exact = price_for_margin(DE, D("0.25"))
    assert exact is not None and rounded_up(exact, "EUR") == D("21.16")
    charm = charm_price(exact)
    assert charm == D("21.49")
    at_charm = build_up(replace(DE, price=charm))
    assert cents(at_charm.contribution) == D("4.63")
    assert rounded(at_charm.margin * 100, "EUR") == D("25.65")
    # At the exact price the margin is the target, to rounding of the last digit.
    assert abs(build_up(replace(DE, price=exact)).margin - D("0.25")) < TINY
    # At the break-even price the contribution is zero.
    assert abs(build_up(replace(DE, price=build_up(DE).break_even)).contribution) < TINY


# US lane, air, a desk lamp, in USD at USDCNY 7.20 (prices exclude sales tax):
#   chargeable weight: 25 × 20 × 15 ÷ 6000 = 1.25 kg > 0.80 kg; freight CNY 38 × 1.25 = 47.50
#   purchase   45.00 ÷ 7.20 = 6.25;   freight 47.50 ÷ 7.20 = 6.597222… → 6.60
#   duty (FOB, goods only) 25 % × 6.25 = 1.5625 → 1.56
#   referral 15 % × 29.99 = 4.4985; FBA 5.40; storage 0.20; ads 10 % × 29.99 = 2.999;
#   returns 5 % × 29.99 = 1.4995
#   total 29.006722…; contribution 29.99 − 29.006722… = 0.983278 → 0.98; margin 3.2787 % → 3.28 %
#   in CNY 0.983278 × 7.20 = 7.0796 → 7.08
#   break-even: F = 6.25 + 6.597222 + 1.5625 + 5.60 = 20.009722; k = 1 − 0.05 − 0.15 − 0.10 = 0.70;
#     P = 28.585317 → 28.59
US_RATE = D("7.20")
US = Lane(
    price=D("29.99"),
    vat_pct=D(0),
    purchase=D(45) / US_RATE,
    freight=D("47.50") / US_RATE,
    duty_pct=D(25),
    customs=Customs.FOB,
    referral_pct=D(15),
    fulfilment=D("5.40"),
    storage=D("0.20"),
    ads_pct=D(10),
    returns_pct=D(5),
)


def test_us_lane_has_no_vat_and_duty_on_the_goods_only() -> None:
    b = build_up(US)
    assert b.vat == 0 and b.net_revenue == D("29.99")
    assert b.customs_value == D("6.25")
    assert b.duty == D("1.5625")
    assert [cents(x) for x in (b.freight, b.referral, b.ads, b.returns)] == [
        D("6.60"),
        D("4.50"),
        D("3.00"),
        D("1.50"),
    ]
    assert cents(b.contribution) == D("0.98")
    assert rounded(b.margin * 100, "USD") == D("3.28")
    assert rounded(b.contribution * US_RATE, "CNY") == D("7.08")
    assert rounded_up(b.break_even, "USD") == D("28.59")


def test_a_declared_value_replaces_cif_and_fob() -> None:
    # Declared USD 5.00: duty 25 % × 5.00 = 1.25.
    assert build_up(replace(US, declared=D("5.00"))).duty == D("1.25")


def test_no_price_reaches_a_margin_the_percentages_already_take() -> None:
    # 15 % referral + 10 % ads + 5 % returns leave 70 % of the price: a 70 % margin is out of reach.
    assert price_for_margin(US, D("0.70")) is None
    greedy = replace(US, referral_pct=D(60), ads_pct=D(45))
    assert build_up(greedy).break_even is None


@pytest.mark.parametrize(
    ("price", "step", "expected"),
    [
        ("21.1568", "1", "21.49"),
        ("21.49", "1", "21.49"),
        ("21.491", "1", "21.99"),
        ("21.99", "1", "21.99"),
        ("21.995", "1", "22.49"),
        ("0.10", "1", "0.49"),
        ("2481", "100", "2499"),  # yen
        ("2420", "100", "2449"),
        ("2499.5", "100", "2549"),
        ("251234", "1000", "251490"),  # dong
    ],
)
def test_charm_prices_end_in_49_or_99_and_never_go_below(price: str, step: str, expected: str) -> None:
    assert charm_price(D(price), D(step)) == D(expected)


# Import VAT on the DE lane: 19 % of customs value + duty (EU Art. 86 VAT Directive):
#   CIF 27.10 ÷ 7.82 = 3.465473…; duty 12 % = 0.415857…; base = 30.352 ÷ 7.82 = 3.881330…
#   VAT 19 % × 3.881330… = 0.737453 → 0.74 (CNY 5.77)
# Reclaimed: not a cost, the contribution stays 6.59 (31.39 %).
# Not reclaimed: contribution 6.590970 − 0.737453 = 5.853517 → 5.85; margin ÷ 21.00 = 27.87 %;
#   break-even: F = 7.401330 + 0.737453 = 8.138783; ÷ k 0.559916 = 14.535722 → 14.54.
def test_import_vat_is_a_line_of_its_own_reclaimed_or_a_cost() -> None:
    reclaimed = build_up(DE)
    assert abs(reclaimed.import_vat_base - D("30.352") / RATE) < TINY
    assert cents(reclaimed.import_vat) == D("0.74")
    assert reclaimed.import_vat_cost == 0 and cents(reclaimed.contribution) == D("6.59")
    borne = build_up(replace(DE, vat_reclaimed=False))
    assert abs(borne.import_vat - D("5.76688") / RATE) < TINY
    assert cents(borne.contribution) == D("5.85")
    assert rounded(borne.margin * 100, "EUR") == D("27.87")
    assert rounded_up(borne.break_even, "EUR") == D("14.54")
    assert rounded(borne.landed, "EUR") == D("4.62")  # 3.881330 + 0.737453 = 4.618783
    # The US lane has no import VAT (sales tax is the platform's); AU GST would add the freight to FOB.
    assert build_up(replace(US, vat_reclaimed=False)).import_vat == 0
    au = build_up(replace(US, vat_pct=D(10)))
    # FOB 6.25 + duty 1.5625 + freight 6.597222… = 14.409722…; GST 10 % = 1.440972…
    assert abs(au.import_vat_base - (D("6.25") + D("1.5625") + D("47.50") / US_RATE)) < TINY


# DE lane with cargo insurance 0.5 % and 20 % of the freight charged after arrival (port to warehouse):
#   freight 3.60 ÷ 7.82 = 0.460358: after arrival 20 % = 0.092072, to the border 0.368286
#   insurance 0.5 % × (goods 3.005115 + 0.368286) = 0.016867
#   CIF = 3.005115 + 0.368286 + 0.016867 = 3.390269 (not 3.465473: the after-arrival part is out, insurance in)
#   duty 12 % × 3.390269 = 0.406832 → 0.41
#   import VAT base = CIF + duty + freight after arrival = 3.889172; × 19 % = 0.738943 → 0.74
#   contribution 21.00 − (3.005115 + 0.460358 + 0.016867 + 0.406832 + 10.5277) = 6.583128 → 6.58; 31.35 %
def test_cif_holds_insurance_and_the_freight_to_the_border_only() -> None:
    b = build_up(replace(DE, insurance_pct=D("0.5"), after_arrival_pct=D(20)))
    came = b.arrival
    assert [cents(x) for x in (came.freight_after, came.freight_before, came.insurance)] == [
        D("0.09"),
        D("0.37"),
        D("0.02"),
    ]
    assert abs(came.customs_value - D("3.390268542199488")) < D("1e-12")
    assert abs(came.duty_base - D("0.406832225063938")) < D("1e-12")
    assert abs(came.import_vat - D("0.738942751918158")) < D("1e-12")
    assert cents(b.contribution) == D("6.58")
    assert rounded(b.margin * 100, "EUR") == D("31.35")
    assert b.not_entered == ("return_fee", "unsellable")  # a 6 % return rate, and its parts not given


# US lane by sea with every duty named, at USD throughout (goods 6.25, flat freight 0.90 a unit):
#   insurance 0.3 % × (6.25 + 0.90) = 0.02145 (outside the US customs value, the transaction value 6.25)
#   duty: base 3.9 % × 6.25 = 0.24375; Section 301 25 % = 1.5625; additional 10 % = 0.625; together 2.43125
#   MPF 0.3464 %: an entry of 200 units is worth 1,250 → 4.33, under the 33.58 minimum → 33.58 ÷ 200 = 0.1679
#   HMF 0.125 % × 6.25 = 0.0078125
#   fees: referral 15 % × 29.99 = 4.4985, FBA 5.40, storage 0.20, ads 10 % = 2.999, returns 5 % = 1.4995
#   contribution 29.99 − (6.25 + 0.90 + 0.02145 + 2.43125 + 0.1679 + 0.0078125 + 14.597) = 5.6145875 → 5.61
#   margin 5.6145875 ÷ 29.99 = 18.7215 % → 18.72 %
#   An entry of 50,000 units: 312,500 × 0.3464 % = 1,082.50, over the 651.50 maximum → 0.01303 a unit:
#     contribution 5.6145875 + 0.1679 − 0.01303 = 5.7694575 → 5.77
#   An entry of 2,000 units: 12,500 × 0.3464 % = 43.30, within the bounds → 0.02165 a unit.
MPF_FY2026 = EntryFee(D("0.3464"), D("33.58"), D("651.50"))
US_SEA = replace(
    US,
    freight=D("0.90"),
    duty_pct=D("3.9"),
    section301_pct=D(25),
    extra_duty_pct=D(10),
    named_duties=True,
    insurance_pct=D("0.3"),
    mpf=MPF_FY2026,
    hmf_pct=D("0.125"),
    entry_units=200,
    return_fee=D(0),
    unsellable_pct=D(0),
)


def test_us_sea_lane_names_each_duty_and_holds_the_mpf_at_its_minimum() -> None:
    b = build_up(US_SEA)
    came = b.arrival
    assert came.customs_value == D("6.25") and came.insurance == D("0.02145")
    assert (came.duty_base, came.duty_301, came.duty_extra) == (D("0.24375"), D("1.5625"), D("0.625"))
    assert b.duty == D("2.43125")
    assert came.mpf == D("0.1679") and came.mpf_bound == "minimum"
    assert came.hmf == D("0.0078125")
    assert b.contribution == D("5.6145875")
    assert rounded(b.margin * 100, "USD") == D("18.72")
    assert b.not_entered == ()


def test_the_mpf_is_held_at_its_maximum_for_a_large_entry_and_is_plain_within_the_bounds() -> None:
    large = build_up(replace(US_SEA, entry_units=50_000))
    assert large.arrival.mpf == D("0.01303") and large.arrival.mpf_bound == "maximum"
    assert large.contribution == D("5.7694575")
    within = build_up(replace(US_SEA, entry_units=2_000)).arrival
    assert within.mpf == D("0.02165") and within.mpf_bound is None
    # The bounds sit exactly on the edges: 33.58 ÷ (6.25 × 0.3464 %) = 1,551.0 units is the minimum's edge.
    assert entry_fee(MPF_FY2026, D("6.25"), 1551)[1] == "minimum"  # 1,551 × 0.02165 = 33.579… < 33.58
    assert entry_fee(MPF_FY2026, D("6.25"), 1552)[1] is None  # 33.6008
    assert entry_fee(MPF_FY2026, D("6.25"), 30_092)[1] is None  # 651.4918
    assert entry_fee(MPF_FY2026, D("6.25"), 30_093)[1] == "maximum"  # 651.5135
    # No entry size: the rate alone, and the card says the bounds were not applied.
    assert entry_fee(MPF_FY2026, D("6.25"), None) == (D("0.02165"), None)


def test_us_lanes_name_the_additional_duties_nobody_entered() -> None:
    bare = replace(US, named_duties=True, insurance_pct=None)
    assert build_up(bare).not_entered == ("insurance", "section301", "additional", "return_fee", "unsellable")
    assert build_up(replace(DE, insurance_pct=D(0), return_fee=D(0), unsellable_pct=D(0))).not_entered == ()
    assert build_up(replace(DE, insurance_pct=D(0), returns_pct=D(0))).not_entered == ()  # no returns, no parts


# Returns on the DE lane as Amazon.de settles them: 6 % of units come back; each refunds the net price
# (the VAT comes back from the tax office), gives back the referral fee less 20 % of it (at most EUR 5),
# costs a processing fee of EUR 1.00, and 30 % of them are written off at the landed cost.
#   referral 3.7485; admin fee min(0.7497, 5) = 0.7497; refunded 2.9988
#   landed = (23.50 + 3.60) ÷ 7.82 × 1.12 = 30.352 ÷ 7.82 = 3.881330
#   per return 21.00 − 2.9988 + 1.00 + 0.30 × 3.881330 = 20.165599; × 6 % = 1.209936 → 1.21
#   contribution 21.00 − (30.352 ÷ 7.82 + 3.7485 + 3.40 + 0.12 + 1.9992 + 1.209936) = 6.641034 → 6.64
# A EUR 299 lane: referral 44.85, admin fee min(8.97, 5) = 5: refunded 39.85.
AMAZON_DE = RefundAdmin(D(20), D(5))


def test_returns_refund_the_net_price_less_the_referral_fee_refunded_plus_fees_and_write_offs() -> None:
    lane = replace(DE, refund_admin=AMAZON_DE, return_fee=D("1.00"), unsellable_pct=D(30))
    b = build_up(lane)
    back = b.returned
    assert back.refund == D(21) and back.referral_refund == D("2.9988")
    assert abs(back.landed - D("30.352") / RATE) < TINY
    assert abs(b.returns - D("0.06") * (D(21) - D("2.9988") + D(1) + D("0.3") * D("30.352") / RATE)) < TINY
    assert cents(b.returns) == D("1.21")
    assert cents(b.contribution) == D("6.64")
    assert b.not_entered == ("insurance",)
    dear = build_up(replace(lane, price=D(299)))
    assert dear.referral == D("44.85") and dear.returned.referral_refund == D("39.85")


@pytest.mark.parametrize("price", [D("24.99"), D(299)])
@pytest.mark.parametrize("target", [D(0), D("0.25")])
def test_the_price_for_a_margin_reaches_it_with_the_admin_fee_capped_or_not(price: D, target: D) -> None:
    # The admin fee reaches its EUR 5 cap at a referral fee of 25, a price of 166.67: one side each.
    lane = replace(DE, price=price, refund_admin=AMAZON_DE, return_fee=D("1.00"), unsellable_pct=D(30))
    heavy = replace(lane, purchase=D(900) / RATE)  # so expensive that even break-even is above 166.67
    for case in (lane, heavy):
        found = price_for_margin(case, target)
        assert found is not None
        assert abs(build_up(replace(case, price=found)).margin - target) < D("1e-18")
    assert price_for_margin(heavy, D(0)) > D("166.67")


# Amazon US clothing & accessories: 5 % of the price up to 15.00, 10 % up to 20.00, 17 % above; at least 0.30.
#   at 5.00: 5 % = 0.25 → the 0.30 minimum; at 15.00: 0.75; at 15.01: 1.501; at 20.00: 2.00; at 20.01: 3.4017
# Jewelry (portion bands): 20 % of the first 250.00, 5 % of the rest: at 400.00, 50.00 + 7.50 = 57.50.
CLOTHING = ReferralRule("clothing", (Band(D(5), D(15)), Band(D(10), D(20)), Band(D(17))), D("0.30"))
JEWELRY = ReferralRule("jewelry", (Band(D(20), D(250)), Band(D(5))), D("0.30"), portion=True)


def test_referral_bands_by_category_with_their_minimum() -> None:
    assert [CLOTHING.fee(D(p)) for p in ("5.00", "15.00", "15.01", "20.00", "20.01")] == [
        D("0.30"),
        D("0.75"),
        D("1.501"),
        D("2.00"),
        D("3.4017"),
    ]
    assert JEWELRY.fee(D(400)) == D("57.50") and JEWELRY.fee(D(100)) == D(20)
    lane = replace(US, referral_pct=None, referral_rule=CLOTHING)
    assert build_up(lane).referral == D("5.0983")  # 17 % × 29.99
    assert "referral" not in build_up(lane).not_entered


@pytest.mark.parametrize("rule", [CLOTHING, JEWELRY])
@pytest.mark.parametrize("target", [D(0), D("0.2"), D("0.4")])
def test_the_price_for_a_margin_is_exact_across_referral_bands(rule: ReferralRule, target: D) -> None:
    lane = replace(US, referral_pct=None, referral_rule=rule, refund_admin=RefundAdmin(D(20), D(5)))
    found = price_for_margin(lane, target)
    assert found is not None
    assert abs(build_up(replace(lane, price=found)).margin - target) < D("1e-18")
    # And no lower price reaches it: a cent below, the margin is short.
    assert build_up(replace(lane, price=found - D("0.01"))).margin < target


# JP lane in JPY (whole yen): goods ¥800, sea freight ¥120 a unit of which 30 % is charged after arrival,
# insurance 0.3 %, duty 4.6 % on CIF, shelf price ¥2,980 including 10 % consumption tax:
#   freight to the border 84, after arrival 36; insurance 0.3 % × (800 + 84) = 2.652
#   CIF 800 + 84 + 2.652 = 886.652; duty 4.6 % = 40.785992
#   import consumption tax 10 % × (CIF + duty) = 10 % × 927.437992 = 92.743799 (JP: not on the ¥36)
#   net 2,980 ÷ 1.10 = 2,709.090909; referral 15 % × 2,980 = 447; FBA 318; storage 10
#   contribution 2,709.090909 − (800 + 120 + 2.652 + 40.785992 + 447 + 318 + 10) = 970.652917 → ¥971, 35.83 %
#   tax not reclaimed: 970.652917 − 92.743799 = 877.909118 → ¥878, 32.41 %
JP = Lane(
    price=D(2980),
    vat_pct=D(10),
    purchase=D(800),
    freight=D(120),
    duty_pct=D("4.6"),
    customs=Customs.CIF,
    referral_pct=D(15),
    fulfilment=D(318),
    storage=D(10),
    ads_pct=D(0),
    returns_pct=D(0),
    insurance_pct=D("0.3"),
    after_arrival_pct=D(30),
    vat_on_inland_freight=False,
)


def test_jp_lane_consumption_tax_on_cif_plus_duty_to_the_yen() -> None:
    b = build_up(JP)
    assert b.arrival.customs_value == D("886.652") and b.arrival.duty_base == D("40.785992")
    assert b.import_vat == D("92.7437992")
    assert rounded(b.contribution, "JPY") == D(971) and rounded(b.margin * 100, "EUR") == D("35.83")
    borne = build_up(replace(JP, vat_reclaimed=False))
    assert rounded(borne.contribution, "JPY") == D(878) and rounded(borne.margin * 100, "EUR") == D("32.41")
    # In the EU the freight after arrival is in the VAT base: 10 % more of ¥36.
    assert build_up(replace(JP, vat_on_inland_freight=True)).import_vat == D("96.3437992")
