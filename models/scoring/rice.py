"""RICE, ICE and MoSCoW arithmetic: plain functions on Decimals, no I/O.

RICE (Intercom) = Reach × Impact × Confidence ÷ Effort, with impact on 3/2/1/0.5/0.25, confidence
100/80/50 % and effort in person-months. ICE (Sean Ellis) = Impact × Confidence × Ease, each 1–10.
MoSCoW (DSDM): Musts should take at most 60 % of the planned effort.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

IMPACTS: tuple[Decimal, ...] = (Decimal("3"), Decimal("2"), Decimal("1"), Decimal("0.5"), Decimal("0.25"))
IMPACT_NAMES = dict(zip(IMPACTS, ("massive", "high", "medium", "low", "minimal"), strict=True))
CONFIDENCES: tuple[int, ...] = (100, 80, 50)
CONFIDENCE_NAMES = {100: "high", 80: "medium", 50: "low"}
ICE_RANGE = range(1, 11)
REACH_MAX = 1_000_000_000
EFFORT_MIN = Decimal("0.01")
EFFORT_MAX = Decimal("1000")
MUST_BUDGET = Decimal("0.6")

SCORE_PLACES = Decimal("0.0001")  # stored precision of RICE and its derivatives
SHOWN_PLACES = Decimal("0.1")


class Moscow(StrEnum):
    MUST = "must"
    SHOULD = "should"
    COULD = "could"
    WONT = "wont"


PLANNED = (Moscow.MUST, Moscow.SHOULD, Moscow.COULD)  # Won't-haves are not in the planned set


@dataclass(frozen=True)
class RiceInputs:
    reach: int
    impact: Decimal
    confidence: int  # percent
    effort: Decimal  # person-months
    reach_by_market: Mapping[str, int | Decimal] = field(default_factory=dict)  # empty when reach is not split

    @property
    def score(self) -> Decimal:
        return rice(self.reach, self.impact, self.confidence, self.effort)


def quantize(value: Decimal, places: Decimal = SCORE_PLACES) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP)


def rice(reach: int | Decimal, impact: Decimal, confidence: int, effort: Decimal) -> Decimal:
    """Reach × Impact × Confidence ÷ Effort; 4,000 × 2 × 80 % ÷ 1.5 = 4,266.6667."""
    if effort <= 0:
        raise ValueError("effort must be above zero")
    return quantize(Decimal(reach) * impact * Decimal(confidence) / Decimal(100) / effort)


def ice(impact: int, confidence: int, ease: int) -> int:
    return impact * confidence * ease


def ice_average(impact: int, confidence: int, ease: int) -> Decimal:
    return quantize(Decimal(impact + confidence + ease) / Decimal(3), SHOWN_PLACES)


def reach_by_market(inputs: RiceInputs, markets: Iterable[str]) -> dict[str, Decimal]:
    """Reach in each market: as split by the scorer, or the total spread evenly over the requirement's markets."""
    if inputs.reach_by_market:
        return {m: Decimal(r) for m, r in sorted(inputs.reach_by_market.items())}
    names = sorted(set(markets))
    if not names:
        return {}
    return {m: quantize(Decimal(inputs.reach) / Decimal(len(names))) for m in names}


def weighted_rice(inputs: RiceInputs, markets: Iterable[str], weights: Mapping[str, Decimal]) -> Decimal:
    """RICE with each market's reach counted at the workspace's weight for that market.

    No weights set: plain RICE. Markets without a weight count 0. Reach that belongs to no market
    (no split and no markets on the requirement) is spread evenly over the weighted markets.
    """
    if not weights:
        return inputs.score
    per_market = reach_by_market(inputs, markets)
    if per_market:
        weighted = sum((r * weights.get(m, Decimal(0)) for m, r in per_market.items()), Decimal(0))
    else:
        weighted = Decimal(inputs.reach) * sum(weights.values(), Decimal(0)) / Decimal(len(weights))
    return rice(weighted, inputs.impact, inputs.confidence, inputs.effort)


@dataclass(frozen=True)
class Budget:
    must_effort: Decimal
    planned_effort: Decimal  # Must + Should + Could
    without_effort: int  # planned items with no effort estimate, left out of the sums

    @property
    def must_share(self) -> Decimal | None:
        if self.planned_effort <= 0:
            return None
        return self.must_effort / self.planned_effort

    @property
    def over(self) -> bool:
        share = self.must_share
        return share is not None and share > MUST_BUDGET


def budget(items: Iterable[tuple[str | None, Decimal | None]]) -> Budget:
    """The MoSCoW budget of (moscow, effort) pairs."""
    must, planned, missing = Decimal(0), Decimal(0), 0
    for moscow, effort in items:
        if moscow not in PLANNED:
            continue
        if effort is None:
            missing += 1
            continue
        planned += effort
        if moscow == Moscow.MUST:
            must += effort
    return Budget(must, planned, missing)


def shown(value: Decimal | int | None) -> str:
    """A score as people read it: thousands separated, one decimal when it has one (4,266.7; 4,000)."""
    if value is None:
        return "—"
    rounded = quantize(Decimal(value), SHOWN_PLACES)
    text = f"{rounded:,.1f}"
    return text[:-2] if text.endswith(".0") else text


def plain(value: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: 1.50 → 1.5, 2.00 → 2."""
    return format(value.normalize(), "f")
