"""The heat map is a real PNG: it decodes, has the promised size, and each cell is coloured by its band
(paler where no risk sits); the same PNG reaches Slack as a file upload."""

from __future__ import annotations

import io

from PIL import Image

from bot.i18n import catalog
from bot.render.charts.fonts import cjk_font
from bot.render.charts.heatmap import GRID_BOX, HEIGHT_PX, WIDTH_PX, heat_map_png
from tests.support.slack_requests import SlackSender, SlackUser, block_text

# The palette the legend promises: green, yellow, orange, red.
RGB = {
    "low": (0x43, 0xA0, 0x47),
    "medium": (0xFD, 0xD8, 0x35),
    "high": (0xFB, 0x8C, 0x00),
    "critical": (0xE5, 0x39, 0x35),
}
# Band of each cell worked out by hand from likelihood × impact (rows: likelihood 5 down to 1).
BANDS_BY_HAND = [
    ["medium", "high", "high", "critical", "critical"],  # L5: 5 10 15 20 25
    ["low", "medium", "high", "high", "critical"],  # L4: 4 8 12 16 20
    ["low", "medium", "medium", "high", "high"],  # L3: 3 6 9 12 15
    ["low", "low", "medium", "medium", "high"],  # L2: 2 4 6 8 10
    ["low", "low", "low", "low", "medium"],  # L1: 1 2 3 4 5
]
PALE = 0.35


def pixel(image: Image.Image, likelihood: int, impact: int) -> tuple[int, int, int]:
    """A point inside the cell, off its centre where the count is written."""
    left, bottom, width, height = GRID_BOX
    x = (left + (impact - 0.5 + 0.3) / 5 * width) * WIDTH_PX
    y = HEIGHT_PX - (bottom + (likelihood - 0.5 + 0.3) / 5 * height) * HEIGHT_PX
    return image.getpixel((round(x), round(y)))[:3]


def close_to(actual: tuple[int, int, int], expected: tuple[float, ...]) -> bool:
    return all(abs(a - e) <= 3 for a, e in zip(actual, expected, strict=True))


def test_cells_are_coloured_by_band_and_empty_cells_paler() -> None:
    grid = [[0] * 5 for _ in range(5)]
    grid[4][4] = 2  # L5 × I5
    grid[3][2] = 1  # L4 × I3
    grid[0][1] = 3  # L1 × I2
    png = heat_map_png(grid, lambda text: catalog().t("en", text))
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (WIDTH_PX, HEIGHT_PX)
    image = image.convert("RGB")
    for row, likelihood in enumerate(range(5, 0, -1)):
        for impact in range(1, 6):
            colour = RGB[BANDS_BY_HAND[row][impact - 1]]
            if grid[likelihood - 1][impact - 1]:
                expected: tuple[float, ...] = colour
            else:
                expected = tuple(PALE * c + (1 - PALE) * 255 for c in colour)
            assert close_to(pixel(image, likelihood, impact), expected), (likelihood, impact)


def test_chinese_labels_never_draw_empty_boxes() -> None:
    # Without a CJK font the chart falls back to codes (L, I); with one it uses it. Either way it draws.
    png = heat_map_png([[1] * 5 for _ in range(5)], lambda text: catalog().t("zh-CN", text))
    assert Image.open(io.BytesIO(png)).size == (WIDTH_PX, HEIGHT_PX)
    assert cjk_font() is None or isinstance(cjk_font(), str)


def test_risk_matrix_answers_with_the_grid_and_uploads_the_png(slack: SlackSender, fake_slack) -> None:
    slack.command("add A category=fx likelihood=5 impact=5", command="/risk")
    slack.command("add B category=fx likelihood=5 impact=5", command="/risk")
    slack.command("add C category=quality likelihood=1 impact=3", command="/risk")
    body = slack.command("matrix", command="/risk").json()
    assert body["response_type"] == "in_channel"
    text = block_text(body)
    assert "Risk matrix" in text and "3 open or accepted risks" in text
    grid_lines = next(b["text"]["text"] for b in body["blocks"] if "```" in b.get("text", {}).get("text", ""))
    assert " 5  " in grid_lines and "🟥 2" in grid_lines and "🟩 1" in grid_lines
    fake_slack.wait_for("files.completeUploadExternal", timeout=20)
    [(complete, blob)] = fake_slack.uploaded()
    assert complete["channel_id"] == "C1"
    image = Image.open(io.BytesIO(blob)).convert("RGB")
    assert image.size == (WIDTH_PX, HEIGHT_PX)
    assert close_to(pixel(image, 5, 5), RGB["critical"]) and close_to(pixel(image, 1, 3), RGB["low"])


def test_the_matrix_in_chinese(slack: SlackSender, fake_slack) -> None:
    zh = SlackUser(user="U1")
    slack.command("lang zh", command="/pm", who=zh)
    slack.command("add A category=fx likelihood=2 impact=3", command="/risk", who=zh)
    text = block_text(slack.command("matrix", command="/risk", who=zh).json())
    assert "风险矩阵" in text and "L = 可能性（行），I = 影响（列）" in text and "中 (5–9): 1" in text
    fake_slack.wait_for("files.completeUploadExternal", timeout=20)
    [(complete, blob)] = fake_slack.uploaded()
    assert complete["files"] and Image.open(io.BytesIO(blob)).size == (WIDTH_PX, HEIGHT_PX)
