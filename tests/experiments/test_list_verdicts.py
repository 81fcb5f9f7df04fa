"""/exp list says what each started experiment's data says now, until someone decides."""

from __future__ import annotations

from scipy.stats import norm

from tests.support.console import ConsoleDriver


def test_the_list_shows_the_verdict_until_a_decision(console: ConsoleDriver) -> None:
    console.send("/exp add idle metric=conversion baseline=3% mde=10%")
    console.send("/exp add img metric=conversion baseline=3% mde=50%")
    console.send("/exp start EXP-2")
    # 3.0% against 6.0% on 5,000 visitors each: z ≈ 7.3, far past any correction (checked with scipy).
    pooled = 450 / 10_000
    z = (0.06 - 0.03) / (pooled * (1 - pooled) * (2 / 5_000)) ** 0.5
    assert 2 * norm.sf(z) < 1e-9
    card = console.send("/exp result EXP-2 control=5000/150 variant=5000/300")
    out = console.send("/exp list")
    assert "running · variant wins · conversion" in out
    assert "planned · conversion" in out  # a plan has no reading
    assert "继续运行" not in out and "运行中 · variant 胜出" in (
        console.send("/pm lang zh") and console.send("/exp list")
    )
    console.send("/pm lang en")
    assert "[1] Ship  [2] Stop" in card
    console.send("/exp show EXP-2")
    console.send("1")
    out = console.send("/exp list")
    assert "shipped · conversion" in out and "wins" not in out
