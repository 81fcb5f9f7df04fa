"""The customs fees each market charges at import, read from models/costs/schedules/customs.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

SCHEDULE = Path(__file__).with_name("schedules") / "customs.toml"


@dataclass(frozen=True)
class Mpf:
    pct: Decimal
    minimum: Decimal
    maximum: Decimal
    currency: str
    since: date  # the day these figures apply from
    source: str


@dataclass(frozen=True)
class CustomsFees:
    mpf: Mpf | None = None
    hmf_pct: Decimal = Decimal(0)
    hmf_since: date | None = None


NONE = CustomsFees()


@cache
def _schedule() -> dict[str, Any]:
    with SCHEDULE.open("rb") as handle:
        return tomllib.load(handle)


def _in_force(rows: list[dict[str, Any]], on: date | None) -> dict[str, Any] | None:
    dated = sorted((r for r in rows if on is None or r["from"] <= on), key=lambda r: r["from"])
    return dated[-1] if dated else None


def fees_for(market: str, channel: str, on: date | None = None) -> CustomsFees:
    """The fees in force on `on` (the newest when None) for goods entering `market` by `channel`."""
    found = _schedule().get(market)
    if not found:
        return NONE
    mpf_row = _in_force(found.get("mpf", []), on)
    mpf = None
    if mpf_row is not None:
        mpf = Mpf(
            Decimal(mpf_row["pct"]),
            Decimal(mpf_row["minimum"]),
            Decimal(mpf_row["maximum"]),
            mpf_row["currency"],
            mpf_row["from"],
            mpf_row["source"],
        )
    hmf_row = _in_force(found.get("hmf", []), on)
    if hmf_row is None or channel not in hmf_row["channels"]:
        return CustomsFees(mpf)
    return CustomsFees(mpf, Decimal(hmf_row["pct"]), hmf_row["from"])
