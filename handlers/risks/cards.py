"""Risk cards: one risk with its actions (and, in full, its watches, score trend, playbook and history),
a page of the register, the matrix, a playbook, threshold alerts, review reminders and the figures.

Each `*_card` function is pure: plain data in, a Card out. The thin wrappers read that data with one
query from models/risks/queries.py and return the Reply with its buttons."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from handlers.core.card import (
    Card,
    Code,
    Header,
    Inline,
    Line,
    Mention,
    Mono,
    Note,
    Row,
    Rows,
    Section,
    Strong,
    When,
    fields,
    flatten,
    joined,
    note,
)
from handlers.core.reply import Button, PostToChannel, Reply, Text, Track, UpdateTracked, Visibility
from handlers.core.views import page_buttons, page_note
from handlers.requirements.audit import audit_line
from handlers.risks.steps import Step, steps_of
from models.base import utcnow
from models.risks import indicator as ind_model
from models.risks import queries
from models.risks.grid import ALERT_BANDS, BAND_NAMES, band, matrix
from models.risks.indicator import Figure
from models.risks.mitigation import RiskMitigation
from models.risks.queries import AlertCard, Exposure, FigurePage, People, RiskCard, RiskPage, Watch
from models.risks.risk import Risk, RiskStatus, RiskView

ACK_ACTION = "risk.ack"
PLAYBOOK_ACTION = "risk.playbook"
ACCEPT_ACTION = "risk.accept"
RAISE_ACTION = "risk.raise"
REVIEWED_ACTION = "risk.reviewed"
PAGE_ACTION = "risk.page"
FIGURE_PAGE_ACTION = "figure.page"
PAGE_SIZE = 10
FIGURE_PAGE_SIZE = 25
TRACK = "risk"
ALERT_TRACK = "risk_alert"

MARKS = {"low": "🟩", "medium": "🟨", "high": "🟧", "critical": "🟥"}  # a band at a glance
COLOURS = {"low": "green", "medium": "yellow", "high": "orange", "critical": "red"}  # the header's
BAND_RANGES = {"low": "1–4", "medium": "5–9", "high": "10–16", "critical": "20–25"}
TOKEN_EXAMPLE = '{"name": "fx.USDCNY", "value": 7.41}'


def money(amount: Decimal) -> str:
    return f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"


def number(value: Decimal) -> str:
    """A figure as it was typed (7.10 stays 7.10), never in exponent form."""
    return format(value, "f")


# ---- lines every risk card shares -------------------------------------------------------------------


def band_text(name: str) -> Text:
    return Text(f"risk.band.{name}")


def score_line(item: Risk) -> Text:
    params = {"likelihood": item.likelihood, "impact": item.impact, "score": item.score, "band": band_text(item.band)}
    return Text("risk.card.score_line", params)


def who_of(people: People, member_id: int | None) -> Inline:
    if member_id is None or member_id not in people:
        return "—"
    ref, name = people[member_id]
    return Mention(ref, name)


def exposure_text(exposure: Exposure) -> str:
    """What the exposure is in the workspace's currency when a rate is known, else as given."""
    if exposure.converted is not None and exposure.target:
        return f"{exposure.target} {money(exposure.converted.amount)}"
    return f"{exposure.currency} {money(exposure.amount)}"


def exposure_line(exposure: Exposure | None) -> Line:
    if exposure is None:
        return Text("common.none")
    shown = exposure_text(exposure)
    if exposure.target is None:
        return shown
    given = f"{exposure.currency} {money(exposure.amount)}"
    if exposure.converted is None:
        why = Text("risk.exposure_no_rate", {"source": exposure.currency, "target": exposure.target})
    else:
        rate = exposure.converted.rate
        why = Text("risk.exposure_from", {"given": given, "rate": number(rate.value), "as_of": rate.as_of.isoformat()})
    return [shown, " (", why, ")"]


def overdue(item: Risk, today: date) -> bool:
    return bool(item.next_review and item.next_review < today and item.status != RiskStatus.CLOSED)


def review_line(item: Risk, today: date) -> Line:
    if item.status == RiskStatus.CLOSED:  # a closed risk is reviewed no more
        return Text("common.none")
    if item.review_every_days and item.next_review:
        line: list[Inline] = [
            Text("risk.card.review_every", {"days": item.review_every_days, "date": When(item.next_review)})
        ]
    elif item.next_review:
        line = [Text("risk.card.review_on", {"date": When(item.next_review)})]
    else:
        line = [Text("risk.card.review_none")]
    if overdue(item, today):
        line += [" · ", Text("risk.card.overdue")]
    return line


def unmitigated(item: Risk, actions: int) -> bool:
    return actions == 0 and item.band in ALERT_BANDS and item.status != RiskStatus.CLOSED


def state_lines(item: Risk, people: People) -> list[Line]:
    lines: list[Line] = []
    if item.acknowledged_by and item.acknowledged_by in people:
        lines.append(Text("risk.card.acknowledged", {"who": who_of(people, item.acknowledged_by)}))
    if item.decided_by and item.decided_by in people:
        lines.append(Text("risk.card.accepted", {"who": who_of(people, item.decided_by)}))
    if item.playbook_started_at is not None:
        lines.append(Text("risk.card.playbook_started"))
    if item.close_reason:
        lines.append(Text("risk.card.closed", {"reason": item.close_reason}))
    return lines


def action_line(action: RiskMitigation, people: People) -> Line:
    """`#2 ✓ book a second forwarder · @li · due 2030-02-01 · done`."""
    done = action.done_at is not None
    text: Line = Text(action.text_key) if action.text_key else (action.text or "")
    line: list[Inline] = [f"#{action.position} ", *(["✓ "] if done else []), *flatten(text)]
    if action.owner_id and action.owner_id in people:
        line += [" · ", who_of(people, action.owner_id)]
    if action.due:
        line += [" · ", Text("risk.card.due", {"date": When(action.due)})]
    if done:
        line += [" · ", Text("risk.card.done")]
    return line


def watch_line(watch: Watch) -> Line:
    now = Text("risk.card.now", {"value": number(watch.value)}) if watch.value is not None else None
    line: list[Inline] = [
        Text(
            "risk.card.watch_line",
            {
                "figure": watch.name,
                "direction": Text(f"risk.direction.{watch.direction}"),
                "threshold": number(watch.threshold),
            },
        ),
        " · ",
        now or Text("risk.card.no_value"),
    ]
    if watch.tripped:
        line += [" · ", Text("risk.card.past")]
    return line


def step_line(step: Step) -> Line:
    """A playbook step and when it is due after the start: `Call the backup forwarder (+1d)`."""
    if step.days is None:
        return step.text
    return [step.text, " (", Text("risk.playbook.due_in", {"days": step.days}), ")"]


# ---- the risk card ------------------------------------------------------------------------------------


def card(
    db: Session,
    view: RiskView,
    *,
    today: date,
    notice: Text | None = None,
    visibility: Visibility = Visibility.EPHEMERAL,
    detail: bool = False,
) -> Reply:
    """The risk card; `detail` adds its watches, score trend, the category's playbook and its history."""
    item = view.item
    assert item.id is not None
    data = queries.risk_card(db=db, view=view, detail=detail, on=utcnow().date())
    return Reply(
        "risk_card",
        card=risk_card(data, today=today, notice=notice),
        buttons=decision_buttons(item),
        visibility=visibility,
    )


def risk_card(data: RiskCard, *, today: date, notice: Text | None = None) -> Card:
    item, people = data.view.item, data.people
    none = Text("common.none")
    title = f"{item.key} · {item.title}"
    parts: list[Any] = [
        fields(
            (Text("risk.card.score"), score_line(item)),
            (Text("risk.field.category"), Text(f"risk.category.{item.category}")),
            (Text("risk.field.owner_id"), who_of(people, item.owner_id or item.reporter_id)),
            (Text("risk.card.status"), Text(f"risk.status.{item.status}")),
            (Text("risk.field.markets"), ", ".join(data.view.markets) or none),
            (Text("risk.field.exposure_amount"), exposure_line(data.exposure)),
            (Text("risk.field.review"), review_line(item, today)),
            (Text("risk.field.requirement_id"), data.requirement or none),
        )
    ]
    if unmitigated(item, len(data.actions)):
        parts.append(Section((Text("risk.card.unmitigated", {"band": band_text(item.band)}),), mark="warning"))
    parts.append(note(*state_lines(item, people)))
    if data.actions:
        rows = tuple(Row(action_line(a, people)) for a in data.actions)
        parts.append(Rows(rows, title=Text("risk.card.actions")))
    if data.detail:
        if data.watches:
            parts.append(Rows(tuple(Row(watch_line(w)) for w in data.watches), title=Text("risk.card.watches")))
        if len(data.scores) > 1:
            parts.append(Note(([Text("risk.card.scores"), ": ", " → ".join(str(s) for s in data.scores)],)))
        steps, _ = steps_of(item.category, data.own_playbook)
        if steps:
            playbook = Text("risk.card.playbook", {"category": Text(f"risk.category.{item.category}")})
            parts.append(Rows(tuple(Row(step_line(s)) for s in steps), title=playbook, numbered=True))
        if data.history:
            lines = tuple(audit_line(e, people) for e in data.history)
            parts.append(Note(lines, title=Text("common.history")))
    summary = Text(
        "risk.fallback", {"key": item.key, "title": item.title, "score": item.score, "band": band_text(item.band)}
    )
    return Card(
        summary=summary,
        header=Header(f"{MARKS[item.band]} {title}", COLOURS[item.band]),
        parts=tuple(p for p in parts if p is not None),
        notice=(notice,) if notice else (),
    )


def decision_buttons(item: Risk) -> list[Button]:
    """Acknowledge / Start playbook / Accept risk, as far as they still apply."""
    if item.status == RiskStatus.CLOSED:
        return []
    payload = {"id": item.id}
    buttons = []
    grave = item.band in ALERT_BANDS
    if grave and item.status == RiskStatus.OPEN and item.acknowledged_at is None:
        buttons.append(Button(Text("risk.button.ack"), ACK_ACTION, payload, style="primary"))
    if item.playbook_started_at is None:
        buttons.append(Button(Text("risk.button.playbook"), PLAYBOOK_ACTION, payload))
    if grave and item.status == RiskStatus.OPEN:
        buttons.append(Button(Text("risk.button.accept"), ACCEPT_ACTION, payload, style="danger"))
    return buttons


def posted_card(db: Session, view: RiskView, *, today: date, notice: Text | None = None) -> PostToChannel:
    """The card posted to the risk's channel and remembered, so that later changes redraw it."""
    item = view.item
    assert item.id is not None
    reply = card(db, view, today=today, notice=notice, visibility=Visibility.CHANNEL)
    return PostToChannel(reply, channel_ref=item.channel_ref, track=Track(TRACK, item.id))


def refreshed(db: Session, view: RiskView, *, today: date) -> UpdateTracked:
    """Redraw every card posted about the risk."""
    assert view.item.id is not None
    return UpdateTracked(Track(TRACK, view.item.id), card(db, view, today=today, visibility=Visibility.CHANNEL))


# ---- the register -------------------------------------------------------------------------------------


def list_page(found: RiskPage, *, page: int, filters: dict[str, Any], today: date) -> Reply:
    buttons = page_buttons(PAGE_ACTION, page, found.more, f=filters)
    return Reply("risk_list", card=list_card(found, page=page, today=today), buttons=buttons)


def list_card(found: RiskPage, *, page: int, today: date) -> Card:
    title = Text("risk.list_title")
    if not found.items:
        return Card(summary=title, header=Header(title), parts=(Section((Text("risk.list_empty"),)),))
    counted = page_note(page, PAGE_SIZE, len(found.items), found.total)
    rows = tuple(
        Row(
            [MARKS[i.view.item.band], " ", Strong(i.view.item.key), " ", i.view.item.title],
            summary_line(i, found.people, today),
        )
        for i in found.items
    )
    return Card(
        summary=[title, " · ", counted],
        header=Header(title),
        parts=(Note(([counted, " · ", Text("risk.list_order")],)), Rows(rows)),
    )


def summary_line(entry: queries.ListItem, people: People, today: date) -> Line:
    """`4 × 4 = 16 (high) · logistics · US · @ana · USD 120,000 · 1/3 actions done · Review overdue`."""
    item = entry.view.item
    parts: list[Line] = [score_line(item), Text(f"risk.category.{item.category}")]
    if entry.view.markets:
        parts.append(", ".join(entry.view.markets))
    owner = item.owner_id or item.reporter_id
    if owner in people:
        parts.append(who_of(people, owner))
    if entry.exposure is not None:
        parts.append(exposure_text(entry.exposure))
    if item.status != RiskStatus.OPEN:
        parts.append(Text(f"risk.status.{item.status}"))
    total, done = entry.actions
    if total:
        parts.append(Text("risk.card.actions_count", {"done": done, "total": total}))
    if overdue(item, today):
        parts.append([Text("risk.field.review"), " ", Text("risk.card.overdue")])
    if unmitigated(item, total):
        parts.append(["⚠️ ", Text("risk.card.unmitigated", {"band": band_text(item.band)})])
    return joined(parts)


# ---- the matrix ---------------------------------------------------------------------------------------


def matrix_reply(cells: list[tuple[int, int]], effects: list[Any]) -> Reply:
    return Reply("risk_matrix", card=matrix_card(cells), visibility=Visibility.CHANNEL, effects=effects)


def matrix_card(cells: list[tuple[int, int]]) -> Card:
    """The likelihood × impact grid as monospace text, each cell marked with its band, and the count per band."""
    grid = matrix(cells)
    lines = ["L\\I" + "".join(f"{i:>5}" for i in range(1, 6))]
    for likelihood in range(5, 0, -1):
        counts = (grid[likelihood - 1][i - 1] for i in range(1, 6))
        cell = "".join(f"{MARKS[band(likelihood * i)]}{count or '·':>2} " for i, count in enumerate(counts, 1))
        lines.append(f" {likelihood}  {cell}")
    by_band = dict.fromkeys(BAND_NAMES, 0)
    for likelihood, impact in cells:
        by_band[band(likelihood * impact)] += 1
    counts_line = joined(
        [
            [MARKS[name], " ", band_text(name), f" ({BAND_RANGES[name]}): {by_band[name]}"]
            for name in ("critical", "high", "medium", "low")
        ]
    )
    title = Text("risk.matrix.title")
    total = Text("risk.matrix.total", {"total": len(cells)}) if cells else Text("risk.matrix.empty")
    return Card(
        summary=[title, " · ", total],
        header=Header(title),
        parts=(Mono("\n".join(lines)), Note((Text("risk.matrix.legend"),)), Note((total, counts_line))),
    )


# ---- a playbook ---------------------------------------------------------------------------------------


def playbook_reply(category: str, steps: Sequence[Step], *, own: bool) -> Reply:
    return Reply("risk_playbook", card=playbook_card(category, steps, own=own))


def playbook_card(category: str, steps: Sequence[Step], *, own: bool) -> Card:
    heading = Text(
        "risk.playbook.title",
        {"category": Text(f"risk.category.{category}"), "name": Text(f"risk.playbook.{category}.name")},
    )
    whose = Text("risk.playbook.own" if own else "risk.playbook.builtin", {"category": category})
    return Card(
        summary=heading,
        header=Header(heading, "purple"),
        parts=(
            Rows(tuple(Row(step_line(s)) for s in steps), numbered=True),
            Note((whose, Text("risk.playbook.start_hint"))),
        ),
    )


# ---- threshold alerts and review reminders ----------------------------------------------------------


def alert_reply(db: Session, alert: ind_model.RiskAlert, view: RiskView, *, notice: Text | None = None) -> Reply:
    item = view.item
    buttons = []
    if alert.raised_at is None and item.likelihood < 5 and item.status != RiskStatus.CLOSED:
        buttons.append(
            Button(
                Text("risk.button.raise", {"to": item.likelihood + 1}),
                RAISE_ACTION,
                {"alert": alert.id, "id": item.id, "l": item.likelihood},
                style="primary",
            )
        )
    drawn = alert_card(queries.alert_card(db=db, alert=alert, view=view), notice=notice)
    return Reply("risk_alert", card=drawn, buttons=buttons, visibility=Visibility.CHANNEL)


def alert_card(data: AlertCard, *, notice: Text | None = None) -> Card:
    alert, item = data.alert, data.view.item
    headline = Text(
        "risk.alert.title",
        {
            "figure": alert.figure_name,
            "value": number(alert.value),
            "direction": Text(f"risk.direction.{alert.direction}"),
            "threshold": number(alert.threshold),
        },
    )
    now = Text(
        "risk.alert.now",
        {
            "likelihood": item.likelihood,
            "impact": item.impact,
            "score": item.score,
            "band": band_text(item.band),
            "owner": who_of(data.people, item.owner_id or item.reporter_id),
        },
    )
    raised = (
        Text("risk.alert.raised_by", {"who": who_of(data.people, alert.raised_by)})
        if alert.raised_by and alert.raised_by in data.people
        else None
    )
    return Card(
        summary=[headline, " · ", item.key],
        header=Header(["🚨 ", headline], "red"),
        parts=tuple(
            p
            for p in (
                Section((Text("risk.alert.risk", {"key": Strong(item.key), "title": item.title}),)),
                Note((now,)),
                note(raised),
            )
            if p is not None
        ),
        notice=(notice,) if notice else (),
    )


def review_due_reply(item: Risk, *, today: date) -> Reply:
    return Reply(
        "risk_review_due",
        card=review_due_card(item, today=today),
        buttons=[Button(Text("risk.button.reviewed"), REVIEWED_ACTION, {"id": item.id}, style="primary")],
    )


def review_due_card(item: Risk, *, today: date) -> Card:
    days = (today - item.next_review).days if item.next_review else 0
    due: Inline = When(item.next_review) if item.next_review else "—"

    def text(key: Inline) -> Text:
        return Text("risk.review_due.text", {"key": key, "title": item.title, "date": due, "days": days})

    hint = Text("risk.review_due.hint", {"score": item.score, "band": band_text(item.band), "key": item.key})
    return Card(summary=text(item.key), parts=(Section((["⏰ ", text(Strong(item.key))],)), Note((hint,))))


# ---- figures ------------------------------------------------------------------------------------------


def figure_page_reply(found: FigurePage, *, page: int, replace_original: bool = False) -> Reply:
    buttons = page_buttons(FIGURE_PAGE_ACTION, page, found.more)
    return Reply("figure_list", card=figure_card(found, page=page), buttons=buttons, replace_original=replace_original)


def figure_line(figure: Figure) -> Line:
    """`fx.USDCNY = 7.41 · 2026-01-02 09:30 · via HTTP`."""
    via = Text(f"pm.figure.via_{figure.source}")
    return [Code(figure.name), " = ", number(figure.value), " · ", When(figure.updated_at), " · ", via]


def figure_card(found: FigurePage, *, page: int) -> Card:
    title = Text("pm.figure.title")
    if not found.items:
        return Card(summary=title, header=Header(title), parts=(Section((Text("pm.figure.empty"),)),))
    counted = page_note(page, FIGURE_PAGE_SIZE, len(found.items), found.total)
    rows = tuple(Row(figure_line(f)) for f in found.items)
    return Card(summary=[title, " · ", counted], header=Header(title), parts=(Note((counted,)), Rows(rows)))


def token_reply(token: str) -> Reply:
    return Reply("figure_token", card=token_card(token))


def token_card(token: str) -> Card:
    title = Text("pm.figure.token_title")
    how = Text("pm.figure.token_how", {"example": Code(TOKEN_EXAMPLE)})
    return Card(
        summary=title,
        header=Header(title, "orange"),
        parts=(Section((Code(token),)), Note((Text("pm.figure.token_text"), how))),
    )
