"""Each marketplace's seller fees, shipped as data with their source and date
(models/costs/schedules/amazon-<market>.toml), and read into plain values."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from models.costs.landed_cost import RefundAdmin

FOLDER = Path(__file__).with_name("schedules")


@dataclass(frozen=True)
class Schedule:
    marketplace: str
    market: str
    currency: str
    since: date
    source: str
    refund_admin: RefundAdmin | None


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _read(path: Path) -> Schedule:
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    admin = raw.get("refund_admin")
    return Schedule(
        marketplace=raw["marketplace"],
        market=raw["market"],
        currency=raw["currency"],
        since=raw["since"],
        source=raw["source"],
        refund_admin=RefundAdmin(Decimal(admin["pct"]), _decimal(admin.get("cap"))) if admin else None,
    )


@cache
def schedules() -> dict[str, Schedule]:
    """Every shipped schedule, by market."""
    found = (_read(path) for path in sorted(FOLDER.glob("amazon-*.toml")))
    return {s.market: s for s in found}


def schedule_for(market: str) -> Schedule | None:
    return schedules().get(market)
