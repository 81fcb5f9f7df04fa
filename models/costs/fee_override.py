"""A workspace's own figures for lines of a marketplace fee schedule, laid over the shipped one.

Keys name one figure of models/costs/schedules/amazon-<market>.toml:
`referral.<category>` (a flat percentage for that category), `fba.<tier>-<up_to>` (the fee of the
weight band ending at up_to), `storage.<kind>-<season>` (a storage rate).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, Session, SQLModel, select

from models import audit
from models.base import UTCDateTime, utcnow
from models.costs.fee_schedule import Schedule, schedule_for
from models.costs.referral import Band
from models.money import DecimalText

KEY_MAX = 64


class FeeOverride(SQLModel, table=True):
    __tablename__ = "fee_override"

    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), primary_key=True))
    market: str = Field(primary_key=True, max_length=2)
    key: str = Field(primary_key=True, max_length=KEY_MAX)
    value: Decimal = Field(sa_column=Column(DecimalText(), nullable=False))
    updated_by: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("member.id")))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def known_key(schedule: Schedule, key: str) -> str | None:
    """What kind of figure `key` names in this schedule ("pct" or "amount"), or None when none."""
    return (
        "pct"
        if key.startswith("referral.") and key in keys_of(schedule)
        else "amount"
        if key in keys_of(schedule)
        else None
    )


def keys_of(schedule: Schedule) -> list[str]:
    found = [f"referral.{c}" for c in sorted(schedule.referral)]
    if schedule.fba is not None:
        found += [f"fba.{t.key}-{b.up_to.normalize():f}" for t in schedule.fba.tiers for b in t.bands]
        found += [f"storage.{k}-{s}" for k, rates in schedule.fba.storage.items() for s in rates]
    return found


def overrides(*, db: Session, workspace_id: int) -> dict[str, dict[str, Decimal]]:
    """The workspace's figures, by market and key."""
    rows = db.exec(select(FeeOverride).where(FeeOverride.workspace_id == workspace_id)).all()
    found: dict[str, dict[str, Decimal]] = {}
    for row in rows:
        found.setdefault(row.market, {})[row.key] = row.value
    return found


def set_override(
    *, db: Session, workspace_id: int, actor_id: int, market: str, key: str, value: Decimal | None
) -> Decimal | None:
    """Store (or with None, remove) the workspace's figure; returns the one it replaces."""
    row = db.get(FeeOverride, (workspace_id, market, key))
    old = row.value if row is not None else None
    if value is None:
        if row is not None:
            db.delete(row)
    else:
        row = row or FeeOverride(workspace_id=workspace_id, market=market, key=key, value=value)
        row.value, row.updated_by, row.updated_at = value, actor_id, utcnow()
        db.add(row)
    db.flush()
    audit.setting_changed(
        db=db,
        workspace_id=workspace_id,
        actor_id=actor_id,
        changes={f"fees.{market}.{key}": [_plain(old), _plain(value)]},
    )
    return old


def _plain(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def schedule_with(market: str, own: dict[str, Decimal] | None) -> Schedule | None:
    """The shipped schedule of `market` with the workspace's figures laid over it."""
    found = schedule_for(market)
    if found is None or not own:
        return found
    referral = dict(found.referral)
    fba = found.fba
    for key, value in own.items():
        head, _, rest = key.partition(".")
        parts = [head, *rest.split("-", 1)]
        if parts[0] == "referral" and parts[1] in referral:
            referral[parts[1]] = replace(referral[parts[1]], bands=(Band(value),), portion=False)
        elif parts[0] == "fba" and fba is not None and len(parts) == 3:
            tiers = tuple(
                replace(t, bands=tuple(replace(b, fee=value) if f"{b.up_to.normalize():f}" == parts[2] else b
                                       for b in t.bands))
                if t.key == parts[1]
                else t
                for t in fba.tiers
            )  # fmt: skip
            fba = replace(fba, tiers=tiers)
        elif parts[0] == "storage" and fba is not None and len(parts) == 3:
            storage = {k: dict(v) for k, v in fba.storage.items()}
            if parts[2] in storage.get(parts[1], {}):
                storage[parts[1]][parts[2]] = value
            fba = replace(fba, storage=storage)
    return replace(found, referral=referral, fba=fba, edited=tuple(sorted(own)))
