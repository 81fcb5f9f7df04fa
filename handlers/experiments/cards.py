"""Experiment replies: the card (plan, readout, verdict, market slices, decision buttons), the chart
that follows it, and the list. The card's lines are built in handlers/experiments/lines.py."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from handlers.core.card import (
    Card,
    Header,
    Inline,
    Line,
    Mention,
    Note,
    Row,
    Rows,
    Section,
    Strong,
    joined,
    person,
)
from handlers.core.charts import ConversionChart
from handlers.core.reply import Button, Reply, Text, Track, UpdateTracked, UploadFile, Visibility
from handlers.core.views import page_buttons
from handlers.experiments import lines
from models.experiments import experiment as exp_model
from models.experiments import queries
from models.experiments import result as results
from models.experiments.experiment import Decision, Experiment, ExpStatus, ListPage
from models.experiments.queries import ExperimentCard
from models.experiments.readout import Readout, Verdict

DECIDE_ACTION = "exp.decide"
PAGE_ACTION = "exp.page"
PAGE_SIZE = 10
EXAMPLE_CONVERSIONS = (330, 300, 310, 320, 340, 290)  # one per arm, for the "record results" hint
# The header's colour for each state (Lark shows it; the others ignore it).
STATE_COLOURS = {"draft": "grey", "running": "blue", "stopped": "orange", "shipped": "green"}

# An experiment with its counts, read overall or for one market, and what its card names.
Reading = ExperimentCard


def reading(db: Session, item: Experiment, *, market: str | None = None) -> Reading:
    return queries.experiment_card(db=db, item=item, market=market)


def track(item: Experiment) -> Track:
    assert item.id is not None
    return Track(exp_model.ENTITY, item.id)


def card(
    seen: Reading,
    *,
    notice: Text | list[Text] | None = None,
    visibility: Visibility = Visibility.EPHEMERAL,
    replace_original: bool = False,
) -> Reply:
    notices = [notice] if isinstance(notice, Text) else list(notice or [])
    return Reply(
        "exp_card",
        card=experiment_card(seen, notices=notices),
        buttons=decision_buttons(seen.item, seen.readout, ship=not seen.ship_blocked) if not seen.market else [],
        visibility=visibility,
        replace_original=replace_original,
    )


def experiment_card(seen: Reading, *, notices: list[Text] | None = None) -> Card:
    """Plan, readout, verdict, market slices and decision: one experiment, overall or for one market."""
    item, readout, market = seen.item, seen.readout, seen.market
    status = Text(f"exp.state.{item.status}")
    about: list[Line] = [status, [Text("exp.label.metric"), ": ", item.metric]]
    if item.market_list:
        about.append(", ".join(item.market_list))
    if seen.requirement:
        about.append(seen.requirement)
    about.append([Text("exp.label.requester"), " ", _who(seen, item.requester_id)])
    results_shown = lines.result_lines(readout, alpha=item.alpha)
    source = lines.source_line(seen.counts)
    parts: list[Any] = [
        Note((joined(about),)),
        Note((Text("exp.label.market_view", {"market": market}),)) if market else None,
        Rows(tuple(Row(line) for line in lines.plan_lines(item)), title=Text("exp.label.plan")),
    ]
    if results_shown:
        title: Line = [Text("exp.label.results"), " · ", source] if source else Text("exp.label.results")
        parts.append(Rows(tuple(Row(line) for line in results_shown), title=title))
    guards = lines.guard_lines(seen.guards)
    if guards:  # before the headline: a win with a breached guardrail is not "ship"
        parts.append(Rows(tuple(Row(line) for line in guards), title=Text("exp.label.guardrails")))
    verdict = lines.verdict_text(item, readout, market=market)
    if seen.ship_blocked:
        verdict = Text("exp.verdict.win_guarded", {"verdict": verdict})
    parts.append(Section((verdict,), mark="verdict"))
    if not results_shown and not market:
        if item.kind == "mean":
            example = " ".join(
                f"{arm}=10000/{26_000 + 500 * i}/{1_985_000 + 40_000 * i}" for i, arm in enumerate(item.arms)
            )
            parts.append(Note((Text("exp.no_results_mean", {"key": item.key, "example": example}),)))
        else:
            example = " ".join(f"{arm}=10000/{c}" for arm, c in zip(item.arms, EXAMPLE_CONVERSIONS, strict=False))
            parts.append(Note((Text("exp.no_results", {"key": item.key, "example": example}),)))
    notes = lines.notes(item, readout, seen.counts, market)
    if notes:
        parts.append(Note(tuple(notes)))
    slices = [] if market else lines.slice_lines(item, seen.counts)
    if slices:
        parts.append(Rows(tuple(Row(line) for line in slices), title=Text("exp.label.slices")))
        hidden = len(seen.counts.markets()) - lines.SLICES_SHOWN
        more = Text("exp.slices_more", {"n": hidden, "key": item.key}) if hidden > 0 else None
        shown = min(len(seen.counts.markets()), lines.SLICES_SHOWN)
        tests = shown * (len(item.arms) - 1)
        across = {
            "markets": shown,
            "arms": len(item.arms) - 1,
            "tests": tests,
            "alpha": lines.short(item.alpha / tests),
        }
        caution = Text("exp.slice.caution", across)
        parts.append(Note(tuple(x for x in (caution, more) if x is not None)))
    decision = lines.decision_text(item)
    if decision:
        parts.append(Note(([decision, " · ", Text("exp.label.decided_by"), " ", _who(seen, item.decided_by)],)))
    return Card(
        summary=Text("exp.fallback", {"key": item.key, "name": item.name, "status": status}),
        header=Header(f"{item.key} · {item.name}", STATE_COLOURS.get(item.status, "blue")),
        parts=tuple(p for p in parts if p is not None),
        notice=tuple(notices or ()),
    )


def _who(seen: Reading, member_id: int | None) -> Inline:
    if member_id is None or member_id not in seen.people:
        return person(None)
    ref, name = seen.people[member_id]
    return Mention(ref, name)


def changed(db: Session, item: Experiment, notices: list[Text], *, replace_original: bool = False) -> Reply:
    """The card with what just happened, for the person who did it; the tracked card is redrawn too."""
    seen = reading(db, item)
    answer = card(seen, notice=notices, visibility=Visibility.CHANNEL, replace_original=replace_original)
    tracked = Reply(answer.kind, card=experiment_card(seen), buttons=answer.buttons, visibility=Visibility.CHANNEL)
    answer.effects.append(UpdateTracked(track(item), tracked))
    return answer


def chart_effect(db: Session, seen: Reading) -> list[UploadFile]:
    """The cumulative-conversion chart, drawn after the ack, when there are daily rows. A chart already
    drawn for this data version is not drawn again."""
    item = seen.item
    if seen.counts.source != "daily" or item.id is None:
        return []
    version = (item.workspace_id, item.id, item.data_version, seen.market or "")
    suffix = f"-{seen.market}" if seen.market else ""
    series = tuple(results.daily_series(db=db, experiment_id=item.id, market=seen.market))
    needed = () if seen.market else tuple(item.needed)  # a slice's sample is no plan: nothing is marked
    caption = {"key": item.key + suffix, "level": lines.pct(1 - item.alpha, 0),
               "kind": Text(f"exp.line.kind.{item.method}")}  # fmt: skip
    heading = Text("exp.chart.heading", caption)
    content = ConversionChart(version, series, tuple(item.arms), item.alpha, f"{item.key}{suffix}", heading, needed,
                              item.method, tuple(item.split))  # fmt: skip
    return [UploadFile(filename=f"{item.key}{suffix}.png", content=content, title=Text("exp.chart.title", caption))]


def decision_buttons(item: Experiment, readout: Readout, *, ship: bool = True) -> list[Button]:
    if item.decision is not None or item.status == ExpStatus.SHIPPED or not readout.decidable:
        return []
    choices = [Decision.STOP] if readout.verdict is Verdict.SRM else [Decision.SHIP, Decision.STOP, Decision.EXTEND]
    if not ship:
        choices = [d for d in choices if d is not Decision.SHIP]
    payload = {"id": item.id, "v": item.data_version, "x": item.extensions}
    styles = {Decision.SHIP: "primary", Decision.STOP: "danger"}
    return [
        Button(Text(f"exp.decide.{d.value}"), DECIDE_ACTION, {**payload, "d": d.value}, style=styles.get(d))
        for d in choices
    ]


def list_page(
    found: ListPage,
    *,
    page: int,
    filters: dict[str, Any],
    readouts: dict[int | None, Readout] | None = None,
    replace_original: bool = False,
) -> Reply:
    buttons = page_buttons(PAGE_ACTION, page, found.more, f=filters)
    card = list_card(found, page, readouts or {})
    return Reply("exp_list", card=card, buttons=buttons, replace_original=replace_original)


def list_card(found: ListPage, page: int, readouts: dict[int | None, Readout] | None = None) -> Card:
    """A page of experiments, newest first: each with its state, what its data says now (when it has
    started), metric, markets and planned sample."""
    title = Text("exp.list_title")
    if not found.items:
        return Card(summary=title, header=Header(title), parts=(Section((Text("exp.list_empty"),)),))
    first = (page - 1) * PAGE_SIZE + 1
    total = f"{found.total}+" if found.capped else found.total
    counted = Text("common.page", {"first": first, "last": first + len(found.items) - 1, "total": total})
    readouts = readouts or {}
    rows = tuple(
        Row([Strong(e.key), " ", e.name], [*_state(e, readouts.get(e.id)), " · ", _list_line(e)]) for e in found.items
    )
    scope: list[Inline] = [counted, " · ", Text("exp.list_newest")]
    return Card(summary=[title, " · ", counted], header=Header(title), parts=(Note((scope,)), Rows(rows)))


def _state(e: Experiment, readout: Readout | None) -> list[Inline]:
    """`running, variant ahead`: the state, and the verdict of its data while nobody has decided."""
    state: list[Inline] = [Text(f"exp.state.{e.status}")]
    if readout is not None and e.decision is None:
        state += [" · ", Text(f"exp.list.verdict.{readout.verdict.value}", {"arm": readout.lead or ""})]
    return state


def _list_line(e: Experiment) -> Text:
    return Text(
        "exp.list.line",
        {
            "metric": e.metric,
            "markets": ", ".join(e.market_list) or "—",
            "needed": lines.whole(max(e.needed)),
            "arms": len(e.arms),
        },
    )
