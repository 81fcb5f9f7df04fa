"""FBA size tiers, fees and storage from the shipped schedules, at the tier boundaries, worked by hand
from Amazon's published rules (sides sorted longest first; 1 in = 2.54 cm, 1 oz = 28.349523125 g;
large standard and large bulky bill the larger of unit and dimensional weight, L × W × H ÷ 139 lb)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from models.costs.fba import KG_PER_OZ, choose, monthly_storage
from models.costs.fee_schedule import schedules

US = schedules()["US"].fba
DE = schedules()["DE"].fba
GB = schedules()["GB"].fba
INCH = D("2.54")


def cm(*inches: str) -> tuple[D, D, D]:
    a, b, c = (D(x) * INCH for x in inches)
    return a, b, c


def test_every_shipped_schedule_has_its_source_date_and_tables() -> None:
    for market, found in schedules().items():
        assert found.market == market and found.source.startswith("Amazon") and found.since.year >= 2025
        assert found.fba is not None and found.fba.tiers and "everything_else" in found.referral
        assert found.refund_admin is not None


@pytest.mark.parametrize(
    ("sides", "weight_kg", "tier", "fee"),
    [
        # 15 × 12 × 0.75 in and 16 oz exactly: small standard, the 14–16 oz band.
        (("15", "12", "0.75"), 16 * KG_PER_OZ, "small_standard", "3.65"),
        # 2 oz exactly: the first band.
        (("10", "8", "0.5"), 2 * KG_PER_OZ, "small_standard", "3.06"),
        # 0.454 kg = 16.0144 oz, over 16 oz: large standard; dimensional 135 in³ ÷ 139 × 16 = 15.54 oz is
        # lower, so 16.0144 oz, in the 1–1.25 lb band.
        (("15", "12", "0.75"), D("0.454"), "large_standard", "4.99"),
        # 0.76 in thick at 8 oz: large standard on dimensional weight 15 × 12 × 0.76 ÷ 139 × 16 = 15.747 oz.
        (("15", "12", "0.76"), 8 * KG_PER_OZ, "large_standard", "4.55"),
        # 18 × 14 × 8 in at 2 kg: dimensional 2,016 ÷ 139 × 16 = 232.058 oz > 70.5 oz actual; above 3 lb:
        # 6.78 + ⌈(232.058 − 48) ÷ 8⌉ = 24 half-pounds × 0.16 = 3.84 → 10.62.
        (("18", "14", "8"), D(2), "large_standard", "10.62"),
    ],
)
def test_us_size_tiers_at_their_boundaries(sides: tuple[str, str, str], weight_kg: D, tier: str, fee: str) -> None:
    found = choose(US, cm(*sides), weight_kg)
    assert found is not None and (found.tier, found.fee) == (tier, D(fee))


def test_us_large_bulky_bills_per_pound_and_the_extra_large_is_not_in_the_table() -> None:
    # 70 × 40 × 30 cm = 84,000 cm³ = 5,125.99 in³; ÷ 139 × 16 = 590.04 oz > 176.37 oz actual (5 kg);
    # the longest side 27.56 in is over 18: large bulky (59 × 33 × 33 in, length + girth 27.56 + 2 ×
    # (15.75 + 11.81) = 82.7 ≤ 130); 9.61 + ⌈(590.04 − 16) ÷ 16⌉ = 36 pounds × 0.38 = 13.68 → 23.29.
    found = choose(US, (D(70), D(40), D(30)), D(5))
    assert found is not None and (found.tier, found.fee) == ("large_bulky", D("23.29"))
    # 100 × 50 × 40 cm is 87.8 lb dimensional, over large bulky's 50 lb: no tier in the table.
    assert choose(US, (D(100), D(50), D(40)), D(5)) is None


def test_eu_and_uk_tiers_by_envelope_and_parcel() -> None:
    # The T-shirt, 30 × 20 × 5 cm, 0.42 kg: too thick for any envelope (1 / 2.5 / 4 cm); a DE small parcel
    # (35 × 25 × 12 cm) bills the larger of 420 g and 3,000 cm³ ÷ 5,000 = 0.6 kg: 600 g → up to 900 g, 4.60.
    tee = choose(DE, (D(30), D(20), D(5)), D("0.42"))
    assert tee is not None and (tee.tier, tee.shipping_weight, tee.fee) == ("small_parcel", D("600.0"), D("4.60"))
    # A card 20 × 15 × 1 cm, 80 g: a small envelope; 81 g is a standard envelope's 60–210 g band.
    assert choose(DE, (D(20), D(15), D(1)), D("0.080")).tier == "small_envelope"  # type: ignore[union-attr]
    assert choose(DE, (D(20), D(15), D(1)), D("0.081")).fee == D("3.06")  # type: ignore[union-attr]
    assert choose(GB, (D(30), D(20), D(2)), D("0.100")).tier == "light_envelope"  # type: ignore[union-attr]


def test_monthly_storage_by_volume_and_season() -> None:
    # 18 × 14 × 8 in = 2,016 in³ = 1.1667 ft³; × 0.78 (January to September) = 0.91; × 2.40 (Oct–Dec) = 2.80.
    box = cm("18", "14", "8")
    assert abs(monthly_storage(US, "standard", box, 3) - D("0.91")) < D("1e-20")
    assert abs(monthly_storage(US, "standard", box, 11) - D("2.80")) < D("1e-20")
    # DE per m³: 30 × 20 × 5 cm = 0.003 m³ × 27.54 = 0.08262.
    assert monthly_storage(DE, "standard", (D(30), D(20), D(5)), 5) == D("0.08262")
