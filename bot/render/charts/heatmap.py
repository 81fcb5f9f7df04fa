"""The 5×5 heat map as a PNG: likelihood up, impact across, each cell coloured by its band and holding its
count. Drawn with matplotlib's Agg backend after the answer (see UploadFile), labels from the catalogue.

When a label needs CJK glyphs and no CJK font is installed, the chart falls back to language-neutral
codes (L, I, score ranges) so that it never shows empty boxes; the message beside it carries the words.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from bot.render.charts.fonts import family_for, needs_cjk
from handlers.core.reply import Text, Translate
from models.risks.grid import BANDS, band

WIDTH_PX, HEIGHT_PX, DPI = 640, 560, 100
# The grid's place in the figure, as fractions of its width and height (left, bottom, width, height).
GRID_BOX = (0.12, 0.16, 0.58, 0.70)
BAND_COLOURS = {"low": "#43a047", "medium": "#fdd835", "high": "#fb8c00", "critical": "#e53935"}
EMPTY_ALPHA = 0.35  # cells with no risk are drawn paler

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def heat_map_png(grid: list[list[int]], t: Translate) -> bytes:
    """`grid[likelihood - 1][impact - 1]` counts as a PNG of WIDTH_PX × HEIGHT_PX."""
    buffer = io.BytesIO()
    heat_map_figure(grid, t).savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def heat_map_figure(grid: list[list[int]], t: Translate) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch, Rectangle

    labels = {
        "title": t(Text("risk.matrix.title")),
        "likelihood": t(Text("risk.matrix.likelihood_axis")),
        "impact": t(Text("risk.matrix.impact_axis")),
        **{name: t(Text(f"risk.band.{name}")) for name, _, _ in BANDS},
    }
    font = family_for(labels.values())
    if font is None and any(needs_cjk(text) for text in labels.values()):
        labels = {"title": "L × I", "likelihood": "L", "impact": "I", **{name: "" for name, _, _ in BANDS}}
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_axes(GRID_BOX)
    for likelihood in range(1, 6):
        for impact in range(1, 6):
            count = grid[likelihood - 1][impact - 1]
            colour = BAND_COLOURS[band(likelihood * impact)]
            axes.add_patch(
                Rectangle(
                    (impact - 0.5, likelihood - 0.5),
                    1,
                    1,
                    facecolor=colour,
                    alpha=1.0 if count else EMPTY_ALPHA,
                    edgecolor="white",
                    linewidth=2,
                )
            )
            if count:
                axes.text(impact, likelihood, str(count), ha="center", va="center", fontsize=16, fontweight="bold")
    axes.set_xlim(0.5, 5.5)
    axes.set_ylim(0.5, 5.5)
    axes.set_xticks(range(1, 6))
    axes.set_yticks(range(1, 6))
    axes.tick_params(length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)
    text_style = {"fontfamily": font} if font else {}
    axes.set_xlabel(labels["impact"], fontsize=12, **text_style)
    axes.set_ylabel(labels["likelihood"], fontsize=12, **text_style)
    axes.set_title(labels["title"], fontsize=14, **text_style)
    handles = [
        Patch(facecolor=BAND_COLOURS[name], label=f"{labels[name]} {low}–{high}".strip()) for name, low, high in BANDS
    ]
    figure.legend(handles=handles, loc="center right", frameon=False, prop={"family": font} if font else None)
    return figure
