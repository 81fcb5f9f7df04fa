"""Supplier replies: the scorecard card, weights, the side-by-side comparison and the list."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlmodel import Session

from handlers.core.reply import Reply, Text, Visibility
from handlers.requirements.cards import people
from models.costs.cost import Sku
from models.money import percent
from models.requirements.requirement import Requirement
from models.suppliers import link as supplier_link
from models.suppliers import supplier as supplier_model
from models.suppliers.supplier import CRITERIA, Supplier, SupplierScore, weighted_total

HISTORY_SHOWN = 5
MAX_LISTED = 400


def total_text(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def weight_text(value: Decimal) -> str:
    return percent(value, digits=1)


def facts(supplier: Supplier) -> dict[str, Any]:
    rate = supplier.defect_rate
    return {
        "name": supplier.name,
        "category": supplier.category,
        "city": supplier.city,
        "lead_days": supplier.lead_days,
        "defects": Text(
            "supplier.defect_rate", {"rate": percent(rate), "defects": supplier.defects, "batch": supplier.batch}
        )
        if rate is not None
        else None,
        "certs": ", ".join(supplier.certs) if supplier.certs else None,
        "note": supplier.note,
    }


def scorecard(row: SupplierScore | None, weights: dict[str, Decimal]) -> dict[str, Any] | None:
    if row is None:
        return None
    scores = row.scores()
    return {
        "total": total_text(weighted_total(scores, weights)),
        "lines": [
            {"criterion": Text(f"supplier.criterion.{c}"), "score": scores[c], "weight": weight_text(weights[c])}
            for c in CRITERIA
        ],
    }


def card(db: Session, supplier: Supplier, *, notice: Text | None = None) -> Reply:
    assert supplier.id is not None
    weights = supplier_model.weights(db=db, workspace_id=supplier.workspace_id)
    history = supplier_model.score_history(db=db, supplier_id=supplier.id, limit=HISTORY_SHOWN)
    who = people(db, [h.scored_by for h in history])
    return Reply(
        "supplier_card",
        {
            "supplier": facts(supplier),
            "scorecard": scorecard(history[0] if history else None, weights),
            "history": [
                {
                    "at": h.scored_at,
                    "who": who.get(h.scored_by) if h.scored_by else None,
                    "total": total_text(weighted_total(h.scores(), weights)),
                    "scores": "/".join(str(h.scores()[c]) for c in CRITERIA),
                    "note": h.note,
                }
                for h in history
            ],
            "links": _links(db, supplier.id),
            "notice": notice,
        },
        visibility=Visibility.EPHEMERAL,
    )


def weights_reply(weights: dict[str, Decimal], *, notice: Text | None = None) -> Reply:
    lines = [{"criterion": Text(f"supplier.criterion.{c}"), "weight": weight_text(weights[c])} for c in CRITERIA]
    return Reply("supplier_weights", {"lines": lines, "notice": notice})


def compare_reply(db: Session, suppliers: list[Supplier], weights: dict[str, Decimal]) -> Reply:
    latest = supplier_model.latest_scores(db=db, supplier_ids=[s.id for s in suppliers if s.id is not None])
    ranked = sorted(
        suppliers,
        key=lambda s: (s.id not in latest, -weighted_total(latest[s.id].scores(), weights) if s.id in latest else 0),
    )
    rows = []
    for rank, supplier in enumerate(ranked, start=1):
        row = latest.get(supplier.id or 0)
        rows.append(
            {
                "rank": rank if row else None,
                "name": supplier.name,
                "total": total_text(weighted_total(row.scores(), weights)) if row else None,
                "facts": facts(supplier),
            }
        )
    criteria = []
    for c in CRITERIA:
        cells = [{"name": s.name, "score": latest[s.id].scores()[c] if s.id in latest else None} for s in ranked]
        best = max((cell["score"] for cell in cells if cell["score"] is not None), default=None)
        criteria.append(
            {
                "criterion": Text(f"supplier.criterion.{c}"),
                "weight": weight_text(weights[c]),
                "cells": cells,
                "best": best,
            }
        )
    return Reply("supplier_compare", {"rows": rows, "criteria": criteria})


def list_reply(db: Session, suppliers: list[Supplier], weights: dict[str, Decimal]) -> Reply:
    latest = supplier_model.latest_scores(db=db, supplier_ids=[s.id for s in suppliers if s.id is not None])
    items = [
        {
            "name": s.name,
            "category": s.category,
            "city": s.city,
            "total": total_text(weighted_total(latest[s.id].scores(), weights)) if s.id in latest else None,
        }
        for s in suppliers[:MAX_LISTED]
    ]
    return Reply("supplier_list", {"items": items, "more": max(len(suppliers) - MAX_LISTED, 0)})


def _links(db: Session, supplier_id: int) -> list[dict[str, Any]]:
    out = []
    for found in supplier_link.links_of(db=db, supplier_id=supplier_id):
        if found.requirement_id is not None:
            item = db.get(Requirement, found.requirement_id)
            target = item.key if item else "?"
        else:
            sku = db.get(Sku, found.sku_id)
            target = Text("supplier.sku_target", {"sku": sku.code if sku else "?"})
        out.append({"target": target, "role": Text(f"supplier.role.{found.role}")})
    return out
