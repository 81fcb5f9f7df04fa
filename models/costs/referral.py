"""A marketplace's referral fee for one category: price bands, each a percentage of the whole price
(Amazon US clothing: 5 % up to 15, 10 % up to 20, 17 % above) or of the portion of the price inside the
band (jewelry: 20 % of the first 250, 5 % of the rest), and a minimum per item. Pure Decimal math."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

HUNDRED = Decimal(100)
ZERO = Decimal(0)


@dataclass(frozen=True)
class Band:
    pct: Decimal
    up_to: Decimal | None = None  # the highest price in the band; None for the last


@dataclass(frozen=True)
class ReferralRule:
    category: str
    bands: tuple[Band, ...]
    minimum: Decimal = ZERO
    portion: bool = False  # each band's rate on the part of the price inside it

    def band_of(self, price: Decimal) -> Band:
        for band in self.bands:
            if band.up_to is None or price <= band.up_to:
                return band
        return self.bands[-1]

    def fee(self, price: Decimal) -> Decimal:
        if self.portion:
            fee, low = ZERO, ZERO
            for band in self.bands:
                high = price if band.up_to is None else min(price, band.up_to)
                if high > low:
                    fee += (high - low) * band.pct / HUNDRED
                low = band.up_to if band.up_to is not None else low
                if band.up_to is None or price <= band.up_to:
                    break
        else:
            fee = price * self.band_of(price).pct / HUNDRED
        return max(fee, self.minimum)

    def kinks(self) -> list[Decimal]:
        """The prices where the fee changes its rate: band edges, and where the minimum stops applying."""
        edges = [band.up_to for band in self.bands if band.up_to is not None]
        if self.minimum and self.bands[0].pct:
            edges.append(self.minimum * HUNDRED / self.bands[0].pct)
        return edges
