"""Whom a reply is drawn for."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Viewer:
    """Whom a reply is drawn for: their language and time zone."""

    lang: str = "en"
    tz: str = "UTC"
