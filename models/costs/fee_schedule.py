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

from models.costs.fba import FbaTable, SizeTier, WeightBand
from models.costs.landed_cost import RefundAdmin
from models.costs.referral import Band, ReferralRule

FOLDER = Path(__file__).with_name("schedules")


@dataclass(frozen=True)
class Schedule:
    marketplace: str
    market: str
    currency: str
    since: date
    source: str
    refund_admin: RefundAdmin | None
    referral: dict[str, ReferralRule]
    fba: FbaTable | None
    rate_card_checked: bool
    edited: tuple[str, ...] = ()  # the keys the workspace set its own figure for (models/costs/fee_override.py)


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _number(value: str) -> Decimal:
    """`"0.78"`, or a fraction such as `"16/139"`."""
    top, _, bottom = value.partition("/")
    return Decimal(top) / Decimal(bottom) if bottom else Decimal(top)


def _rule(category: str, raw: dict[str, Any]) -> ReferralRule:
    bands = tuple(Band(Decimal(b["pct"]), _decimal(b.get("up_to"))) for b in raw["bands"])
    return ReferralRule(category, bands, Decimal(raw.get("minimum", "0")), bool(raw.get("portion", False)))


def _tier(raw: dict[str, Any]) -> SizeTier:
    bands = tuple(
        WeightBand(
            Decimal(b["up_to"]),
            Decimal(b["fee"]),
            _decimal(b.get("over")),
            _decimal(b.get("step")),
            Decimal(b.get("per_step", "0")),
        )
        for b in raw["bands"]
    )
    return SizeTier(
        key=raw["key"],
        longest=Decimal(raw["longest"]),
        median=Decimal(raw["median"]),
        shortest=Decimal(raw["shortest"]),
        max_weight=Decimal(raw["max_weight"]),
        bands=bands,
        storage=raw["storage"],
        girth=_decimal(raw.get("girth")),
        dim_weight=bool(raw.get("dim_weight", False)),
    )


def _fba(raw: dict[str, Any] | None) -> FbaTable | None:
    if raw is None:
        return None
    storage = {kind: {season: Decimal(v) for season, v in rates.items()} for kind, rates in raw["storage"].items()}
    return FbaTable(
        length_unit=raw["length_unit"],
        weight_unit=raw["weight_unit"],
        dim_factor=_number(raw["dim_factor"]),
        tiers=tuple(_tier(t) for t in raw["tiers"]),
        storage=storage,
        storage_unit=raw["storage_unit"],
        peak_months=frozenset(raw["peak_months"]),
    )


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
        referral={key: _rule(key, rule) for key, rule in raw.get("referral", {}).items()},
        fba=_fba(raw.get("fba")),
        rate_card_checked=bool(raw.get("rate_card_checked", False)),
    )


@cache
def schedules() -> dict[str, Schedule]:
    """Every shipped schedule, by market."""
    found = (_read(path) for path in sorted(FOLDER.glob("amazon-*.toml")))
    return {s.market: s for s in found}


def schedule_for(market: str) -> Schedule | None:
    return schedules().get(market)
