"""The font charts draw CJK words with: a file named by TRADEWIND_FONT, else an installed font known to
cover Simplified Chinese, else any installed font that covers a sample of it. Latin text keeps
matplotlib's default font; the CJK font is the fallback for the glyphs that one lacks.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)

ENV = "TRADEWIND_FONT"
KNOWN = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
    "AR PL UMing CN",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
)
# Characters every zh chart label uses some of: a font covering all of them covers the charts.
SAMPLE = "风险矩阵可能性影响低中高极累计转化率日期组别"
DEFAULT_FAMILY = "DejaVu Sans"

_warned = threading.Event()


def needs_cjk(text: str) -> bool:
    return any(ord(ch) >= 0x2E80 for ch in text)


def family_for(texts: Iterable[str]) -> list[str] | None:
    """The font family list to draw `texts` with: None when matplotlib's default covers them; the default
    and then the CJK font when some need CJK glyphs and one is found. When none is, it is logged once and
    None is returned (the caller then draws what it can)."""
    if not any(needs_cjk(text) for text in texts):
        return None
    font = cjk_font()
    if font is None:
        if not _warned.is_set():
            _warned.set()
            log.warning(
                "no CJK font found: charts in Chinese fall back to codes. Install one (Debian: fonts-wqy-microhei "
                "or fonts-noto-cjk) or set %s to a .ttf/.otf/.ttc file",
                ENV,
            )
        return None
    return [DEFAULT_FAMILY, font]


@cache
def cjk_font() -> str | None:
    """The family name of the CJK font charts use, or None when there is none."""
    from matplotlib import font_manager

    configured = os.environ.get(ENV, "").strip()
    if configured:
        family = _register(configured)
        if family:
            return family
        log.warning("%s=%s is not a readable font file; looking for an installed CJK font", ENV, configured)
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    for name in KNOWN:
        if name in installed:
            return name
    for entry in font_manager.fontManager.ttflist:
        if covers(entry.fname, SAMPLE):
            return entry.name
    # Installed after matplotlib cached its font list: look at the files on disk now.
    known_files = {entry.fname for entry in font_manager.fontManager.ttflist}
    for path in font_manager.findSystemFonts():
        if path not in known_files and covers(path, SAMPLE):
            return _register(path)
    return None


def covers(font_file: str, text: str) -> bool:
    """Whether the font file has a glyph for every character of `text` (spaces aside)."""
    from matplotlib.ft2font import FT2Font

    try:
        charmap = FT2Font(font_file).get_charmap()
    except (OSError, RuntimeError, ValueError):
        return False
    return all(ord(ch) in charmap for ch in text if not ch.isspace())


def _register(path: str) -> str | None:
    from matplotlib import font_manager

    if not Path(path).is_file():
        return None
    try:
        font_manager.fontManager.addfont(path)
        return font_manager.FontProperties(fname=path).get_name()
    except (OSError, RuntimeError, ValueError):
        return None
