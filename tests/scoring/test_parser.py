"""The /score parser: what people type, on and off the scales (property tests with hypothesis)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers import REGISTRY
from handlers.core.reply import FieldError, InvalidFields, UsageError
from handlers.scoring import input as parse
from models.scoring.rice import Moscow

IMPACT_SCALE = {"3": D(3), "2": D(2), "1": D(1), "0.5": D("0.5"), "0.25": D("0.25")}
IMPACT_WORDS = {"massive": D(3), "high": D(2), "medium": D(1), "low": D("0.5"), "minimal": D("0.25")}
CONFIDENCE_SCALE = {100, 80, 50}


def score_options(text: str) -> parse.Scored:
    """Through the real command table, as a typed `/score` arrives."""
    resolved = REGISTRY.resolve("score", text)
    return parse.scored(resolved.args.options)


@given(st.integers(min_value=0, max_value=1_000_000_000))
def test_any_whole_reach_parses_plain_and_with_thousands_separators(n: int) -> None:
    assert parse.reach("reach", str(n)) == n
    assert parse.reach("reach", f"{n:,}") == n


@given(st.integers(min_value=0, max_value=100_000))
def test_reach_in_thousands_and_ten_thousands(n: int) -> None:
    assert parse.reach("reach", f"{n}k") == n * 1000
    assert parse.reach("reach", f"{n}万") == n * 10_000
    assert parse.reach("reach", f"{n / 10}k") == n * 100


@pytest.mark.parametrize("text", ["-5", "4.5", "1,00", "abc", "1.23456k", "2000000000", "", "4 000 people"])
def test_reach_that_is_not_a_whole_count_is_refused(text: str) -> None:
    with pytest.raises(FieldError) as err:
        parse.reach("reach", text)
    assert err.value.text.key == "score.bad_reach"


@given(st.sampled_from(sorted(IMPACT_SCALE)), st.sampled_from(["", "0", "00"]))
def test_impact_on_the_scale_parses_however_written(value: str, zeros: str) -> None:
    written = value + ("." + zeros if zeros and "." not in value else zeros if "." in value else "")
    assert parse.impact("impact", written or value) == IMPACT_SCALE[value]


def test_impact_words_in_english_and_chinese() -> None:
    for word, value in IMPACT_WORDS.items():
        assert parse.impact("impact", word) == value
        assert parse.impact("impact", word.upper()) == value
    assert [parse.impact("impact", w) for w in ("巨大", "高", "中", "低", "极小")] == list(IMPACT_WORDS.values())


@given(st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False))
def test_impact_off_the_scale_is_refused_naming_the_scale(value: D) -> None:
    if value in IMPACT_SCALE.values():
        return
    with pytest.raises(FieldError) as err:
        parse.impact("impact", str(value))
    assert err.value.text.key == "score.bad_impact"
    assert err.value.text.params["allowed"].key == "score.impact_scale"


@given(st.sampled_from(sorted(CONFIDENCE_SCALE)))
def test_confidence_as_number_percent_or_fraction(value: int) -> None:
    assert parse.confidence("confidence", str(value)) == value
    assert parse.confidence("confidence", f"{value}%") == value
    assert parse.confidence("confidence", f"{value}％") == value  # full-width percent sign
    assert parse.confidence("confidence", f"{value / 100:.1f}") == value  # 0.8, 1.0


@given(st.integers(min_value=0, max_value=1000))
def test_confidence_off_the_scale_is_refused(value: int) -> None:
    if value in CONFIDENCE_SCALE:
        return
    with pytest.raises(FieldError) as err:
        parse.confidence("confidence", str(value))
    assert err.value.text.params["allowed"].key == "score.confidence_scale"


@given(st.decimals(min_value=D("0.01"), max_value=1000, places=2, allow_nan=False, allow_infinity=False))
def test_any_positive_effort_in_hundredths_parses(value: D) -> None:
    assert parse.effort("effort", str(value)) == value
    assert parse.effort("effort", f"{value}pm") == value


@pytest.mark.parametrize("text", ["0", "-1", "0.001", "1001", "two", "1/2"])
def test_effort_must_be_above_zero_in_hundredths(text: str) -> None:
    with pytest.raises(FieldError):
        parse.effort("effort", text)


@given(st.tuples(*[st.integers(min_value=1, max_value=10)] * 3), st.sampled_from([",", "，", "/", "、", ", "]))
def test_any_ice_triple_from_1_to_10_parses(triple: tuple[int, int, int], sep: str) -> None:
    assert parse.ice("ice", sep.join(map(str, triple))) == triple


@given(st.lists(st.integers(min_value=-5, max_value=15), min_size=1, max_size=5))
def test_ice_needs_exactly_three_numbers_from_1_to_10(numbers: list[int]) -> None:
    if len(numbers) == 3 and all(1 <= n <= 10 for n in numbers):
        return
    with pytest.raises(FieldError) as err:
        parse.ice("ice", ",".join(map(str, numbers)))
    assert err.value.text.key == "score.bad_ice"


def test_moscow_words() -> None:
    cases = {"must": "must", "Should": "should", "c": "could", "won't": "wont", "won’t": "wont", "必须": "must"}
    for typed, expected in cases.items():
        assert parse.moscow("moscow", typed) == Moscow(expected)
    assert parse.moscow("moscow", "none") is None
    with pytest.raises(FieldError):
        parse.moscow("moscow", "maybe")


@given(
    reach=st.integers(min_value=0, max_value=10**8),
    impact=st.sampled_from(sorted(IMPACT_SCALE)),
    confidence=st.sampled_from(sorted(CONFIDENCE_SCALE)),
    effort=st.decimals(min_value=D("0.01"), max_value=999, places=2, allow_nan=False, allow_infinity=False),
    colon=st.booleans(),
)
def test_a_typed_rice_command_round_trips(reach: int, impact: str, confidence: int, effort: D, colon: bool) -> None:
    sep = "：" if colon else "＝"
    text = f"REQ-3 reach{sep}{reach:,} impact={impact} confidence={confidence}% effort={effort}"
    parsed = score_options(text)
    assert parsed.rice == {
        "reach": reach,
        "impact": IMPACT_SCALE[impact],
        "confidence": confidence,
        "effort": effort,
    }
    assert parsed.ice is None and not parsed.has_moscow


@given(st.dictionaries(st.sampled_from(["US", "DE", "JP", "GB", "SG"]), st.integers(0, 10**6), min_size=1))
def test_reach_by_market_sums_into_reach(split: dict[str, int]) -> None:
    text = "REQ-1 " + " ".join(f"reach.{m.lower()}={n}" for m, n in split.items())
    parsed = score_options(text)
    assert parsed.rice == {"reach_by_market": split, "reach": sum(split.values())}


def test_reach_and_reach_by_market_together_are_refused() -> None:
    with pytest.raises(InvalidFields) as err:
        score_options("REQ-1 reach=10 reach.US=5")
    assert [e.text.key for e in err.value.errors] == ["score.reach_twice"]


def test_every_bad_value_is_named_at_once() -> None:
    with pytest.raises(InvalidFields) as err:
        score_options("REQ-1 reach=lots impact=7 confidence=90 effort=0 ice=11,2,3 moscow=maybe")
    assert sorted(e.field for e in err.value.errors) == ["confidence", "effort", "ice", "impact", "moscow", "reach"]


def test_unknown_keys_are_refused_by_the_command_table() -> None:
    with pytest.raises(UsageError) as err:
        score_options("REQ-1 impactt=2")
    assert err.value.text.key == "args.unknown_key_near"


@given(st.dictionaries(st.sampled_from(["US", "DE", "JP", "UK"]), st.integers(0, 100), min_size=1))
def test_market_weights_as_fractions_or_percentages(weights: dict[str, int]) -> None:
    as_percent = parse.weights({k.lower(): f"{v}%" for k, v in weights.items()})
    as_fraction = parse.weights({k.lower(): str(D(v) / 100) for k, v in weights.items()})
    expected = {("GB" if k == "UK" else k): (D(v) / 100).normalize() for k, v in weights.items()}
    assert as_percent == as_fraction == expected
