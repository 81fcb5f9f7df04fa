"""Helpers shared by the economics tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

# The two worked examples of test_landed_cost.py, typed as a PM would.
TEE = "/cost add TEE-01 purchase=23.50 currency=CNY weight=0.42kg dims=30x20x5cm"
TEE_DE = (
    "/cost lane TEE-01 market=DE channel=sea freight=1200/cbm duty=12% hs=6109100010 vat=19% referral=15% "
    "fulfilment=3.40 storage=0.12 ads=8% returns=6% price=24.99 price_currency=EUR"
)
LAMP = "/cost add LAMP-2 purchase=45 currency=CNY weight=0.8kg dims=25x20x15cm"
LAMP_US = (
    "/cost lane LAMP-2 market=US channel=air freight=38/kg duty=25% referral=15% fba=5.40 storage=0.20 "
    "ads=10% returns=5% price=29.99"
)


def squash(text: str) -> str:
    """Runs of white space as one space, so that assertions do not depend on column widths."""
    return " ".join(text.split())


def count(engine: Any, table: type[SQLModel]) -> int:
    with Session(engine) as db:
        return int(db.exec(select(func.count()).select_from(table)).one())
