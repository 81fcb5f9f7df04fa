"""The cumulative conversion chart of an experiment: one line per arm with its Wilson interval band and,
below, each variant's difference from control with the interval the verdict uses (always-valid or
fixed-horizon, Bonferroni-adjusted, from models/experiments/readout.py) — the band leaving zero is the
boundary being crossed — and a dashed line on the day the planned sample was reached.

Drawn with matplotlib's Agg canvas (no pyplot, so concurrent drawings share no state) after the
ack; the PNG of a given data version in a given language is kept, so that reading the same status twice
draws it once. Title and axes are in the viewer's language; without a font for their CJK words the
chart keeps only the experiment's key, the arm names, dates and percentages.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from bot.render.charts.fonts import family_for, needs_cjk
from models.experiments import stats as ab_stats
from models.experiments.readout import ArmCounts, Method, read
from models.experiments.result import DayPoint

CACHE_SIZE = 32
COLOURS = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860")

if TYPE_CHECKING:
    from matplotlib.figure import Figure


class Plan(NamedTuple):
    """What the lower panel needs: the planned users per arm (none: no panel), the method, the split."""

    needed: tuple[int, ...] = ()
    method: str = "sequential"
    weights: tuple[float, ...] = ()


NO_PLAN = Plan()


class ConversionLabels(NamedTuple):
    title: str
    x_axis: str
    y_axis: str
    fallback_title: str  # the experiment's key, for when the words cannot be drawn


_cache: OrderedDict[Hashable, bytes] = OrderedDict()
_lock = threading.Lock()


def cached(key: Hashable) -> bytes | None:
    with _lock:
        return _cache.get(key)


def chart_png(
    key: Hashable,
    series: Sequence[DayPoint],
    *,
    arms: Sequence[str],
    alpha: float,
    labels: ConversionLabels,
    plan: Plan = NO_PLAN,
) -> bytes:
    key = (key, labels, plan)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    png = draw(series, arms=arms, alpha=alpha, labels=labels, plan=plan)
    with _lock:
        _cache[key] = png
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return png


def cumulative(
    series: Sequence[DayPoint], arms: Sequence[str], alpha: float
) -> dict[str, list[tuple[date, float, float, float]]]:
    """Per arm: (day, cumulative rate, interval low, interval high) from its first day with visitors."""
    days = sorted({p.day for p in series})
    by_day = {(p.day, p.arm): (p.visitors, p.conversions) for p in series}
    out: dict[str, list[tuple[date, float, float, float]]] = {}
    for arm in arms:
        visitors = conversions = 0
        points = []
        for day in days:
            v, c = by_day.get((day, arm), (0, 0))
            visitors, conversions = visitors + v, conversions + c
            if visitors > 0:
                low, high = ab_stats.wilson_interval(conversions, visitors, alpha=alpha)
                points.append((day, conversions / visitors, low, high))
        out[arm] = points
    return out


def differences(
    series: Sequence[DayPoint], arms: Sequence[str], *, alpha: float, plan: Plan
) -> tuple[dict[str, list[tuple[date, float, float, float]]], date | None]:
    """Per variant (day, difference, interval low, high) as the readout reads the counts up to that day,
    and the first day every arm had its planned users (None if not yet, or no plan)."""
    days = sorted({p.day for p in series})
    by_day = {(p.day, p.arm): (p.visitors, p.conversions) for p in series}
    running = {arm: (0, 0) for arm in arms}
    out: dict[str, list[tuple[date, float, float, float]]] = {arm: [] for arm in arms[1:]}
    reached = None
    if not plan.needed:
        return out, None
    weights = list(plan.weights or [1.0] * len(arms))
    for day in days:
        for arm in arms:
            v, c = by_day.get((day, arm), (0, 0))
            running[arm] = (running[arm][0] + v, running[arm][1] + c)
        if reached is None and all(running[a][0] >= n for a, n in zip(arms, plan.needed, strict=True)):
            reached = day
        counts = [ArmCounts(a, *running[a]) for a in arms]
        readout = read(counts, weights=weights, needed=list(plan.needed), alpha=alpha, method=Method(plan.method))
        for c in readout.comparisons:
            out[c.arm].append((day, c.diff, c.diff_low, c.diff_high))
    return out, reached


def draw(
    series: Sequence[DayPoint], *, arms: Sequence[str], alpha: float, labels: ConversionLabels, plan: Plan = NO_PLAN
) -> bytes:
    figure = conversion_figure(series, arms=arms, alpha=alpha, labels=labels, plan=plan)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def conversion_figure(
    series: Sequence[DayPoint], *, arms: Sequence[str], alpha: float, labels: ConversionLabels, plan: Plan = NO_PLAN
) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    words = (labels.title, labels.x_axis, labels.y_axis)
    family = family_for((*words, *arms))
    if family is None and any(needs_cjk(word) for word in words):
        words = (labels.fallback_title, "", "")
    title, x_axis, y_axis = words
    style = {"fontfamily": family} if family else {}
    diffs, reached = differences(series, arms, alpha=alpha, plan=plan)
    shown = any(diffs.values())
    figure = Figure(figsize=(8, 7 if shown else 4.5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(2, 1, 1) if shown else figure.add_subplot()
    for i, (arm, points) in enumerate(cumulative(series, arms, alpha).items()):
        if not points:
            continue
        colour = COLOURS[i % len(COLOURS)]
        days = [p[0] for p in points]
        axes.fill_between(days, [p[2] for p in points], [p[3] for p in points], color=colour, alpha=0.18, linewidth=0)
        axes.plot(days, [p[1] for p in points], color=colour, linewidth=2, label=arm)
    axes.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=1))
    axes.set_title(title, **style)
    axes.set_xlabel(x_axis, **style)
    axes.set_ylabel(y_axis, **style)
    axes.grid(alpha=0.3)
    axes.legend(loc="best", prop={"family": family} if family else None)
    if reached is not None:
        axes.axvline(reached, color="#555555", linestyle="--", linewidth=1)
    if shown:
        below = figure.add_subplot(2, 1, 2, sharex=axes)
        for i, (arm, points) in enumerate(diffs.items(), start=1):
            if not points:
                continue
            colour = COLOURS[i % len(COLOURS)]
            days = [p[0] for p in points]
            below.fill_between(days, [p[2] for p in points], [p[3] for p in points], color=colour, alpha=0.18,
                               linewidth=0)  # fmt: skip
            below.plot(days, [p[1] for p in points], color=colour, linewidth=2, label=f"{arm} − {arms[0]}")
        below.axhline(0.0, color="#333333", linewidth=1)
        if reached is not None:
            below.axvline(reached, color="#555555", linestyle="--", linewidth=1)
        below.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=2))
        below.set_xlabel(x_axis, **style)
        below.grid(alpha=0.3)
        below.legend(loc="best", prop={"family": family} if family else None)
    figure.autofmt_xdate()
    figure.tight_layout()
    return figure
