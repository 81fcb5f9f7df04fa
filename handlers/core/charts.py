"""Charts a reply may send as a file, described as data: bot/render/charts draws them (after the answer),
with labels from the catalogue in the viewer's language."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from handlers.core.card import Text
from models.experiments.result import DayPoint


@dataclass(frozen=True)
class RiskHeatMap:
    """The 5×5 risk grid: `grid[likelihood - 1][impact - 1]` risks in each cell."""

    grid: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class ConversionChart:
    """An experiment's cumulative conversion per arm, with its interval band. `version` names the data
    it was drawn from, so that the same data is drawn once. `title` names the experiment (EXP-4-DE) in
    every language; `heading` is the chart's translated title."""

    version: Hashable
    series: tuple[DayPoint, ...]
    arms: tuple[str, ...]
    alpha: float
    title: str
    heading: Text
    needed: tuple[int, ...] = ()  # planned users per arm: the day they are reached is marked
    method: str = "sequential"  # the interval drawn on the difference is the one the verdict uses
    weights: tuple[float, ...] = ()


Chart = RiskHeatMap | ConversionChart
