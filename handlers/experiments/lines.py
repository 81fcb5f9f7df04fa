"""The lines of an experiment card, as catalogue texts with their numbers formatted: the plan, each
arm and comparison, the notes (SRM, progress, peeking, Holm), the verdict and the market slices.

Every number is formatted here, once, for every front end; a figure that is not finite is a bug and
raises instead of reaching a user as "nan".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from handlers.core.reply import Text
from models.experiments.experiment import Experiment
from models.experiments.guardrails import GuardReading
from models.experiments.queries import later_look, readout_of
from models.experiments.readout import Direction, Method, Outcome, Problem, Readout, Verdict
from models.experiments.result import OVERALL, Counts

SLICES_SHOWN = 12


def plan_lines(item: Experiment) -> list[Text]:
    change = -item.mde if item.direction == Direction.LOWER else item.mde
    target = item.baseline * (1 + change) if item.mde_relative else item.baseline + change
    mde = (
        Text("exp.plan.mde_relative", {"mde": pct(item.mde, 1)})
        if item.mde_relative
        else Text("exp.plan.mde_absolute", {"mde": num(item.mde * 100, 2)})
    )
    if item.kind == "mean":
        if not item.mde_relative:
            mde = Text("exp.plan.mde_amount", {"mde": amount(item.mde)})
        values = {"baseline": amount(item.baseline), "sd": amount(item.baseline_sd or 0.0), "target": amount(target)}
        lines = [Text("exp.plan.rates_mean", {**values, "mde": mde, "alpha": short(item.alpha)})]
    else:
        lines = [
            Text(
                "exp.plan.rates",
                {"baseline": pct(item.baseline), "target": pct(target), "mde": mde, "alpha": short(item.alpha)},
            ),
        ]
    per_arm = [f"{arm} {whole(n)}" for arm, n in zip(item.arms, item.needed, strict=True)]
    if len(set(item.needed)) == 1:
        lines.append(
            Text(
                "exp.plan.needed_even",
                {"per_arm": whole(item.needed[0]), "total": whole(sum(item.needed)), "power": pct(item.power, 0)},
            )
        )
    else:
        lines.append(
            Text(
                "exp.plan.needed",
                {"per_arm": " · ".join(per_arm), "total": whole(sum(item.needed)), "power": pct(item.power, 0)},
            )
        )
    lines.append(Text("exp.plan.split", {"split": split_text(item.split), "arms": " / ".join(item.arms)}))
    if item.traffic_per_day:
        days = math.ceil(sum(item.needed) / item.traffic_per_day)
        lines.append(Text("exp.plan.days", {"days": whole(days), "traffic": whole(item.traffic_per_day)}))
    lines.append(Text(f"exp.plan.method.{item.method}"))
    if item.direction == Direction.LOWER:
        lines.append(Text("exp.plan.lower"))
    if len(item.arms) > 2:
        each = item.alpha / (len(item.arms) - 1)
        lines.append(Text("exp.plan.bonferroni", {"n": len(item.arms) - 1, "alpha": short(each)}))
    if item.extensions:
        key = "exp.plan.extended_fixed" if item.method == Method.FIXED else "exp.plan.extended"
        lines.append(Text(key, {"n": item.extensions}))
    return lines


def verdict_text(item: Experiment, readout: Readout, *, market: str | None = None) -> Text:
    verdict = readout.verdict
    if verdict is Verdict.NOT_READY:
        problem = readout.problem or Problem.NO_DATA
        return Text(f"exp.problem.{problem.value}", {"arms": list(readout.problem_arms), "key": item.key})
    params: dict[str, Any] = {"progress": pct(min(readout.progress, 1.0), 0)}
    if verdict in (Verdict.WIN, Verdict.LOSS):
        lead = next(c for c in readout.comparisons if c.arm == readout.lead)
        params |= {
            "arm": lead.arm,
            "rel": rel(lead.relative),
            "p": p_value(lead.p_adjusted),
            **difference(readout, lead.diff),
        }
        others = [
            Text(f"exp.verdict.also_{c.outcome.value}", {"arm": c.arm})
            for c in readout.comparisons
            if c.arm != lead.arm and c.outcome is not Outcome.FLAT
        ]
        params["also"] = Text("exp.verdict.also", {"items": others}) if others else ""
    if verdict is Verdict.NO_EFFECT:
        if item.kind == "mean":
            params["mde"] = pct(item.mde, 1) if item.mde_relative else amount(item.mde)
        else:
            params["mde"] = pct(item.mde, 1) if item.mde_relative else f"{num(item.mde * 100, 2)} pp"
    if verdict is Verdict.SRM:
        params["p"] = p_value(readout.srm_p or 0.0)
    key = f"exp.verdict.{verdict.value}"
    return Text("exp.verdict.slice", {"market": market, "verdict": Text(key, params)}) if market else Text(key, params)


def split_text(weights: Sequence[float]) -> str:
    whole = sum(weights)
    return "/".join(num(100 * w / whole, 1).removesuffix(".0") for w in weights)


# --- lines --------------------------------------------------------------------------------------


def result_lines(readout: Readout, *, alpha: float) -> list[Text]:
    level = pct(1 - alpha, 0)
    if readout.mean:
        lines = [
            Text("exp.line.arm_mean", {"arm": a.name, "rate": amount(a.rate), "level": level, "low": amount(a.low),
                                       "high": amount(a.high), "visitors": whole(a.visitors)})
            for a in readout.arms
        ]  # fmt: skip
    else:
        lines = [
            Text(
                "exp.line.arm",
                {
                    "arm": a.name,
                    "rate": pct(a.rate),
                    "level": level,
                    "low": pct(a.low),
                    "high": pct(a.high),
                    "conversions": whole(a.conversions),
                    "visitors": whole(a.visitors),
                },
            )
            for a in readout.arms
        ]
    kind = Text(f"exp.line.kind.{readout.method.value}")
    for c in readout.comparisons:
        params = {
            "arm": c.arm,
            "control": c.control,
            **difference(readout, c.diff),
            "low": signed(readout, c.diff_low),
            "high": signed(readout, c.diff_high),
            "level": level_text(c.level),
            "kind": kind,
            "p": p_value(c.p_adjusted),
            "outcome": Text(f"exp.outcome.{c.outcome.value}"),
        }
        if c.relative is None:
            lines.append(Text("exp.line.compare_no_relative", params))
        else:
            lines.append(Text("exp.line.compare", {**params, "rel": rel(c.relative)}))
    return lines


def guard_lines(guards: Sequence[GuardReading]) -> list[Text]:
    """Each guardrail against each variant: its rise with the interval it is judged by, and its state."""
    out = []
    for g in guards:
        limit = num(g.limit * 100, 2)
        if g.rise is None or g.low is None or g.high is None or g.level is None:
            out.append(Text("exp.guard.line_no_data", {"metric": g.metric, "arm": g.arm, "limit": limit}))
            continue
        out.append(Text("exp.guard.line", {
            "metric": g.metric, "arm": g.arm, "limit": limit, "rise": pp(g.rise), "low": pp(g.low),
            "high": pp(g.high), "level": level_text(g.level), "state": Text(f"exp.guard.state.{g.state.value}"),
        }))  # fmt: skip
    return out


def later_lines(item: Experiment, found: Counts) -> list[Text]:
    """A fixed-horizon experiment read past its planned sample: today's counts, labelled as a later look."""
    now = later_look(item, found)
    if now is None:
        return []
    counts = " · ".join(f"{arm} {whole(c)} / {whole(v)}" for arm, (v, c) in now.items())
    day = (item.locked or {}).get("day")
    return [Text("exp.note.later_look", {"counts": counts, "day": day or "—"})]


def notes(item: Experiment, readout: Readout, found: Counts, market: str | None) -> list[Text]:
    notes = []
    if readout.srm_p is not None:
        observed = " / ".join(whole(a.visitors) for a in readout.arms)
        srm = {"observed": observed, "planned": split_text(item.split), "chi2": num(readout.srm_chi2 or 0.0, 2)}
        key = "exp.note.srm_alarm" if readout.verdict is Verdict.SRM else "exp.note.srm_ok"
        notes.append(Text(key, {**srm, "p": p_value(readout.srm_p)}))
    if readout.arms and readout.verdict is not Verdict.SRM:
        notes.append(_progress(item, readout, found, market))
    fixed = readout.method is Method.FIXED
    if readout.verdict is Verdict.KEEP_RUNNING and fixed:
        notes.append(Text("exp.note.peeking_significant" if readout.early_significant else "exp.note.peeking"))
    elif readout.comparisons and not fixed:
        notes.append(Text("exp.note.always_valid"))
    if readout.corrected:
        level = level_text(readout.comparisons[0].level) if readout.comparisons else pct(1 - item.alpha, 0)
        notes.append(Text("exp.note.bonferroni", {"n": len(readout.comparisons), "level": level}))
    if market is None:
        notes.extend(later_lines(item, found))
    return notes


def _progress(item: Experiment, readout: Readout, found: Counts, market: str | None) -> Text:
    visitors = {a.name: a.visitors for a in readout.arms}
    params = {
        "progress": pct(min(readout.progress, 1.0), 0),
        "arm": readout.behind,
        "have": whole(visitors.get(readout.behind or "", 0)),
        "needed": whole(dict(zip(item.arms, item.needed, strict=True)).get(readout.behind or "", 0)),
    }
    if readout.reached:
        return Text("exp.note.reached", params)
    days_left, observed = _days_left(item, readout, found, market)
    if days_left is None:
        return Text("exp.note.progress", params)
    key = "exp.note.progress_days" if observed else "exp.note.progress_days_planned"
    return Text(key, {**params, "days": whole(days_left)})


def _days_left(item: Experiment, readout: Readout, found: Counts, market: str | None) -> tuple[int | None, bool]:
    """Days to the planned sample at the traffic seen in daily rows (True), else at the planned traffic
    (False); None when neither is known."""
    whole = sum(item.split)
    have = {a.name: a.visitors for a in readout.arms}
    span = found.days
    observed = bool(span) and all(have.get(arm) for arm in item.arms)
    if not observed and (not item.traffic_per_day or market):
        return None, False
    worst = 0.0
    for arm, weight, needed in zip(item.arms, item.split, item.needed, strict=True):
        per_day = have[arm] / span if observed and span else (item.traffic_per_day or 0) * weight / whole
        worst = max(worst, max(needed - have.get(arm, 0), 0) / per_day)
    return math.ceil(worst), observed


def source_line(found: Counts) -> Text | None:
    if found.source == "daily" and found.first_day and found.last_day:
        return Text(
            "exp.source.daily",
            {"days": found.days, "first": found.first_day.isoformat(), "last": found.last_day.isoformat()},
        )
    if found.source == "typed":
        return Text("exp.source.typed")
    return None


def slice_lines(item: Experiment, found: Counts) -> list[Text]:
    markets = found.markets()
    has_overall = any(m == OVERALL for m, _ in found.slices)
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
        shown = amount if readout.mean else pct
        parts = [Text("exp.slice.arm", {"arm": a.name, "rate": shown(a.rate)}) for a in readout.arms[:1]]
        parts += [
            Text(
                "exp.slice.compare",
                {
                    "arm": c.arm,
                    "rate": shown(c.diff + readout.arms[0].rate),
                    **difference(readout, c.diff),
                    "p": p_value(c.p_adjusted),
                },
            )
            for c in readout.comparisons
        ]
        params = {"market": market, "parts": parts, "visitors": whole(traffic[market])}
        if readout.verdict is Verdict.SRM:
            lines.append(Text("exp.slice.line_srm", {**params, "p": p_value(readout.srm_p or 0.0)}))
        else:
            lines.append(Text("exp.slice.line", params))
    return lines


def decision_text(item: Experiment) -> Text | None:
    if item.decision is None or item.decided_at is None:
        return None
    return Text(f"exp.decided.{item.decision}", {"at": item.decided_at.date().isoformat()})


# --- numbers ------------------------------------------------------------------------------------


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError(f"not a finite figure: {value}")
    return value


def pct(fraction: float, digits: int = 2) -> str:
    return f"{_finite(fraction) * 100:.{digits}f}%"


def amount(value: float) -> str:
    return f"{_finite(value):,.2f}"


def signed(readout: Readout, value: float) -> str:
    """A difference: percentage points for rates, the metric's own units for means."""
    return f"{_finite(value):+,.2f}" if readout.mean else pp(value)


def difference(readout: Readout, value: float) -> dict[str, Any]:
    return {"diff": signed(readout, value), "unit": "" if readout.mean else Text("exp.unit.pp")}


def pp(fraction: float) -> str:
    return f"{_finite(fraction) * 100:+.2f}"


def rel(fraction: float | None) -> str:
    return "—" if fraction is None else f"{_finite(fraction) * 100:+.1f}%"


def p_value(p: float) -> str:
    p = _finite(p)
    if p < 0.0001:
        return "< 0.0001"
    return f"{p:.4f}" if p < 0.001 else f"{p:.3f}"


def num(value: float, digits: int) -> str:
    return f"{_finite(value):.{digits}f}"


def level_text(level: float) -> str:
    """A confidence level as people write it: 95%, 97.5%, 98.33%."""
    return f"{_finite(level) * 100:.2f}".rstrip("0").rstrip(".") + "%"


def short(value: float) -> str:
    return f"{_finite(value):.4g}"


def whole(value: int | float) -> str:
    return f"{int(_finite(float(value))):,}"
