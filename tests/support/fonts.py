"""Glyph coverage read straight from font files (FreeType's character map), to check what charts draw with."""

from __future__ import annotations

from functools import cache

import pytest
from matplotlib import font_manager
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text

from tests.support.databases import IN_CI

SAMPLE = "风险矩阵可能性影响"


@cache
def charmap(path: str) -> frozenset[int]:
    return frozenset(FT2Font(path).get_charmap())


def installed_cjk_font_file() -> str | None:
    """A font file on this machine with glyphs for SAMPLE, found without the code under test."""
    for path in sorted(font_manager.findSystemFonts()):
        try:
            if all(ord(ch) in charmap(path) for ch in SAMPLE):
                return path
        except (OSError, RuntimeError):
            continue
    return None


def require_cjk_font() -> str:
    path = installed_cjk_font_file()
    if path is None:
        message = "no CJK font is installed (Debian: apt-get install fonts-wqy-microhei)"
        if IN_CI:
            pytest.fail(f"CI=true: {message}", pytrace=False)
        pytest.skip(message)
    return path


def font_chain(text: Text) -> list[str]:
    """The files matplotlib draws this text with, in fallback order: one per family of its font."""
    props = text.get_fontproperties()
    return [
        font_manager.findfont(FontProperties(family=family, weight=props.get_weight()), fallback_to_default=False)
        for family in props.get_family()
    ]


def uncovered(text: Text) -> set[str]:
    """The characters of the text that no font in its chain has a glyph for."""
    maps = [charmap(path) for path in font_chain(text)]
    return {ch for ch in text.get_text() if not ch.isspace() and not any(ord(ch) in m for m in maps)}
