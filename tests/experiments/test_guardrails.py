"""Guardrails: a rate that must not rise by more than a limit is judged on the interval of its rise (the
readout's own, against statsmodels' Wald interval), and a win with a guardrail not shown to hold is not
"ship"."""

from __future__ import annotations

import pytest
from statsmodels.stats.proportion import confint_proportions_2indep

from models.experiments.guardrails import GuardState, blocks_ship, read_guardrails

ARMS, WEIGHTS, NEEDED = ["control", "variant"], [1.0, 1.0], [53_182, 53_182]


def guard(control: tuple[int, int], variant: tuple[int, int], limit: float = 0.005):
    totals = {"control": list(control), "variant": list(variant)}
    [reading] = read_guardrails([{"metric": "refund_rate", "limit": limit, "totals": totals}], arms=ARMS,
                                weights=WEIGHTS, needed=NEEDED, alpha=0.05, method="fixed")  # fmt: skip
    return reading


@pytest.mark.parametrize(
    "variant,state",
    [((53_300, 3_200), GuardState.HELD), ((53_300, 3_730), GuardState.BREACHED), ((53_300, 3_480), GuardState.UNCLEAR)],
)
def test_the_state_follows_the_interval_of_the_rise(variant: tuple[int, int], state: GuardState) -> None:
    reading = guard((53_200, 3_192), variant)
    low, high = confint_proportions_2indep(variant[1], variant[0], 3_192, 53_200, method="wald")
    assert (reading.low, reading.high) == (pytest.approx(low, rel=1e-9), pytest.approx(high, rel=1e-9))
    assert reading.state is state
    assert blocks_ship([reading], "variant") is (state is not GuardState.HELD)


def test_a_guardrail_without_results_is_not_shown_to_hold() -> None:
    reading = guard((0, 0), (0, 0))
    assert reading.state is GuardState.NO_DATA and blocks_ship([reading], "variant")
