"""The cumulative conversion chart of an experiment: one line per arm with its Wilson interval band.

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
from models.experiments.result import DayPoint

CACHE_SIZE = 32
COLOURS = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860")

if TYPE_CHECKING:
    from matplotlib.figure import Figure


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
    key: Hashable, series: Sequence[DayPoint], *, arms: Sequence[str], alpha: float, labels: ConversionLabels
) -> bytes:
    key = (key, labels)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    png = draw(series, arms=arms, alpha=alpha, labels=labels)
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


def draw(series: Sequence[DayPoint], *, arms: Sequence[str], alpha: float, labels: ConversionLabels) -> bytes:
    figure = conversion_figure(series, arms=arms, alpha=alpha, labels=labels)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def conversion_figure(
    series: Sequence[DayPoint], *, arms: Sequence[str], alpha: float, labels: ConversionLabels
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
    figure = Figure(figsize=(8, 4.5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
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
    figure.autofmt_xdate()
    figure.tight_layout()
    return figure
