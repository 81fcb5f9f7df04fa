"""Scores, bands, the matrix counts and threshold crossings, against hand-worked examples."""

from __future__ import annotations

from decimal import Decimal

import pytest

from models.risks.grid import ABOVE, BELOW, band, crossing, escalated, matrix, score

# Every product of 1..5 with the band the issue gives it: low 1–4, medium 5–9, high 10–16, critical 20–25.
HAND_WORKED = {
    (1, 1): (1, "low"),
    (1, 4): (4, "low"),
    (2, 2): (4, "low"),
    (1, 5): (5, "medium"),
    (2, 3): (6, "medium"),
    (2, 4): (8, "medium"),
    (3, 3): (9, "medium"),
    (2, 5): (10, "high"),
    (3, 4): (12, "high"),
    (3, 5): (15, "high"),
    (4, 4): (16, "high"),
    (4, 5): (20, "critical"),
    (5, 5): (25, "critical"),
}


@pytest.mark.parametrize(("pair", "expected"), HAND_WORKED.items())
def test_score_and_band(pair: tuple[int, int], expected: tuple[int, str]) -> None:
    value = score(*pair)
    assert (value, band(value)) == expected
    assert score(*reversed(pair)) == value


def test_every_cell_of_the_grid_has_a_band() -> None:
    counts: dict[str, int] = {}
    for likelihood in range(1, 6):
        for impact in range(1, 6):
            counts[band(score(likelihood, impact))] = counts.get(band(score(likelihood, impact)), 0) + 1
    # Counted by hand on the 5×5 grid.
    assert counts == {"low": 8, "medium": 7, "high": 7, "critical": 3}


@pytest.mark.parametrize("bad", [(0, 3), (6, 1), (3, -1)])
def test_out_of_range_levels_are_refused(bad: tuple[int, int]) -> None:
    with pytest.raises(ValueError):
        score(*bad)


def test_escalation_is_a_rise_into_high_or_critical() -> None:
    assert escalated(9, 12)  # medium → high
    assert escalated(16, 20)  # high → critical
    assert escalated(2, 25)
    assert not escalated(10, 16)  # high → high
    assert not escalated(2, 8)  # into medium
    assert not escalated(20, 12)  # down


def test_matrix_counts_by_cell() -> None:
    grid = matrix([(5, 5), (5, 5), (1, 2), (4, 3)])
    assert grid[4][4] == 2 and grid[0][1] == 1 and grid[3][2] == 1
    assert sum(map(sum, grid)) == 4


def test_an_alert_fires_once_per_crossing() -> None:
    threshold = Decimal("7.3")
    tripped = False
    fired = []
    for value in ("7.1", "7.41", "7.5", "7.3", "7.2", "7.31", "7.9"):
        tripped, alert = crossing(tripped, Decimal(value), ABOVE, threshold)
        fired.append(alert)
    # 7.41 crosses; 7.5 stays past; 7.3 is not above (back); 7.31 crosses again.
    assert fired == [False, True, False, False, False, True, False]


def test_below_thresholds_cross_downwards() -> None:
    tripped, alert = crossing(False, Decimal("0.9"), BELOW, Decimal("1"))
    assert (tripped, alert) == (True, True)
    assert crossing(True, Decimal("0.8"), BELOW, Decimal("1")) == (True, False)
    assert crossing(True, Decimal("1"), BELOW, Decimal("1")) == (False, False)
