"""What users type for scores, checked against the scales: RICE, ICE, MoSCoW and market weights.

Out-of-scale values raise FieldError naming the allowed values; nothing is stored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from handlers.core.args import normalise_word, split_list
from handlers.core.reply import FieldError, InvalidFields, Text
from models.market_codes import normalise_market
from models.scoring import rice as math
from models.scoring.rice import Moscow

RICE_KEYS = ("reach", "impact", "confidence", "effort")
SCORE_KEYS = frozenset({*RICE_KEYS, "reach.*", "ice", "moscow"})

IMPACT_WORDS: dict[str, Decimal] = {
    "massive": Decimal("3"),
    "巨大": Decimal("3"),
    "极大": Decimal("3"),
    "high": Decimal("2"),
    "高": Decimal("2"),
    "medium": Decimal("1"),
    "med": Decimal("1"),
    "中": Decimal("1"),
    "中等": Decimal("1"),
    "low": Decimal("0.5"),
    "低": Decimal("0.5"),
    "minimal": Decimal("0.25"),
    "min": Decimal("0.25"),
    "极小": Decimal("0.25"),
    "很小": Decimal("0.25"),
}
CONFIDENCE_WORDS = {"high": 100, "高": 100, "medium": 80, "med": 80, "中": 80, "中等": 80, "low": 50, "低": 50}
MOSCOW_WORDS: dict[str, Moscow | None] = {
    **{m.value: m for m in Moscow},
    "m": Moscow.MUST,
    "s": Moscow.SHOULD,
    "c": Moscow.COULD,
    "w": Moscow.WONT,
    "won't": Moscow.WONT,
    "won’t": Moscow.WONT,
    "won't-have": Moscow.WONT,
    "必须": Moscow.MUST,
    "必须有": Moscow.MUST,
    "应该": Moscow.SHOULD,
    "应该有": Moscow.SHOULD,
    "可以": Moscow.COULD,
    "可以有": Moscow.COULD,
    "不做": Moscow.WONT,
    "暂不": Moscow.WONT,
    "none": None,
    "无": None,
    "清空": None,
}
NUMBER = re.compile(r"(\d+(?:\.\d+)?|\.\d+)")
THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+")
MULTIPLIERS = {"": 1, "k": 1000, "w": 10_000, "万": 10_000, "m": 1_000_000}
REACH = re.compile(r"(\d+(?:\.\d+)?)(k|w|万|m)?")
EFFORT_SUFFIXES = ("person-months", "person-month", "pm", "人月", "月")


@dataclass
class Scored:
    """The parts of a /score command that were given."""

    rice: dict[str, Any] = field(default_factory=dict)  # reach, reach_by_market, impact, confidence, effort
    ice: tuple[int, int, int] | None = None
    moscow: Any = None  # a Moscow, None (cleared), or absent
    has_moscow: bool = False

    @property
    def empty(self) -> bool:
        return not self.rice and self.ice is None and not self.has_moscow


def scored(options: Mapping[str, str]) -> Scored:
    """Parse /score options; raises InvalidFields naming every bad one."""
    out = Scored()
    errors: list[FieldError] = []
    by_market: dict[str, int] = {}
    for key, value in options.items():
        try:
            if key.startswith("reach."):
                market = normalise_market(key.split(".", 1)[1])
                if market is None:
                    raise FieldError(key, "field.bad_market", value=key.split(".", 1)[1])
                by_market[market] = reach(key, value)
            elif key == "reach":
                out.rice["reach"] = reach(key, value)
            elif key == "impact":
                out.rice["impact"] = impact(key, value)
            elif key == "confidence":
                out.rice["confidence"] = confidence(key, value)
            elif key == "effort":
                out.rice["effort"] = effort(key, value)
            elif key == "ice":
                out.ice = ice(key, value)
            elif key == "moscow":
                out.moscow, out.has_moscow = moscow(key, value), True
        except FieldError as err:
            errors.append(err)
    if by_market:
        if "reach" in out.rice:
            errors.append(FieldError("reach", "score.reach_twice"))
        out.rice["reach_by_market"] = by_market
        out.rice["reach"] = sum(by_market.values())
    if errors:
        raise InvalidFields(errors)
    return out


def reach(name: str, value: str) -> int:
    """People or events per period: 4000, 4,000, 4k, 1.5万."""
    raw = normalise_word(value).replace(" ", "")
    if THOUSANDS.fullmatch(raw):
        raw = raw.replace(",", "")
    match = REACH.fullmatch(raw)
    if match is None:
        raise FieldError(name, "score.bad_reach", value=value)
    amount = Decimal(match.group(1)) * MULTIPLIERS[match.group(2) or ""]
    if amount != amount.to_integral_value() or amount > math.REACH_MAX:
        raise FieldError(name, "score.bad_reach", value=value)
    return int(amount)


def impact(name: str, value: str) -> Decimal:
    raw = normalise_word(value)
    if raw in IMPACT_WORDS:
        return IMPACT_WORDS[raw]
    number = _decimal(raw)
    for allowed in math.IMPACTS:
        if number is not None and number == allowed:
            return allowed
    raise FieldError(name, "score.bad_impact", value=value, allowed=Text("score.impact_scale"))


def confidence(name: str, value: str) -> int:
    raw = normalise_word(value).replace(" ", "")
    if raw in CONFIDENCE_WORDS:
        return CONFIDENCE_WORDS[raw]
    number = _decimal(raw.removesuffix("%"))
    if number is not None and not raw.endswith("%") and "." in raw and number <= 1:
        number *= 100  # 0.8 means 80 %
    for allowed in math.CONFIDENCES:
        if number is not None and number == allowed:
            return allowed
    raise FieldError(name, "score.bad_confidence", value=value, allowed=Text("score.confidence_scale"))


def effort(name: str, value: str) -> Decimal:
    raw = normalise_word(value).replace(" ", "")
    for suffix in EFFORT_SUFFIXES:
        raw = raw.removesuffix(suffix)
    number = _decimal(raw)
    if number is None or not math.EFFORT_MIN <= number <= math.EFFORT_MAX or number != round(number, 2):
        raise FieldError(name, "score.bad_effort", value=value)
    return number.quantize(Decimal("0.01")).normalize()


def ice(name: str, value: str) -> tuple[int, int, int]:
    parts = split_list(normalise_word(value).replace("/", ","))
    numbers = [int(p) if p.isdigit() else -1 for p in parts]
    if len(numbers) != 3 or any(n not in math.ICE_RANGE for n in numbers):
        raise FieldError(name, "score.bad_ice", value=value)
    return numbers[0], numbers[1], numbers[2]


def moscow(name: str, value: str) -> Moscow | None:
    raw = normalise_word(value).replace("’", "'")
    if raw not in MOSCOW_WORDS:
        raise FieldError(name, "score.bad_moscow", value=value)
    return MOSCOW_WORDS[raw]


def weights(options: Mapping[str, str]) -> dict[str, Decimal]:
    """Market weights: US=0.5 DE=0.3 or US=50% DE=30%."""
    out: dict[str, Decimal] = {}
    errors: list[FieldError] = []
    for key, value in options.items():
        market = normalise_market(key)
        if market is None:
            errors.append(FieldError(key, "field.bad_market", value=key))
            continue
        raw = normalise_word(value).replace(" ", "")
        number = _decimal(raw.removesuffix("%"))
        if number is not None and raw.endswith("%"):
            number /= 100
        if number is None or number < 0 or number > 1000 or number != round(number, 4):
            errors.append(FieldError(key, "score.bad_weight", value=value))
            continue
        out[market] = number.normalize()
    if errors:
        raise InvalidFields(errors)
    return out


def _decimal(raw: str) -> Decimal | None:
    if not NUMBER.fullmatch(raw):
        return None
    try:
        return Decimal(raw)
    except InvalidOperation:
        return None
