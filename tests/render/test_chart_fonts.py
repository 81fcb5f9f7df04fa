"""Charts in Chinese are drawn with a font that has the glyphs of their words: checked against the font
files' own character maps, and by matplotlib drawing them without a missing-glyph warning."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import warnings
from datetime import date

from matplotlib.figure import Figure
from matplotlib.text import Text as TextArtist
from PIL import Image

from bot.i18n import catalog
from bot.render.charts import draw
from bot.render.charts.conversion import ConversionLabels, conversion_figure
from bot.render.charts.heatmap import heat_map_figure
from handlers.core.charts import ConversionChart
from handlers.core.reply import Text
from models.experiments.result import DayPoint
from tests.support.fonts import charmap, require_cjk_font, uncovered

SERIES = [
    DayPoint(date(2026, 3, 1), "对照组", 100, 3),
    DayPoint(date(2026, 3, 1), "新版", 100, 5),
    DayPoint(date(2026, 3, 2), "对照组", 200, 4),
    DayPoint(date(2026, 3, 2), "新版", 300, 10),
]


def zh(text: Text) -> str:
    return catalog().t("zh-CN", text)


def words(figure: Figure) -> dict[str, TextArtist]:
    return {artist.get_text(): artist for artist in figure.findobj(TextArtist) if artist.get_text().strip()}


def no_missing_glyphs(figure: Figure) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert not missing, missing
    assert Image.open(io.BytesIO(buffer.getvalue())).format == "PNG"


def test_the_zh_heat_map_draws_its_words_with_glyphs() -> None:
    require_cjk_font()
    figure = heat_map_figure([[1] * 5 for _ in range(5)], zh)
    drawn = words(figure)
    for label in ("风险矩阵", "可能性", "影响", "极高 20–25", "低 1–4"):
        assert label in drawn, sorted(drawn)
        assert uncovered(drawn[label]) == set(), label
    no_missing_glyphs(figure)


def test_the_zh_conversion_chart_has_translated_title_axes_and_cjk_arm_names() -> None:
    require_cjk_font()
    labels = ConversionLabels(
        title=zh(Text("exp.chart.heading", {"key": "EXP-4", "level": "95%"})),
        x_axis=zh(Text("exp.chart.x_axis")),
        y_axis=zh(Text("exp.chart.y_axis")),
        fallback_title="EXP-4",
    )
    figure = conversion_figure(SERIES, arms=["对照组", "新版"], alpha=0.05, labels=labels)
    drawn = words(figure)
    for label in ("EXP-4：累计转化率（95% 置信区间）", "日期", "累计转化率", "对照组", "新版"):
        assert label in drawn, sorted(drawn)
        assert uncovered(drawn[label]) == set(), label
    no_missing_glyphs(figure)


def test_the_english_conversion_chart_is_labelled_in_english() -> None:
    chart = ConversionChart(("en", 1), tuple(SERIES[:1]), ("对照组",), 0.05, "EXP-4", Text("exp.chart.heading"))
    png = draw(chart, lambda text: catalog().t("en", text))
    assert png.startswith(b"\x89PNG")
    labels = ConversionLabels(
        catalog().t("en", Text("exp.chart.heading", {"key": "EXP-4", "level": "95%"})),
        "Day",
        "Conversion (cumulative)",
        "EXP-4",
    )
    drawn = words(conversion_figure(SERIES, arms=["对照组", "新版"], alpha=0.05, labels=labels))
    assert {"EXP-4: cumulative conversion, 95% interval", "Day", "Conversion (cumulative)"} <= set(drawn)


def detect(env: dict[str, str]) -> dict[str, object]:
    """Which font a fresh process picks (the choice is made once per process)."""
    script = (
        "import json, logging; logging.basicConfig(level='WARNING');"
        "from bot.render.charts import fonts;"
        "family = fonts.family_for(['风险']);"
        "print(json.dumps({'font': fonts.cjk_font(), 'family': family}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env={**os.environ, **env}, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return {**json.loads(result.stdout), "log": result.stderr}


def test_tradewind_font_names_the_font_file_to_use() -> None:
    path = require_cjk_font()
    from matplotlib.font_manager import FontProperties

    found = detect({"TRADEWIND_FONT": path})
    assert found["font"] == FontProperties(fname=path).get_name()
    assert found["family"] == ["DejaVu Sans", found["font"]]
    assert all(ord(ch) in charmap(path) for ch in "风险")


def test_a_wrong_tradewind_font_is_said_and_an_installed_font_used() -> None:
    require_cjk_font()
    found = detect({"TRADEWIND_FONT": "/nonexistent/font.ttf"})
    assert "TRADEWIND_FONT=/nonexistent/font.ttf is not a readable font file" in found["log"]
    assert found["font"]
