"""Whether a workspace reclaims the VAT/GST it pays at import, and how long that cash is tied up.

A seller registered for VAT in the market pays import VAT at the border and deducts it in the next
VAT return: it is not a cost, but cash lent to the tax office until the return is refunded. A seller
who cannot reclaim it (not registered, or under a scheme without deduction) bears it as a cost.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from models import audit
from models.base import utcnow
from models.costs.fx import MoneySetting

DEFAULT_DAYS = 60  # a monthly return filed and refunded about a month after the month of import
MAX_DAYS = 730


@dataclass(frozen=True)
class ImportVat:
    reclaimed: bool = True
    days: int = DEFAULT_DAYS  # from paying it at import to getting it back, when reclaimed


RECLAIMED = ImportVat()


def import_vat(*, db: Session, workspace_id: int) -> ImportVat:
    found = db.get(MoneySetting, workspace_id)
    return ImportVat(found.import_vat_reclaimed, found.vat_reclaim_days) if found else RECLAIMED


def set_import_vat(*, db: Session, workspace_id: int, actor_id: int, setting: ImportVat) -> ImportVat:
    """Store the setting; returns the one it replaces."""
    found = db.get(MoneySetting, workspace_id) or MoneySetting(workspace_id=workspace_id)
    old = ImportVat(found.import_vat_reclaimed, found.vat_reclaim_days)
    found.import_vat_reclaimed, found.vat_reclaim_days = setting.reclaimed, setting.days
    found.updated_at = utcnow()
    db.add(found)
    audit.setting_changed(
        db=db,
        workspace_id=workspace_id,
        actor_id=actor_id,
        changes={
            "import_vat_reclaimed": [old.reclaimed, setting.reclaimed],
            "vat_reclaim_days": [old.days, setting.days],
        },
    )
    return old
