"""Seeding for bench_digest.py: scores (with market weights and re-scores), approvals, risks and
experiments with results, each with the audit entries their features write, some inside the window
since the channel's last digest. Rows are built as dicts and inserted in bulk by the caller's connection."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Connection

from models.approvals.approval import Approval, ApprovalStep
from models.experiments.experiment import Experiment
from models.experiments.result import ExperimentDaily, ExperimentTotal
from models.risks.grid import score as risk_score
from models.risks.risk import Risk, RiskMarket, RiskScore
from models.scoring import rice as math
from models.scoring.rice import RiceInputs
from models.scoring.score import MarketWeight, RequirementScore, ScoreEntry, ScoreMarket
from models.workspace import Counter

WEIGHTS = {"US": "0.35", "DE": "0.2", "GB": "0.1", "FR": "0.08", "JP": "0.12", "SG": "0.05", "AU": "0.05", "CA": "0.05"}
IMPACTS = ("3", "2", "1", "0.5", "0.25")
CATEGORIES = ("fx", "tariff", "logistics", "quality", "returns", "platform", "privacy", "supplier", "other")
NEEDED = 53_182  # per arm: 3 % baseline, 10 % relative MDE, α 0.05, power 0.8


def _bulk(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), 5000):
        conn.execute(insert(table), rows[start : start + 5000])


def seed_scores(
    conn: Connection,
    rng: random.Random,
    requirements: list[dict[str, Any]],
    markets: dict[int, list[str]],
    window: tuple[datetime, datetime],
    rescores: int,
    entry: Any,
) -> list[dict[str, Any]]:
    """Most requirements RICE-scored (some with reach split by market), market weights, and `rescores`
    of them re-scored inside the window. Returns the audit entries."""
    start, until = window
    weights = {m: Decimal(w) for m, w in WEIGHTS.items()}
    _bulk(conn, MarketWeight, [{"workspace_id": 1, "market": m, "weight": w} for m, w in weights.items()])
    scores, per_market, entries, audit = [], [], [], []
    scored = [r for r in requirements if rng.random() < 0.85]
    moved = {r["id"] for r in rng.sample(scored, rescores)}
    for r in scored:
        rid, tags = r["id"], markets[r["id"]]
        history = [_inputs(rng, tags)]
        if rid in moved:
            jump = rng.random() < 0.1  # now and then a re-score big enough for the top ten
            history.append(_inputs(rng, tags, jump=jump))
        for n, inputs in enumerate(history):
            at = r["created_at"] + timedelta(hours=2) if n == 0 else start + timedelta(seconds=rng.uniform(0, 86_000))
            data = {"reach": inputs.reach, "impact": str(inputs.impact), "confidence": inputs.confidence}
            data |= {"effort": str(inputs.effort)}
            if inputs.reach_by_market:
                data["by_market"] = dict(inputs.reach_by_market)
            value = math.plain(inputs.score)
            entries.append(
                {"workspace_id": 1, "requirement_id": rid, "actor_id": r["requester_id"], "method": "rice"}
                | {"inputs": data, "value": value, "at": at}
            )
            old = math.plain(history[n - 1].score) if n else None
            audit.append(entry(rid, r["requester_id"], "score", {"rice": [old, value]}, at))
        inputs = history[-1]
        scores.append(
            {
                "requirement_id": rid,
                "workspace_id": 1,
                "reach": inputs.reach,
                "reach_split": bool(inputs.reach_by_market),
                "impact": inputs.impact,
                "confidence": inputs.confidence,
                "effort": inputs.effort,
                "rice": inputs.score,
                "weighted_rice": math.weighted_rice(inputs, tags, weights),
                "moscow": rng.choice((None, "must", "should", "could", "wont")),
                "updated_at": until - timedelta(days=1),
            }
        )
        for market, reach in math.reach_by_market(inputs, tags).items():
            value = math.rice(reach, inputs.impact, inputs.confidence, inputs.effort)
            per_market.append({"requirement_id": rid, "market": market, "reach": reach, "rice": value})
    _bulk(conn, RequirementScore, scores)
    _bulk(conn, ScoreMarket, per_market)
    _bulk(conn, ScoreEntry, entries)
    return audit


def _inputs(rng: random.Random, tags: list[str], *, jump: bool = False) -> RiceInputs:
    reach = rng.randint(100, 200_000) * (20 if jump else 1)
    split: dict[str, int] = {}
    if len(tags) > 1 and rng.random() < 0.3:
        cut = rng.randint(0, reach)
        split = {tags[0]: cut, tags[1]: reach - cut}
    impact, confidence = Decimal(rng.choice(IMPACTS)), rng.choice((100, 80, 50))
    effort = Decimal(rng.choice(("0.5", "1", "1.5", "2", "3", "5", "8")))
    return RiceInputs(reach, impact, confidence, effort, split)


def seed_approvals(
    conn: Connection,
    rng: random.Random,
    requirements: list[dict[str, Any]],
    window: tuple[datetime, datetime],
    count: int,
    entry: Any,
) -> list[dict[str, Any]]:
    """`count` approvals: a fifth still pending, a third decided inside the window, the rest earlier."""
    start, until = window
    rows, steps, audit = [], [], []
    for n, r in enumerate(rng.sample(requirements, count), start=1):
        kind = n % 15
        submitted = (
            start + timedelta(seconds=rng.uniform(0, 40_000))
            if kind in (0, 1)
            else until - timedelta(days=rng.uniform(1.2, 20))
        )
        pending = kind < 3
        decided_at = None
        state = "pending"
        if not pending:
            decided_at = (
                start + timedelta(seconds=rng.uniform(40_000, 86_000))
                if kind < 8 and submitted > start - timedelta(days=3)
                else submitted + timedelta(hours=rng.uniform(1, 20))
            )
            decided_at = min(decided_at, until - timedelta(minutes=1))
            state = rng.choice(("approved", "approved", "rejected", "changes"))
        approvers = rng.sample(range(1, 26), rng.randint(1, 3))
        rows.append(
            {
                "id": n,
                "workspace_id": 1,
                "requirement_id": r["id"],
                "requester_id": r["requester_id"],
                "mode": "all" if len(approvers) > 1 and rng.random() < 0.3 else "any",
                "state": state,
                "submitted_status": "triaged",
                "decided_by": approvers[0] if decided_at else None,
                "decided_at": decided_at,
                "version": 1,
                "created_at": submitted,
            }
        )
        for position, member in enumerate(approvers):
            vote = "pending" if pending else (state if position == 0 else "pending")
            steps.append({"approval_id": n, "member_id": member, "position": position, "vote": vote})
        audit.append(entry(r["id"], r["requester_id"], "submit", {"approval": n, "mode": rows[-1]["mode"]}, submitted))
        if decided_at is not None:
            changes = {"approval": n, "state": ["pending", state], "reason": None}
            audit.append(entry(r["id"], approvers[0], "decide", changes, decided_at))
    _bulk(conn, Approval, rows)
    _bulk(conn, ApprovalStep, steps)
    return audit


def seed_risks(
    conn: Connection, rng: random.Random, count: int, markets: tuple[str, ...], window: tuple[datetime, datetime]
) -> list[dict[str, Any]]:
    """`count` risks on the 5×5 grid: some filed and some re-scored inside the window, reviews due
    around today (many overdue). Returns the audit entries (entity risk)."""
    start, until = window
    rows, tags, scores, audit = [], [], [], []
    for n in range(1, count + 1):
        created = (
            start + timedelta(seconds=rng.uniform(0, 86_000))
            if n % 16 == 0
            else until - timedelta(days=rng.uniform(1.1, 120))
        )
        likelihood, impact = rng.randint(1, 5), rng.randint(1, 5)
        reporter = rng.randint(1, 25)
        status = rng.choices(("open", "accepted", "closed"), (70, 15, 15))[0]
        review = (until - timedelta(days=rng.randint(-30, 30))).date() if rng.random() < 0.7 else None
        rows.append(
            {
                "id": n,
                "workspace_id": 1,
                "number": n,
                "title": f"Risk {n}: "
                + rng.choice(("EUR/CNY swing", "US tariff change", "FBA label rule"))
                + " "
                + rng.choice(("DE", "US", "JP", "peak season", "carrier")),
                "category": rng.choice(CATEGORIES),
                "likelihood": likelihood,
                "impact": impact,
                "score": risk_score(likelihood, impact),
                "status": status,
                "reporter_id": reporter,
                "owner_id": rng.choice((None, rng.randint(1, 25))),
                "review_every_days": 7 if review else None,
                "next_review": review,
                "created_at": created,
                "updated_at": created,
            }
        )
        tags += [{"risk_id": n, "market": m} for m in rng.sample(markets, rng.randint(0, 3))]
        scores.append(
            {"risk_id": n, "likelihood": likelihood, "impact": impact, "score": rows[-1]["score"], "actor_id": reporter}
            | {"at": created}
        )
        audit.append(_risk_entry(n, reporter, "create", {"likelihood": [None, likelihood]}, created))
        if n % 12 == 1 and created < start and status != "closed":  # re-scored inside the window
            old = risk_score(max(1, likelihood - 2), impact)
            at = start + timedelta(seconds=rng.uniform(0, 86_000))
            audit.append(_risk_entry(n, reporter, "edit", {"score": [old, rows[-1]["score"]]}, at))
    _bulk(conn, Risk, rows)
    _bulk(conn, RiskMarket, tags)
    _bulk(conn, RiskScore, scores)
    conn.execute(insert(Counter).values(workspace_id=1, kind="RISK", value=count))
    return audit


def _risk_entry(risk_id: int, actor: int, action: str, changes: dict[str, Any], at: datetime) -> dict[str, Any]:
    return {
        "workspace_id": 1,
        "actor_id": actor,
        "entity": "risk",
        "entity_id": risk_id,
        "action": action,
        "changes": changes,
        "at": at,
    }


def seed_experiments(
    conn: Connection, rng: random.Random, count: int, markets: tuple[str, ...], window: tuple[datetime, datetime]
) -> list[dict[str, Any]]:
    """`count` A/B tests, two arms each: drafts, running ones (many fed results inside the window),
    stopped and shipped ones; results as daily rows for half of them and typed totals for the rest."""
    start, until = window
    rows, daily, totals, audit = [], [], [], []
    for n in range(1, count + 1):
        status = rng.choices(("draft", "running", "stopped", "shipped"), (20, 50, 15, 15))[0]
        created = until - timedelta(days=rng.uniform(2, 90))
        requester = rng.randint(1, 25)
        tags = rng.sample(markets, rng.randint(1, 2))
        started = None if status == "draft" else created + timedelta(hours=4)
        if status == "running" and n % 10 == 0:
            started = start + timedelta(seconds=rng.uniform(0, 40_000))  # started inside the window
        rows.append(
            {
                "id": n,
                "workspace_id": 1,
                "number": n,
                "name": f"Test {n}: " + rng.choice(("A+ hero image", "free shipping banner", "bundle price")),
                "metric": "conversion",
                "markets": ",".join(sorted(tags)),
                "baseline": 0.03,
                "mde": 0.1,
                "mde_relative": True,
                "alpha": 0.05,
                "power": 0.8,
                "traffic_per_day": 4000,
                "arms": ["control", "variant"],
                "split": [0.5, 0.5],
                "needed": [NEEDED, NEEDED],
                "status": status,
                "decision": {"stopped": "stop", "shipped": "ship"}.get(status),
                "extensions": 0,
                "data_version": 0 if status == "draft" else 3,
                "requester_id": requester,
                "started_at": started,
                "created_at": created,
                "updated_at": created,
            }
        )
        if started is None:
            continue
        if started >= start:
            audit.append(_exp_entry(n, requester, "status", {"status": ["draft", "running"]}, started))
        fed = status == "running" and rng.random() < 0.6
        at = start + timedelta(seconds=rng.uniform(40_000, 86_000)) if fed else started + timedelta(days=1)
        visitors = rng.randint(5_000, 80_000)
        skew = 0.9 if rng.random() < 0.05 else 1.0  # a broken split now and then
        rates = {"control": 0.03, "variant": 0.03 * rng.choice((1.0, 1.0, 1.12, 0.9))}
        counts = {arm: (int(visitors * (skew if arm == "variant" else 1)), 0) for arm in ("control", "variant")}
        counts = {arm: (v, int(v * rates[arm] * rng.uniform(0.97, 1.03))) for arm, (v, _) in counts.items()}
        if n % 2:
            days = 28
            first = (at - timedelta(days=days)).date()
            for d in range(days):
                for market in tags:
                    for arm, (v, c) in counts.items():
                        share = len(tags) * days
                        daily.append(
                            {"experiment_id": n, "market": market, "arm": arm, "day": first + timedelta(days=d)}
                            | {"visitors": v // share, "conversions": c // share}
                        )
            audit.append(_exp_entry(n, requester, "import", {"file": [None, "daily.csv"]}, at))
        else:
            for arm, (v, c) in counts.items():
                totals.append(
                    {"experiment_id": n, "market": "", "arm": arm, "visitors": v, "conversions": c, "recorded_at": at}
                )
            audit.append(_exp_entry(n, requester, "result", {"market": [None, None]}, at))
    _bulk(conn, Experiment, rows)
    _bulk(conn, ExperimentDaily, daily)
    _bulk(conn, ExperimentTotal, totals)
    conn.execute(insert(Counter).values(workspace_id=1, kind="EXP", value=count))
    return audit


def _exp_entry(experiment_id: int, actor: int, action: str, changes: dict[str, Any], at: datetime) -> dict[str, Any]:
    return {
        "workspace_id": 1,
        "actor_id": actor,
        "entity": "experiment",
        "entity_id": experiment_id,
        "action": action,
        "changes": changes,
        "at": at,
    }
