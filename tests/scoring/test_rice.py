"""RICE, ICE, weighted RICE and the MoSCoW budget against examples worked by hand."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from models.scoring import rice as math
from models.scoring.rice import RiceInputs


def test_intercoms_example_from_the_issue() -> None:
    # 4,000 × 2 × 0.8 ÷ 1.5 = 6,400 ÷ 1.5 = 4,266.666…
    assert math.rice(4000, D("2"), 80, D("1.5")) == D("4266.6667")
    assert math.shown(math.rice(4000, D("2"), 80, D("1.5"))) == "4,266.7"


@pytest.mark.parametrize(
    ("reach", "impact", "confidence", "effort", "expected"),
    [
        (1000, "3", 100, "1", "3000.0000"),  # 1,000 × 3 × 1.0 ÷ 1
        (500, "0.25", 50, "2", "31.2500"),  # 500 × 0.25 × 0.5 ÷ 2 = 62.5 ÷ 2
        (150, "1", 80, "0.5", "240.0000"),  # 150 × 1 × 0.8 ÷ 0.5 = 120 ÷ 0.5
        (7, "0.5", 80, "3", "0.9333"),  # 7 × 0.5 × 0.8 ÷ 3 = 2.8 ÷ 3 = 0.93333…
        (0, "2", 100, "1", "0.0000"),
        (2, "2", 50, "3", "0.6667"),  # 2 ÷ 3 = 0.66666…, rounded half up
    ],
)
def test_rice_worked_examples(reach: int, impact: str, confidence: int, effort: str, expected: str) -> None:
    assert math.rice(reach, D(impact), confidence, D(effort)) == D(expected)


def test_shown_values() -> None:
    assert math.shown(D("4000.0000")) == "4,000"
    assert math.shown(D("2133.3333")) == "2,133.3"
    assert math.shown(D("0.05")) == "0.1"  # half up
    assert math.shown(336) == "336"
    assert math.shown(None) == "—"


def test_ice_is_the_product_and_the_average_is_shown() -> None:
    assert math.ice(8, 7, 6) == 336
    assert math.ice_average(8, 7, 6) == D("7.0")  # 21 ÷ 3
    assert math.ice_average(10, 9, 9) == D("9.3")  # 28 ÷ 3 = 9.33…
    assert math.ice(1, 1, 1) == 1 and math.ice(10, 10, 10) == 1000


WEIGHTS = {"US": D("0.5"), "DE": D("0.3"), "JP": D("0.2")}


def test_weighted_rice_with_reach_split_by_market() -> None:
    inputs = RiceInputs(4200, D("2"), 80, D("1.5"), {"US": 3000, "DE": 1200})
    # Weighted reach 3,000 × 0.5 + 1,200 × 0.3 = 1,500 + 360 = 1,860; × 2 × 0.8 ÷ 1.5 = 1,984
    assert math.weighted_rice(inputs, ["US", "DE"], WEIGHTS) == D("1984.0000")
    assert inputs.score == D("4480.0000")  # 4,200 × 1.6 ÷ 1.5


def test_unsplit_reach_is_spread_over_the_requirements_markets() -> None:
    inputs = RiceInputs(4200, D("2"), 80, D("1.5"))
    # 2,100 in US and 2,100 in DE: 1,050 + 630 = 1,680; × 1.6 ÷ 1.5 = 1,792
    assert math.weighted_rice(inputs, ["DE", "US"], WEIGHTS) == D("1792.0000")
    # A market without a weight counts 0: 2,100 in US and 2,100 in BR → 1,050 × 1.6 ÷ 1.5 = 1,120
    assert math.weighted_rice(inputs, ["US", "BR"], WEIGHTS) == D("1120.0000")


def test_reach_in_no_market_is_spread_over_the_weighted_markets() -> None:
    inputs = RiceInputs(3000, D("1"), 100, D("1"))
    # Spread over US, DE, JP: 1,000 each → 500 + 300 + 200 = 1,000
    assert math.weighted_rice(inputs, [], WEIGHTS) == D("1000.0000")


def test_without_weights_weighted_rice_is_rice() -> None:
    inputs = RiceInputs(4000, D("2"), 80, D("1.5"), {"US": 4000})
    assert math.weighted_rice(inputs, ["US"], {}) == D("4266.6667")


def test_reach_by_market() -> None:
    assert math.reach_by_market(RiceInputs(1000, D(1), 100, D(1)), ["US", "DE", "JP"]) == {
        "DE": D("333.3333"),
        "JP": D("333.3333"),
        "US": D("333.3333"),
    }
    assert math.reach_by_market(RiceInputs(1000, D(1), 100, D(1)), []) == {}


def test_moscow_budget() -> None:
    # Planned = Must + Should + Could = 6 + 3 + 1 = 10; Musts 6 ÷ 10 = 60 %: at the limit, not over.
    at_limit = math.budget([("must", D(4)), ("must", D(2)), ("should", D(3)), ("could", D(1)), ("wont", D(20))])
    assert (at_limit.must_share, at_limit.over) == (D("0.6"), False)
    # 7 ÷ 10 = 70 %: over.
    over = math.budget([("must", D(7)), ("should", D(2)), ("could", D(1)), (None, D(5))])
    assert (over.must_share, over.over) == (D("0.7"), True)
    missing = math.budget([("must", None), ("should", D(2))])
    assert (missing.must_share, missing.without_effort) == (D(0), 1)
    assert math.budget([("wont", D(3))]).must_share is None
