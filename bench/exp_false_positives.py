"""False positives and power of the experiment readout, fixed-horizon against sequential, by seeded
simulation (the figures in docs/experiments.md).

    .venv/bin/python bench/exp_false_positives.py [--simulations 10000] [--seed 15]

A/A tests at a 3 % baseline, 2,000 visitors an arm a day, planned sample reached on day 10 (fixed
horizon) — the scenarios of the issue: read once at the plan, read daily from the plan to day 20,
read daily for 30 days, extended ×1.5 twice (looks on days 10, 15, 23). Then a true +10 % lift, with
each method's own planned sample. The decision rules are the readout's (models/experiments/readout.py),
vectorised with numpy; tests/experiments/test_sequential.py checks they agree.
"""

from __future__ import annotations

import argparse
import math

import numpy as np
from scipy import stats

from models.experiments import sequential
from models.experiments import stats as ab_stats

ALPHA = 0.05
BASELINE = 0.03
PER_DAY = 2_000  # visitors an arm a day


def cumulative(rng: np.random.Generator, sims: int, days: int, arms: int, lift: float = 0.0) -> np.ndarray:
    """Cumulative conversions, shape (arms, sims, days); arm 0 is control."""
    rates = [BASELINE] + [BASELINE * (1 + lift)] * (arms - 1)
    return np.stack([np.cumsum(rng.binomial(PER_DAY, r, (sims, days)), axis=1) for r in rates])


def decided(conv: np.ndarray, *, method: str, planned_pair: float, alpha: float) -> np.ndarray:
    """Per variant, simulation and day: does its interval (Bonferroni across variants) exclude zero?"""
    visitors = PER_DAY * np.arange(1, conv.shape[2] + 1)
    m = conv.shape[0] - 1
    each = alpha / m
    p0 = conv[0] / visitors
    out = []
    for arm in conv[1:]:
        p1 = arm / visitors
        variance = (p1 * (1 - p1) + p0 * (1 - p0)) / visitors
        if method == "sequential":
            n = 2.0 * visitors
            rho2 = sequential.rho_squared(alpha=each, planned_n=planned_pair)
            grown = n * rho2 + 1
            width = np.sqrt(variance * n * 2 * grown / (n * n * rho2) * np.log(np.sqrt(grown) / each))
        else:
            width = stats.norm.isf(each / 2) * np.sqrt(variance)
        out.append(np.abs(p1 - p0) > width)
    return np.stack(out)


def rate(hits: np.ndarray) -> str:
    return f"{100 * hits.mean():5.1f} %"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--simulations", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    sims = args.simulations
    plan_day = 10
    planned_pair = 2.0 * PER_DAY * plan_day
    print(f"{sims:,} simulations a scenario, seed {args.seed}, baseline 3 %, α {ALPHA}, {PER_DAY:,}/arm/day")
    print("A/A false-positive rate (any look excludes zero)        fixed   sequential")
    two = cumulative(rng, sims, 30, 2)
    three = cumulative(rng, sims, 30, 3)
    ext = [plan_day - 1, math.ceil(plan_day * 1.5) - 1, math.ceil(plan_day * 1.5 * 1.5) - 1]
    rows = [
        ("read once, at the planned sample (day 10)", two, [plan_day - 1]),
        ("read daily from the plan (day 10) to day 20", two, list(range(plan_day - 1, 20))),
        ("3 arms, read daily from day 10 to day 20", three, list(range(plan_day - 1, 20))),
        ("read daily from day 1 to day 30", two, list(range(30))),
        ("extended ×1.5 twice (looks on days 10, 15, 23)", two, ext),
    ]
    for label, conv, looks in rows:
        fixed = decided(conv, method="fixed", planned_pair=planned_pair, alpha=ALPHA)[:, :, looks]
        always = decided(conv, method="sequential", planned_pair=planned_pair, alpha=ALPHA)[:, :, looks]
        print(f"  {label:<52} {rate(fixed.any(axis=(0, 2)))}   {rate(always.any(axis=(0, 2)))}")
    print("Power for a true +10 % lift (3.0 % → 3.3 %), 80 % planned")
    for method in ("fixed", "sequential"):
        planned = ab_stats.plan(
            baseline=BASELINE, mde=0.10, relative=True, alpha=ALPHA, power=0.8, weights=[1, 1],
            sequential=method == "sequential",
        )  # fmt: skip
        days = math.ceil(planned.needed[0] / PER_DAY)
        conv = cumulative(rng, sims, days, 2, lift=0.10)
        hits = decided(conv, method=method, planned_pair=2.0 * planned.needed[0], alpha=ALPHA)[0]
        wording = "at the planned sample" if method == "fixed" else "by the planned sample (daily looks)"
        found = hits[:, -1] if method == "fixed" else hits.any(axis=1)
        ends = np.where(hits.any(axis=1), hits.argmax(axis=1) + 1, days) if method == "sequential" else days
        print(
            f"  {method:<10} plan {planned.needed[0]:>7,}/arm ({days} days): {rate(found)} {wording}; "
            f"mean days to a decision or the plan {np.mean(ends):.1f}"
        )


if __name__ == "__main__":
    main()
