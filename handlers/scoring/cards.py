"""Score replies as plain data for the templates: the score card, the formula, and how a score moved."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlmodel import Session

from handlers.core.card import Line, joined
from handlers.core.reply import Reply, Text, Visibility
from models.requirements.requirement import RequirementView
from models.scoring import queries as score_queries
from models.scoring import rice as math
from models.scoring import score as score_model
from models.scoring.queries import TREND_SHOWN, ScoreView
from models.scoring.rice import RiceInputs
from models.scoring.score import Current


def rice_data(inputs: RiceInputs, value: Decimal | None, weighted: Decimal | None, weighted_on: bool) -> dict[str, Any]:
    split = " · ".join(f"{m} {math.shown(r)}" for m, r in sorted(inputs.reach_by_market.items()))
    return {
        "value": math.shown(value),
        "formula": (
            f"{math.shown(inputs.reach)} × {math.plain(inputs.impact)} × {inputs.confidence}%"
            f" ÷ {math.plain(inputs.effort)}"
        ),
        "impact": math.plain(inputs.impact),
        "impact_name": math.IMPACT_NAMES[inputs.impact],
        "confidence": inputs.confidence,
        "split": split,
        "weighted": math.shown(weighted) if weighted_on and weighted is not None else None,
    }


def ice_data(ice: tuple[int, int, int]) -> dict[str, Any]:
    return {
        "value": math.shown(math.ice(*ice)),
        "formula": f"{ice[0]} × {ice[1]} × {ice[2]}",
        "average": math.shown(math.ice_average(*ice)),
    }


def score_data(view: ScoreView | None) -> dict[str, Any] | None:
    """The score as cards show it, and how each method's value moved over the recent re-scores."""
    if view is None:
        return None
    found = view.current
    return {
        "rice": rice_data(found.rice, found.rice_value, found.weighted, view.weighted_on) if found.rice else None,
        "ice": ice_data(found.ice) if found.ice else None,
        "moscow": found.moscow,
        "trend": trend(view.recent),
    }


def trend(recent: list[score_model.ScoreEntry]) -> dict[str, list[str]]:
    """Each method's last values, oldest first ({"rice": ["1,600", "4,266.7"]}), for the methods that moved."""
    values: dict[str, list[str]] = {}
    for entry in recent:
        shown = values.setdefault(entry.method, [])
        if len(shown) < TREND_SHOWN:
            shown.append(_shown_value(entry.method, entry.value))
    return {m: list(reversed(v)) for m, v in values.items() if len(v) > 1}


def score_line(score: dict[str, Any] | None) -> Line:
    """`RICE 4,266.7 · weighted 3,900 · ICE 336 (average 7) · Must have`."""
    if not score:
        return Text("score.not_scored")
    parts: list[Line] = []
    if score["rice"]:
        parts.append(f"RICE {score['rice']['value']}")
        if score["rice"]["weighted"]:
            parts.append(Text("score.weighted", {"value": score["rice"]["weighted"]}))
    if score["ice"]:
        parts.append(
            [f"ICE {score['ice']['value']} (", Text("score.ice_average", {"value": score["ice"]["average"]}), ")"]
        )
    if score["moscow"]:
        parts.append(Text(f"moscow.{score['moscow']}"))
    return joined(parts)


def trend_line(score: dict[str, Any]) -> Line:
    """`RICE 1,600 → 4,266.7 · MoSCoW Could have → Must have`."""
    parts: list[Line] = []
    for method, values in score["trend"].items():
        if method == "moscow":
            parts.append(["MoSCoW ", *joined([Text(f"moscow.{v}") for v in values], " → ")])
        else:
            parts.append(f"{method.upper()} {' → '.join(values)}")
    return joined(parts)


def card(
    db: Session,
    view: RequirementView,
    found: Current | None,
    *,
    notice: Text | None = None,
    moved: dict[str, tuple[str | None, str | None]] | None = None,
    visibility: Visibility = Visibility.CHANNEL,
) -> Reply:
    item = view.item
    assert item.id is not None
    data = score_data(score_queries.of(db=db, workspace_id=item.workspace_id, found=found))
    was = {m: _shown_value(m, old) for m, (old, new) in (moved or {}).items() if old is not None and old != new}
    return Reply(
        "score_card",
        {"key": item.key, "title": item.title, "score": data, "was": was, "notice": notice},
        visibility=visibility,
    )


def history_reply(view: RequirementView, entries: list[score_model.ScoreEntry], who: dict[int, Any]) -> Reply:
    lines = [
        {
            "at": e.at,
            "actor": who.get(e.actor_id) if e.actor_id else None,
            "method": e.method,
            "value": _shown_value(e.method, e.value),
            "inputs": _inputs_text(e.method, e.inputs),
        }
        for e in entries
    ]
    return Reply("score_history", {"key": view.item.key, "title": view.item.title, "lines": lines})


def _shown_value(method: str, value: str | None) -> str:
    """A stored value as shown; MoSCoW stays a code ("none" when cleared) that templates translate."""
    if method == "moscow":
        return value or "none"
    if value is None:
        return "—"
    return math.shown(Decimal(value))


def _inputs_text(method: str, inputs: dict[str, Any]) -> str:
    if method == "rice" and inputs:
        text = f"{math.shown(inputs['reach'])} × {inputs['impact']} × {inputs['confidence']}% ÷ {inputs['effort']}"
        if inputs.get("by_market"):
            text += " (" + " · ".join(f"{m} {math.shown(r)}" for m, r in inputs["by_market"].items()) + ")"
        return text
    if method == "ice" and inputs:
        return f"{inputs['impact']} × {inputs['confidence']} × {inputs['ease']}"
    return ""
