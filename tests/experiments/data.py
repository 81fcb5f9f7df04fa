"""Daily result files as sellers export them, built deterministically for tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta


def daily_csv(
    *,
    days: int = 20,
    markets: Sequence[str] = ("DE", "FR", "JP"),
    visitors: dict[str, int] | None = None,
    conversions: dict[str, int] | None = None,
    start: date = date(2026, 3, 1),
) -> str:
    """One row per day, arm and market: every row of an arm has the same visitors and conversions."""
    visitors = visitors or {"control": 500, "variant": 500}
    conversions = conversions or {"control": 15, "variant": 17}
    lines = ["date,variant,market,visitors,conversions"]
    for d in range(days):
        day = (start + timedelta(days=d)).isoformat()
        for market in markets:
            for arm, v in visitors.items():
                lines.append(f"{day},{arm},{market},{v},{conversions[arm]}")
    return "\n".join(lines) + "\n"
