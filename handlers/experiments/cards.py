"""Experiment replies: the card (plan, readout, verdict, market slices, decision buttons), the chart
that follows it, and the list. The card's lines are built in handlers/experiments/lines.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from handlers.core.reply import Button, Reply, Text, Track, UpdateTracked, UploadFile, Visibility
from handlers.experiments import lines
from handlers.experiments.chart import cached, chart_png
from models.experiments import experiment as exp_model
from models.experiments import result as results
from models.experiments.experiment import Decision, Experiment, ExpStatus, ListPage
from models.experiments.readout import Readout, Verdict
from models.experiments.result import Counts
from models.requirements import requirement as req_model
from models.workspace import names_of

DECIDE_ACTION = "exp.decide"
PAGE_ACTION = "exp.page"
PAGE_SIZE = 10
EXAMPLE_CONVERSIONS = (330, 300, 310, 320, 340, 290)  # one per arm, for the "record results" hint


@dataclass(frozen=True)
class Reading:
    """An experiment with its counts, read overall or for one market."""

    item: Experiment
    counts: Counts
    market: str | None
    readout: Readout


def reading(db: Session, item: Experiment, *, market: str | None = None) -> Reading:
    assert item.id is not None
    found = results.counts(db=db, experiment_id=item.id)
    return Reading(item, found, market, lines.readout_of(item, found, market))


def track(item: Experiment) -> Track:
    assert item.id is not None
    return Track(exp_model.ENTITY, item.id)


def card(
    db: Session,
    seen: Reading,
    *,
    notice: Text | list[Text] | None = None,
    visibility: Visibility = Visibility.EPHEMERAL,
    replace_original: bool = False,
) -> Reply:
    item, readout = seen.item, seen.readout
    who = {
        i: {"ref": ref, "name": name}
        for i, (ref, name) in names_of(db=db, member_ids=[item.requester_id, item.decided_by]).items()
    }
    data: dict[str, Any] = {
        "key": item.key,
        "name": item.name,
        "status": Text(f"exp.state.{item.status}"),
        "metric": item.metric,
        "markets": ", ".join(item.market_list),
        "requirement": _requirement_key(db, item),
        "requester": who.get(item.requester_id),
        "plan": lines.plan_lines(item),
        "example": " ".join(f"{arm}=10000/{c}" for arm, c in zip(item.arms, EXAMPLE_CONVERSIONS, strict=False)),
        "market": seen.market,
        "source": lines.source_line(seen.counts),
        "results": lines.result_lines(readout),
        "verdict": lines.verdict_text(item, readout, market=seen.market),
        "notes": lines.notes(item, readout, seen.counts, seen.market),
        "slices": [] if seen.market else lines.slice_lines(item, seen.counts),
        "slices_more": 0,
        "decision": lines.decision_text(item),
        "decider": who.get(item.decided_by) if item.decided_by else None,
        "notice": [notice] if isinstance(notice, Text) else list(notice or []),
    }
    if not seen.market and len(seen.counts.markets()) > lines.SLICES_SHOWN:
        data["slices_more"] = len(seen.counts.markets()) - lines.SLICES_SHOWN
    return Reply(
        "exp_card",
        data,
        buttons=decision_buttons(item, readout) if not seen.market else [],
        visibility=visibility,
        replace_original=replace_original,
    )


def changed(db: Session, item: Experiment, notices: list[Text], *, replace_original: bool = False) -> Reply:
    """The card with what just happened, for the person who did it; the tracked card is redrawn too."""
    answer = card(
        db, reading(db, item), notice=notices, visibility=Visibility.CHANNEL, replace_original=replace_original
    )
    tracked = Reply(answer.kind, {**answer.data, "notice": []}, buttons=answer.buttons, visibility=Visibility.CHANNEL)
    answer.effects.append(UpdateTracked(track(item), tracked))
    return answer


def chart_effect(db: Session, seen: Reading) -> list[UploadFile]:
    """The cumulative-conversion chart, drawn after the ack, when there are daily rows. A chart already
    drawn for this data version is sent again without reading the daily series."""
    item = seen.item
    if seen.counts.source != "daily" or item.id is None:
        return []
    key = (item.workspace_id, item.id, item.data_version, seen.market or "")
    suffix = f"-{seen.market}" if seen.market else ""
    content = cached(key)
    if content is None:
        series = results.daily_series(db=db, experiment_id=item.id, market=seen.market)
        arms, alpha, title = list(item.arms), item.alpha, f"{item.key}{suffix}"
        content = lambda _t: chart_png(key, series, arms=arms, alpha=alpha, title=title)  # noqa: E731
    caption = {"key": item.key + suffix, "level": lines.pct(1 - item.alpha, 0)}
    return [UploadFile(filename=f"{item.key}{suffix}.png", content=content, title=Text("exp.chart.title", caption))]


def decision_buttons(item: Experiment, readout: Readout) -> list[Button]:
    if item.decision is not None or item.status == ExpStatus.SHIPPED or not readout.decidable:
        return []
    choices = [Decision.STOP] if readout.verdict is Verdict.SRM else [Decision.SHIP, Decision.STOP, Decision.EXTEND]
    payload = {"id": item.id, "v": item.data_version, "x": item.extensions}
    styles = {Decision.SHIP: "primary", Decision.STOP: "danger"}
    return [
        Button(Text(f"exp.decide.{d.value}"), DECIDE_ACTION, {**payload, "d": d.value}, style=styles.get(d))
        for d in choices
    ]


def list_page(found: ListPage, *, page: int, filters: dict[str, Any], replace_original: bool = False) -> Reply:
    buttons = []
    if page > 1:
        buttons.append(Button(Text("common.prev_page"), PAGE_ACTION, {"f": filters, "p": page - 1}))
    if found.more:
        buttons.append(Button(Text("common.next_page"), PAGE_ACTION, {"f": filters, "p": page + 1}))
    first = (page - 1) * PAGE_SIZE + 1 if found.items else 0
    items = [
        {
            "key": e.key,
            "name": e.name,
            "status": Text(f"exp.state.{e.status}"),
            "line": Text(
                "exp.list.line",
                {
                    "metric": e.metric,
                    "markets": ", ".join(e.market_list) or "—",
                    "needed": lines.whole(max(e.needed)),
                    "arms": len(e.arms),
                },
            ),
        }
        for e in found.items
    ]
    return Reply(
        "exp_list",
        {
            "items": items,
            "total": f"{found.total}+" if found.capped else found.total,
            "first": first,
            "last": first + len(items) - 1 if items else 0,
        },
        buttons=buttons,
        replace_original=replace_original,
    )


def _requirement_key(db: Session, item: Experiment) -> str | None:
    if item.requirement_id is None:
        return None
    found = req_model.get_by_id(db=db, workspace_id=item.workspace_id, requirement_id=item.requirement_id)
    return found.item.key if found else None
