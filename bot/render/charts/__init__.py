"""Charts drawn as PNG with matplotlib's Agg canvas (only bot/ imports matplotlib)."""

from __future__ import annotations

from bot.render.charts.conversion import ConversionLabels, Plan, chart_png
from bot.render.charts.heatmap import heat_map_png
from handlers.core.charts import Chart, ConversionChart, RiskHeatMap
from handlers.core.reply import Text, Translate


def draw(chart: Chart, t: Translate) -> bytes:
    if isinstance(chart, RiskHeatMap):
        return heat_map_png([list(row) for row in chart.grid], t)
    if isinstance(chart, ConversionChart):
        labels = ConversionLabels(
            title=t(chart.heading),
            x_axis=t(Text("exp.chart.x_axis")),
            y_axis=t(Text("exp.chart.y_axis")),
            fallback_title=chart.title,
        )
        plan = Plan(chart.needed, chart.method, chart.weights)
        return chart_png(chart.version, chart.series, arms=chart.arms, alpha=chart.alpha, labels=labels, plan=plan)
    raise TypeError(f"not a chart: {chart!r}")
