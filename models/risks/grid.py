"""Risk scoring on the 5×5 grid, the heat-map counts and indicator crossings: plain functions, no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

SCALE = range(1, 6)

# Score = likelihood × impact; bands by score. The products of 1–5 never give 17, 18 or 19.
BANDS: tuple[tuple[str, int, int], ...] = (
    ("low", 1, 4),
    ("medium", 5, 9),
    ("high", 10, 16),
    ("critical", 20, 25),
)
BAND_NAMES = tuple(name for name, _, _ in BANDS)
ALERT_BANDS = frozenset({"high", "critical"})

ABOVE, BELOW = "above", "below"


def score(likelihood: int, impact: int) -> int:
    if likelihood not in SCALE or impact not in SCALE:
        raise ValueError(f"likelihood and impact are 1 to 5, not {likelihood} and {impact}")
    return likelihood * impact


def band(value: int) -> str:
    for name, low, high in BANDS:
        if low <= value <= high:
            return name
    raise ValueError(f"{value} is no risk score")


def band_rank(name: str) -> int:
    return BAND_NAMES.index(name)


def score_range(name: str) -> tuple[int, int]:
    for band_name, low, high in BANDS:
        if band_name == name:
            return low, high
    raise ValueError(f"{name} is no band")


def escalated(old_score: int, new_score: int) -> bool:
    """The score moved up into high or critical (medium → high, high → critical, ...)."""
    new_band = band(new_score)
    return new_band in ALERT_BANDS and band_rank(new_band) > band_rank(band(old_score))


def matrix(cells: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Counts per cell: `grid[likelihood - 1][impact - 1]`."""
    grid = [[0] * 5 for _ in SCALE]
    for likelihood, impact in cells:
        grid[likelihood - 1][impact - 1] += 1
    return grid


def beyond(value: Decimal, direction: str, threshold: Decimal) -> bool:
    """Past the threshold: strictly above it, or strictly below it."""
    if direction == ABOVE:
        return value > threshold
    if direction == BELOW:
        return value < threshold
    raise ValueError(f"direction is above or below, not {direction!r}")


def crossing(tripped: bool, value: Decimal, direction: str, threshold: Decimal) -> tuple[bool, bool]:
    """(tripped now, alert now): alert once on crossing, then not again until it has crossed back."""
    past = beyond(value, direction, threshold)
    return past, past and not tripped
