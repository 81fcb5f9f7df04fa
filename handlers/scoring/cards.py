"""Score cards: a requirement's score with its formulas, its score history a page at a time, the
ranked backlog and the market weights; and the score lines other cards show."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlmodel import Session

from handlers.core.card import (
    Card,
    Faint,
    Header,
    Inline,
    Line,
    Note,
    Row,
    Rows,
    Section,
    Strong,
    When,
    joined,
    person,
)
from handlers.core.reply import Button, Reply, Text, Visibility
from models.requirements.requirement import RequirementView
from models.scoring import queries as score_queries
from models.scoring import rice as math
from models.scoring import score as score_model
from models.scoring.queries import TREND_SHOWN, HistoryPage, ScoreView
from models.scoring.ranking import By, Ranked, RankedPage
from models.scoring.rice import RiceInputs
from models.scoring.score import Current

TOP_ACTION = "score.page"
HISTORY_ACTION = "score.history_page"
HISTORY_PAGE_SIZE = 20
TOP_TITLE_MAX = 80  # a ranked line shows the start of a long title, so that a page of 50 fits one card
COLOUR = "purple"


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
    score = score_queries.of(db=db, workspace_id=item.workspace_id, found=found)
    was = {m: _shown_value(m, old) for m, (old, new) in (moved or {}).items() if old is not None and old != new}
    return Reply("score_card", card=score_card(view, score, was=was, notice=notice), visibility=visibility)


def score_card(
    view: RequirementView, score: ScoreView | None, *, was: dict[str, str] | None = None, notice: Text | None = None
) -> Card:
    """`RICE 4,266.7 = 4,000 × 2 × 80% ÷ 1.5 (was 1,600)`, ICE and MoSCoW likewise, each as it stands."""
    item, was = view.item, was or {}
    data = score_data(score)
    parts: list[Section] = []
    if not data:
        parts.append(Section((Text("score.not_scored"),)))
    else:
        if data["rice"]:
            rice = data["rice"]
            lines: list[Line] = [[Strong(f"RICE {rice['value']}"), " = ", rice["formula"], *_was(was, "rice")]]
            if rice["split"]:
                lines.append(Text("score.by_market", {"split": rice["split"]}))
            if rice["weighted"]:
                lines.append(Text("score.weighted", {"value": rice["weighted"]}))
            parts.append(Section(tuple(lines)))
        if data["ice"]:
            ice = data["ice"]
            average = Text("score.ice_average", {"value": ice["average"]})
            parts.append(
                Section(([Strong(f"ICE {ice['value']}"), " = ", ice["formula"], " · ", average, *_was(was, "ice")],))
            )
        if data["moscow"]:
            parts.append(Section(([Strong("MoSCoW"), " ", Text(f"moscow.{data['moscow']}"), *_was(was, "moscow")],)))
    return Card(
        summary=[item.key, " · ", Text("score.label"), ": ", score_line(data)],
        header=Header(f"{item.key} · {item.title}", COLOUR),
        parts=tuple(parts),
        notice=(notice,) if notice else (),
    )


def _was(was: dict[str, str], method: str) -> list[Inline]:
    """` (was 1,600)`, quieter than the value it follows."""
    if not was.get(method):
        return []
    value: str | Text = Text(f"moscow.{was[method]}") if method == "moscow" else was[method]
    return [" ", Faint(["(", Text("score.was", {"value": value}), ")"])]


# ---- /score history ---------------------------------------------------------------------------------


def history_reply(view: RequirementView, found: HistoryPage, *, replace_original: bool = False) -> Reply:
    buttons = []
    state = {"id": view.item.id}
    if found.offset > 0:
        previous = max(0, found.offset - HISTORY_PAGE_SIZE)
        buttons.append(Button(Text("common.prev_page"), HISTORY_ACTION, {**state, "o": previous}))
    if found.more:
        following = found.offset + HISTORY_PAGE_SIZE
        buttons.append(Button(Text("common.next_page"), HISTORY_ACTION, {**state, "o": following}))
    return Reply(
        "score_history", card=history_card(view.item.key, found), buttons=buttons, replace_original=replace_original
    )


def history_card(key: str, found: HistoryPage) -> Card:
    """Every re-score, newest first: `2026-01-02 09:30 @li RICE 4,266.7 = 4,000 × 2 × 80% ÷ 1.5`."""
    title = [key, " · ", Text("score.history.title")]
    rows = tuple(Row(history_line(e, found.people)) for e in found.entries)
    counted = None
    if rows:
        first = found.offset + 1
        counted = Note((Text("common.page", {"first": first, "last": first + len(rows) - 1, "total": found.total}),))
    parts = (counted, Rows(rows, empty=Text("score.history.empty")))
    return Card(summary=title, header=Header(title, COLOUR), parts=tuple(p for p in parts if p is not None))


def history_line(entry: score_model.ScoreEntry, people: dict[int, tuple[str, str | None]]) -> Line:
    shown = _shown_value(entry.method, entry.value)
    value: str | Text = Text(f"moscow.{shown}") if entry.method == "moscow" else shown
    method = "MoSCoW" if entry.method == "moscow" else entry.method.upper()
    who = people.get(entry.actor_id) if entry.actor_id else None
    line: list[Inline] = [When(entry.at), " ", person({"ref": who[0], "name": who[1]} if who else None), " "]
    line.append(Strong([method, " ", value]))
    inputs = _inputs_text(entry.method, entry.inputs)
    if inputs:
        line += [" = ", inputs]
    return line


# ---- /score top ---------------------------------------------------------------------------------------


def top_reply(
    page: RankedPage, *, by: By, market: str | None, size: int, offset: int, replace_original: bool = False
) -> Reply:
    buttons = []
    state = {"b": by.value, "m": market, "n": size}
    if offset > 0:
        buttons.append(Button(Text("common.prev_page"), TOP_ACTION, {**state, "o": max(0, offset - size)}))
    if page.more:
        buttons.append(Button(Text("common.next_page"), TOP_ACTION, {**state, "o": offset + size}))
    drawn = top_card(page, by=by, market=market, offset=offset)
    return Reply("score_top", card=drawn, buttons=buttons, replace_original=replace_original)


def top_card(page: RankedPage, *, by: By, market: str | None, offset: int) -> Card:
    """A page of the ranked backlog: `1. REQ-12 title — 4,266.7 · Must · triaged · @li`."""
    title = Text("score.top.title")
    scope: list[Line] = [Text(f"score.top.by_{by.value}")]
    if market:
        scope.append(Text("score.top.in_market", {"market": market}))
    if page.weight is not None:
        scope.append(Text("score.top.market_weight", {"market": market, "weight": math.plain(page.weight)}))
    parts: list[Any] = []
    if page.items:
        total = f"{page.total}+" if page.capped else page.total
        last = offset + len(page.items)
        counts = Text("score.top.counts", {"first": offset + 1, "last": last, "total": total})
        parts.append(Note((joined([*scope, counts]),)))
        parts.append(Rows(tuple(Row(_ranked_line(r)) for r in page.items)))
    else:
        parts.append(Note((joined(scope),)))
        parts.append(Section((Text("score.top.empty"),)))
    share = page.budget.must_share
    if share is not None:
        percent = f"{math.quantize(share * 100, Decimal(1))}%"
        budget: list[Inline] = [
            Text("score.top.budget_over" if page.budget.over else "score.top.budget_ok", {"share": percent})
        ]
        if page.budget.without_effort:
            budget += [" ", Text("score.top.budget_missing", {"count": page.budget.without_effort})]
        parts.append(Note((budget,)))
    return Card(summary=[title, " · ", *joined(scope)], header=Header(title, COLOUR), parts=tuple(parts))


def _ranked_line(row: Ranked) -> Line:
    value: Line = math.shown(row.value) if row.value is not None else Text("score.not_scored")
    line: list[Inline] = [
        f"{row.rank}. ",
        Strong(row.key),
        " ",
        clipped(row.title, TOP_TITLE_MAX),
        " — ",
        Strong(value),
    ]
    if row.moscow:
        line += [" · ", Text(f"moscow.{row.moscow}")]
    line += [" · ", Text(f"status.{row.status}")]
    if row.owner:
        line += [" · ", person({"ref": row.owner[0], "name": row.owner[1]})]
    return line


def clipped(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---- /pm markets --------------------------------------------------------------------------------------


def weights_card(weights: dict[str, Decimal], *, notice: Text | None = None) -> Card:
    """Each market's weight and its share of them all, heaviest first, and how weighted RICE uses them."""
    total = sum(weights.values(), Decimal(0))
    rows = []
    for market, weight in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0])):
        share = f"{math.quantize(weight / total * 100, Decimal(1))}%" if total else "0%"
        rows.append(Row([Strong(market), f" {math.plain(weight)} ({share})"]))
    title = Text("pm.markets.title")
    return Card(
        summary=title,
        header=Header(title, "turquoise"),
        parts=(Rows(tuple(rows), empty=Text("pm.markets.empty")), Note((Text("pm.markets.rule"),))),
        notice=(notice,) if notice else (),
    )


def _shown_value(method: str, value: str | None) -> str:
    """A stored value as shown; MoSCoW stays a code ("none" when cleared) that the card translates."""
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
