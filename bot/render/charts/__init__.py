"""Charts drawn as PNG with matplotlib's Agg canvas (only bot/ imports matplotlib)."""

from __future__ import annotations

from bot.render.charts.conversion import chart_png
from bot.render.charts.heatmap import heat_map_png
from handlers.core.charts import Chart, ConversionChart, RiskHeatMap
from handlers.core.reply import Translate


def draw(chart: Chart, t: Translate) -> bytes:
    if isinstance(chart, RiskHeatMap):
        return heat_map_png([list(row) for row in chart.grid], t)
    if isinstance(chart, ConversionChart):
        return chart_png(
            chart.version,
            chart.series,
            arms=chart.arms,
            alpha=chart.alpha,
            title=chart.title,
            needed=chart.needed,
            method=chart.method,
            weights=chart.weights,
        )
    raise TypeError(f"not a chart: {chart!r}")
