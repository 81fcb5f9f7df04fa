"""Guardrail metrics: rates that must not rise by more than a limit (refund rate, return rate), read with
the primary metric's method and level, so a win on the primary with a breached guardrail is not "ship".

Each guardrail is judged per variant on the interval of its rise over control (the same interval the
readout draws): held when the whole interval lies at or below the limit, breached when the whole
interval lies above it, unclear otherwise (not yet shown to be within the limit).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from models.experiments.readout import ArmCounts, Direction, Method, Verdict, read

NAME_MAX = 40
MAX_GUARDRAILS = 5


class GuardState(StrEnum):
    HELD = "held"
    UNCLEAR = "unclear"
    BREACHED = "breached"
    NO_DATA = "no_data"


@dataclass(frozen=True)
class GuardReading:
    metric: str
    arm: str
    limit: float  # the largest rise allowed, as a fraction (0.005 = 0.5 pp)
    rise: float | None = None
    low: float | None = None
    high: float | None = None
    level: float | None = None
    state: GuardState = GuardState.NO_DATA


def read_guardrails(
    guardrails: list[dict[str, Any]],
    *,
    arms: list[str],
    weights: list[float],
    needed: list[int],
    alpha: float,
    method: str,
) -> list[GuardReading]:
    """Every guardrail against every variant, in definition order."""  # fmt: skip
    out = []
    for guard in guardrails:
        totals = guard.get("totals") or {}
        counts = [ArmCounts(arm, *(int(x) for x in totals.get(arm, (0, 0)))) for arm in arms]
        limit = float(guard["limit"])
        readout = read(counts, weights=weights, needed=needed, alpha=alpha, method=Method(method),
                       direction=Direction.LOWER)  # fmt: skip
        if readout.verdict is Verdict.NOT_READY or not readout.comparisons:
            out.extend(GuardReading(guard["metric"], arm, limit) for arm in arms[1:])
            continue
        for c in readout.comparisons:
            state = GuardState.HELD if c.diff_high <= limit else GuardState.BREACHED if c.diff_low > limit else (
                GuardState.UNCLEAR)  # fmt: skip
            out.append(GuardReading(guard["metric"], c.arm, limit, c.diff, c.diff_low, c.diff_high, c.level, state))
    return out


def blocks_ship(readings: list[GuardReading], arm: str | None) -> bool:
    """A win for `arm` is not "ship" unless every guardrail is shown to hold for it."""
    return any(r.arm == arm and r.state is not GuardState.HELD for r in readings)
