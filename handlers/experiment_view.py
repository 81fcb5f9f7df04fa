"""Experiment replies: the card (plan, readout, verdict, market slices, decision buttons) and the list.

Every number is formatted here, once, for both front ends; a figure that is not finite is a bug and
raises instead of reaching a user as "nan".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from handlers.core.reply import Button, Reply, Text, Track, UpdateTracked, UploadFile, Visibility
from handlers.experiment_chart import cached, chart_png
from models import experiment as exp_model
from models import requirement as req_model
from models.ab_readout import ArmCounts, Problem, Readout, Verdict, read
from models.experiment import Counts, Decision, Experiment, ExpStatus, ListPage
from models.workspace import names_of

DECIDE_ACTION = "exp.decide"
PAGE_ACTION = "exp.page"
PAGE_SIZE = 10
SLICES_SHOWN = 12


@dataclass(frozen=True)
class Reading:
    """An experiment with its counts, read overall or for one market."""

    item: Experiment
    counts: Counts
    market: str | None
    readout: Readout


def reading(db: Session, item: Experiment, *, market: str | None = None) -> Reading:
    assert item.id is not None
    found = exp_model.counts(db=db, experiment_id=item.id)
    return Reading(item, found, market, readout_of(item, found, market))


def readout_of(item: Experiment, found: Counts, market: str | None) -> Readout:
    numbers = found.market(market, item.arms) if market else found.overall(item.arms)
    arms = [ArmCounts(arm, *numbers[arm]) for arm in item.arms]
    return read(arms, weights=item.split, needed=item.needed, alpha=item.alpha)


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
        "plan": plan_lines(item),
        "market": seen.market,
        "source": _source_line(seen.counts),
        "results": _result_lines(readout),
        "verdict": verdict_text(item, readout, market=seen.market),
        "notes": _notes(item, seen),
        "slices": [] if seen.market else _slice_lines(item, seen.counts),
        "slices_more": 0,
        "decision": _decision_text(item),
        "decider": who.get(item.decided_by) if item.decided_by else None,
        "notice": [notice] if isinstance(notice, Text) else list(notice or []),
    }
    if not seen.market and len(seen.counts.markets()) > SLICES_SHOWN:
        data["slices_more"] = len(seen.counts.markets()) - SLICES_SHOWN
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
        series = exp_model.daily_series(db=db, experiment_id=item.id, market=seen.market)
        arms, alpha, title = list(item.arms), item.alpha, f"{item.key}{suffix}"
        content = lambda: chart_png(key, series, arms=arms, alpha=alpha, title=title)  # noqa: E731
    caption = {"key": item.key + suffix, "level": _pct(1 - item.alpha, 0)}
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


def plan_lines(item: Experiment) -> list[Text]:
    target = item.baseline * (1 + item.mde) if item.mde_relative else item.baseline + item.mde
    mde = (
        Text("exp.plan.mde_relative", {"mde": _pct(item.mde, 1)})
        if item.mde_relative
        else Text("exp.plan.mde_absolute", {"mde": _num(item.mde * 100, 2)})
    )
    lines = [
        Text(
            "exp.plan.rates",
            {"baseline": _pct(item.baseline), "target": _pct(target), "mde": mde, "alpha": _short(item.alpha)},
        ),
    ]
    per_arm = [f"{arm} {_int(n)}" for arm, n in zip(item.arms, item.needed, strict=True)]
    if len(set(item.needed)) == 1:
        lines.append(
            Text(
                "exp.plan.needed_even",
                {"per_arm": _int(item.needed[0]), "total": _int(sum(item.needed)), "power": _pct(item.power, 0)},
            )
        )
    else:
        lines.append(
            Text(
                "exp.plan.needed",
                {"per_arm": " · ".join(per_arm), "total": _int(sum(item.needed)), "power": _pct(item.power, 0)},
            )
        )
    lines.append(Text("exp.plan.split", {"split": split_text(item.split), "arms": " / ".join(item.arms)}))
    if item.traffic_per_day:
        days = math.ceil(sum(item.needed) / item.traffic_per_day)
        lines.append(Text("exp.plan.days", {"days": _int(days), "traffic": _int(item.traffic_per_day)}))
    if len(item.arms) > 2:
        each = item.alpha / (len(item.arms) - 1)
        lines.append(Text("exp.plan.holm", {"n": len(item.arms) - 1, "alpha": _short(each)}))
    if item.extensions:
        lines.append(Text("exp.plan.extended", {"n": item.extensions}))
    return lines


def verdict_text(item: Experiment, readout: Readout, *, market: str | None = None) -> Text:
    verdict = readout.verdict
    if verdict is Verdict.NOT_READY:
        problem = readout.problem or Problem.NO_DATA
        return Text(f"exp.problem.{problem.value}", {"arms": list(readout.problem_arms), "key": item.key})
    params: dict[str, Any] = {"progress": _pct(min(readout.progress, 1.0), 0)}
    if verdict in (Verdict.WIN, Verdict.LOSS):
        lead = next(c for c in readout.comparisons if c.arm == readout.lead)
        params |= {"arm": lead.arm, "diff": _pp(lead.diff), "rel": _rel(lead.relative), "p": _p(lead.p_adjusted)}
    if verdict is Verdict.NO_EFFECT:
        params["mde"] = _pct(item.mde, 1) if item.mde_relative else f"{_num(item.mde * 100, 2)} pp"
    if verdict is Verdict.SRM:
        params["p"] = _p(readout.srm_p or 0.0)
    key = f"exp.verdict.{verdict.value}"
    return Text("exp.verdict.slice", {"market": market, "verdict": Text(key, params)}) if market else Text(key, params)


def split_text(weights: Sequence[float]) -> str:
    whole = sum(weights)
    return "/".join(_num(100 * w / whole, 1).removesuffix(".0") for w in weights)


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
                    "needed": _int(max(e.needed)),
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


# --- lines --------------------------------------------------------------------------------------


def _result_lines(readout: Readout) -> list[Text]:
    lines = [
        Text(
            "exp.line.arm",
            {
                "arm": a.name,
                "rate": _pct(a.rate),
                "low": _pct(a.low),
                "high": _pct(a.high),
                "conversions": _int(a.conversions),
                "visitors": _int(a.visitors),
            },
        )
        for a in readout.arms
    ]
    for c in readout.comparisons:
        params = {
            "arm": c.arm,
            "control": c.control,
            "diff": _pp(c.diff),
            "low": _pp(c.diff_low),
            "high": _pp(c.diff_high),
            "p": _p(c.p),
        }
        if c.relative is None:
            line = Text("exp.line.compare_no_relative", params)
        elif c.relative_low is None or c.relative_high is None:
            line = Text("exp.line.compare", {**params, "rel": _rel(c.relative)})
        else:
            rel = {"rel": _rel(c.relative), "rel_low": _rel(c.relative_low), "rel_high": _rel(c.relative_high)}
            line = Text("exp.line.compare_interval", {**params, **rel})
        lines.append(line)
        if readout.corrected:
            lines.append(Text("exp.line.holm", {"arm": c.arm, "p": _p(c.p_adjusted)}))
    return lines


def _notes(item: Experiment, seen: Reading) -> list[Text]:
    readout, notes = seen.readout, []
    if readout.srm_p is not None:
        observed = " / ".join(_int(a.visitors) for a in readout.arms)
        srm = {"observed": observed, "planned": split_text(item.split), "chi2": _num(readout.srm_chi2 or 0.0, 2)}
        key = "exp.note.srm_alarm" if readout.verdict is Verdict.SRM else "exp.note.srm_ok"
        notes.append(Text(key, {**srm, "p": _p(readout.srm_p)}))
    if readout.arms and readout.verdict is not Verdict.SRM:
        notes.append(_progress(item, seen))
    if readout.verdict is Verdict.KEEP_RUNNING:
        notes.append(Text("exp.note.peeking_significant" if readout.early_significant else "exp.note.peeking"))
    if readout.corrected:
        notes.append(Text("exp.note.holm", {"n": len(readout.comparisons)}))
    return notes


def _progress(item: Experiment, seen: Reading) -> Text:
    readout = seen.readout
    visitors = {a.name: a.visitors for a in readout.arms}
    params = {
        "progress": _pct(min(readout.progress, 1.0), 0),
        "arm": readout.behind,
        "have": _int(visitors.get(readout.behind or "", 0)),
        "needed": _int(dict(zip(item.arms, item.needed, strict=True)).get(readout.behind or "", 0)),
    }
    if readout.reached:
        return Text("exp.note.reached", params)
    days_left, observed = _days_left(item, seen)
    if days_left is None:
        return Text("exp.note.progress", params)
    key = "exp.note.progress_days" if observed else "exp.note.progress_days_planned"
    return Text(key, {**params, "days": _int(days_left)})


def _days_left(item: Experiment, seen: Reading) -> tuple[int | None, bool]:
    """Days to the planned sample at the traffic seen in daily rows (True), else at the planned traffic
    (False); None when neither is known."""
    whole = sum(item.split)
    have = {a.name: a.visitors for a in seen.readout.arms}
    span = seen.counts.days
    observed = bool(span) and all(have.get(arm) for arm in item.arms)
    if not observed and (not item.traffic_per_day or seen.market):
        return None, False
    worst = 0.0
    for arm, weight, needed in zip(item.arms, item.split, item.needed, strict=True):
        per_day = have[arm] / span if observed and span else (item.traffic_per_day or 0) * weight / whole
        worst = max(worst, max(needed - have.get(arm, 0), 0) / per_day)
    return math.ceil(worst), observed


def _source_line(found: Counts) -> Text | None:
    if found.source == "daily" and found.first_day and found.last_day:
        return Text(
            "exp.source.daily",
            {"days": found.days, "first": found.first_day.isoformat(), "last": found.last_day.isoformat()},
        )
    if found.source == "typed":
        return Text("exp.source.typed")
    return None


def _slice_lines(item: Experiment, found: Counts) -> list[Text]:
    markets = found.markets()
    has_overall = any(m == exp_model.OVERALL for m, _ in found.slices)
    if not markets or (len(markets) == 1 and not has_overall):
        return []  # one market only: the slice is the whole
    traffic = {m: sum(v for v, _ in found.market(m, item.arms).values()) for m in markets}
    lines = []
    for market in sorted(markets, key=lambda m: (-traffic[m], m))[:SLICES_SHOWN]:
        readout = readout_of(item, found, market)
        if readout.verdict is Verdict.NOT_READY:
            problem = readout.problem or Problem.NO_DATA
            lines.append(
                Text(
                    "exp.slice.problem",
                    {
                        "market": market,
                        "reason": Text(f"exp.slice.{problem.value}", {"arms": list(readout.problem_arms)}),
                    },
                )
            )
            continue
        parts = [Text("exp.slice.arm", {"arm": a.name, "rate": _pct(a.rate)}) for a in readout.arms[:1]]
        parts += [
            Text(
                "exp.slice.compare",
                {"arm": c.arm, "rate": _pct(c.diff + readout.arms[0].rate), "diff": _pp(c.diff), "p": _p(c.p_adjusted)},
            )
            for c in readout.comparisons
        ]
        params = {"market": market, "parts": parts, "visitors": _int(traffic[market])}
        if readout.verdict is Verdict.SRM:
            lines.append(Text("exp.slice.line_srm", {**params, "p": _p(readout.srm_p or 0.0)}))
        else:
            lines.append(Text("exp.slice.line", params))
    return lines


def _decision_text(item: Experiment) -> Text | None:
    if item.decision is None or item.decided_at is None:
        return None
    return Text(f"exp.decided.{item.decision}", {"at": item.decided_at.date().isoformat()})


def _requirement_key(db: Session, item: Experiment) -> str | None:
    if item.requirement_id is None:
        return None
    found = req_model.get_by_id(db=db, workspace_id=item.workspace_id, requirement_id=item.requirement_id)
    return found.item.key if found else None


# --- numbers ------------------------------------------------------------------------------------


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError(f"not a finite figure: {value}")
    return value


def _pct(fraction: float, digits: int = 2) -> str:
    return f"{_finite(fraction) * 100:.{digits}f}%"


def _pp(fraction: float) -> str:
    return f"{_finite(fraction) * 100:+.2f}"


def _rel(fraction: float | None) -> str:
    return "—" if fraction is None else f"{_finite(fraction) * 100:+.1f}%"


def _p(p: float) -> str:
    p = _finite(p)
    if p < 0.0001:
        return "< 0.0001"
    return f"{p:.4f}" if p < 0.001 else f"{p:.3f}"


def _num(value: float, digits: int) -> str:
    return f"{_finite(value):.{digits}f}"


def _short(value: float) -> str:
    return f"{_finite(value):.4g}"


def _int(value: int | float) -> str:
    return f"{int(_finite(float(value))):,}"
