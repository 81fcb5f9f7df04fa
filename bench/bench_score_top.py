"""Load-test `/score top` on a scored backlog of 10,000 requirements in PostgreSQL.

Seeds the backlog (markets, RICE with reach split by market for some, ICE, MoSCoW, market weights),
starts `tradewind serve`, and fires signed `/score top` slash commands at it with the asyncio client
of bench_slack.py (which also provides the fake Slack Web API and the server start and stop).

    python bench/bench_score_top.py [--requirements 10000] [--requests 2000] [--concurrency 1,8,32] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_slack as base  # the sibling script: fake Slack, server control, load client

GOAL_P99_MS = 150.0
GOAL_CONCURRENCY = 8
MARKETS = ["US", "DE", "GB", "FR", "JP", "SG", "MY", "TH", "MX"]
WEIGHTS = {"US": "0.4", "DE": "0.2", "GB": "0.1", "FR": "0.05", "JP": "0.1", "SG": "0.05", "MY": "0.05", "TH": "0.05"}
TOPICS = ["A+ page", "bundle", "VAT checkout", "carton"]
COMMANDS = {
    "top": "top",
    "top market": "top 20 market=DE by=weighted",
}
FIXED_FIELDS = (
    "token=bench-verification-token&team_id=T1&team_domain=bench&channel_id=C1&channel_name=product"
    "&command=%2Fscore&api_app_id=A1"
)


@dataclass
class Result:
    command: str
    concurrency: int
    requests: int
    failures: int
    rps: float
    p50_ms: float
    p99_ms: float


def seed(database_url: str, count: int, rng: random.Random) -> None:
    """A workspace as Slack team T1 with `count` requirements, most of them scored."""
    from sqlalchemy import insert

    from bot.db import make_engine
    from bot.migrate import migrate
    from models.requirements.requirement import Requirement, RequirementMarket
    from models.scoring import rice as math
    from models.scoring.score import MarketWeight, RequirementScore, ScoreMarket
    from models.workspace import Counter, Member, Role, ensure_workspace

    engine = make_engine(database_url)
    migrate(engine)
    from sqlmodel import Session

    now = base_now()
    weights = {m: Decimal(w) for m, w in WEIGHTS.items()}
    with Session(engine) as db:
        workspace = ensure_workspace(
            db=db, platform="slack", external_id="T1", name="bench", default_lang="en", default_tz="UTC"
        )
        wid = workspace.id
        members = []
        for n, user in enumerate(base.USERS):
            role = Role.ADMIN if n == 0 else Role.MEMBER
            row = {"workspace_id": wid, "external_id": user, "display_name": user.lower(), "role": role}
            members.append(db.connection().execute(insert(Member).returning(Member.id), [row]).scalar_one())
        requirements, markets, scores, per_market = [], [], [], []
        for number in range(1, count + 1):
            requirements.append(
                {
                    "id": number,
                    "workspace_id": wid,
                    "number": number,
                    "title": f"Bench requirement {number}: {rng.choice(TOPICS)}",
                    "status": rng.choice(["new", "new", "triaged", "approved", "in_progress", "shipped", "parked"]),
                    "requester_id": rng.choice(members),
                    "owner_id": rng.choice([None, *members]),
                    "created_at": now,
                    "updated_at": now,
                }
            )
            chosen = sorted(rng.sample(MARKETS, rng.randint(0, 3)))
            markets += [{"requirement_id": number, "market": m} for m in chosen]
            if rng.random() < 0.1:
                continue  # unscored
            split = {m: rng.randint(0, 5000) for m in chosen} if chosen and rng.random() < 0.3 else {}
            inputs = math.RiceInputs(
                sum(split.values()) if split else rng.randint(0, 20000),
                rng.choice(math.IMPACTS),
                rng.choice(math.CONFIDENCES),
                Decimal(rng.choice(["0.25", "0.5", "1", "1.5", "2", "3", "5", "8"])),
                split,
            )
            ice = (rng.randint(1, 10), rng.randint(1, 10), rng.randint(1, 10))
            scores.append(
                {
                    "requirement_id": number,
                    "workspace_id": wid,
                    "reach": inputs.reach,
                    "reach_split": bool(split),
                    "impact": inputs.impact,
                    "confidence": inputs.confidence,
                    "effort": inputs.effort,
                    "rice": inputs.score,
                    "weighted_rice": math.weighted_rice(inputs, chosen, weights),
                    "ice_impact": ice[0],
                    "ice_confidence": ice[1],
                    "ice_ease": ice[2],
                    "ice": math.ice(*ice),
                    "moscow": rng.choice([None, "must", "should", "could", "wont"]),
                    "updated_at": now,
                }
            )
            for market, reach in math.reach_by_market(inputs, chosen).items():
                rice = math.rice(reach, inputs.impact, inputs.confidence, inputs.effort)
                per_market.append({"requirement_id": number, "market": market, "reach": reach, "rice": rice})
        connection = db.connection()
        for table, rows in (
            (Requirement, requirements),
            (RequirementMarket, markets),
            (RequirementScore, scores),
            (ScoreMarket, per_market),
        ):
            for start in range(0, len(rows), 2000):
                connection.execute(insert(table), rows[start : start + 2000])
        weight_rows = [{"workspace_id": wid, "market": m, "weight": w} for m, w in weights.items()]
        connection.execute(insert(MarketWeight), weight_rows)
        connection.execute(insert(Counter), [{"workspace_id": wid, "kind": "REQ", "value": count}])
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("SELECT setval('requirement_id_seq', (SELECT max(id) FROM requirement))")
        try:
            from models.scoring import budget
        except ImportError:  # a checkout from before the budget was kept
            pass
        else:
            budget.rebuild(db=db, workspace_id=wid)  # the rows above were written past the models
        db.commit()
    engine.dispose()


def base_now():
    from models.base import utcnow

    return utcnow()


def signed(port: int, texts: list[str], response_url: str) -> list[bytes]:
    verifier = SignatureVerifier(base.SECRET)
    timestamp = str(int(time.time()))
    out = []
    for i, text in enumerate(texts):
        user = base.USERS[i % len(base.USERS)]
        fields = {"user_id": user, "user_name": user.lower(), "text": text, "trigger_id": f"{i}.{time.time_ns()}.bench"}
        fields["response_url"] = f"{response_url}commands/T1/{i}"
        body = f"{FIXED_FIELDS}&{urlencode(fields)}"
        signature = verifier.generate_signature(timestamp=timestamp, body=body)
        head = (
            f"POST /slack/events HTTP/1.1\r\nHost: {base.HOST}:{port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body.encode())}\r\n"
            f"X-Slack-Request-Timestamp: {timestamp}\r\nX-Slack-Signature: {signature}\r\n\r\n"
        )
        out.append(head.encode() + body.encode())
    return out


def check_answer(port: int, api_url: str) -> str:
    """One request, to show that the answer is a real ranking."""

    async def one() -> bytes:
        reader, writer = await asyncio.open_connection(base.HOST, port)
        writer.write(signed(port, ["top 3"], api_url)[0])
        _status, body, _ = await base.read_response(reader)
        writer.close()
        return body

    answer = json.loads(asyncio.run(one()))
    return answer["blocks"][1]["elements"][0]["text"] + " | " + answer["blocks"][2]["text"]["text"].replace("\n", " | ")


def measure(name: str, port: int, api_url: str, args: argparse.Namespace) -> list[Result]:
    text = COMMANDS[name]
    asyncio.run(base.fire(port, signed(port, [text] * args.warmup, api_url), max(args.concurrency)))
    results = []
    for level in args.concurrency:
        wall, latencies, failures = asyncio.run(base.fire(port, signed(port, [text] * args.requests, api_url), level))
        latencies.sort()
        for failure in sorted(set(failures))[:3]:
            print(f"  ! /score {text} c={level}: {failure}", file=sys.stderr)
        results.append(
            Result(f"/score {text}", level, args.requests, len(failures), rps=len(latencies) / wall,
                   p50_ms=base.percentile(latencies, 0.50) * 1000, p99_ms=base.percentile(latencies, 0.99) * 1000)
        )  # fmt: skip
        print(f"  /score {text:30} c={level:<3} {results[-1].rps:8.0f} req/s", file=sys.stderr)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requirements", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=2000, help="timed requests per concurrency level")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--concurrency", default="1,8,32")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    args.concurrency = [int(c) for c in args.concurrency.split(",")]
    name = "tradewind_bench_score"
    base.admin_sql(args.pg_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    base.admin_sql(args.pg_url, f"CREATE DATABASE {name}")
    url = base.with_database(args.pg_url, name)
    fake, api_url = base.start_fake_slack()
    results: list[Result] = []
    try:
        started = time.perf_counter()
        seed(url, args.requirements, random.Random(args.seed))
        base.analyze(url)
        print(f"seeded {args.requirements} requirements in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        with tempfile.TemporaryDirectory(prefix="tradewind-bench-") as tmp:
            log = Path(tmp) / "serve.log"
            proc, port = base.start_server("tradewind", url, api_url, log)
            try:
                print(f"answer: {check_answer(port, api_url)[:300]}", file=sys.stderr)
                for command in COMMANDS:
                    results += measure(command, port, api_url, args)
            finally:
                base.stop_server(proc)
            problems = [line for line in log.read_text(errors="replace").splitlines() if "ERROR" in line]
            if problems:
                print(f"  server log: {len(problems)} error lines, first: {problems[0][:200]}", file=sys.stderr)
    finally:
        fake.shutdown()
        base.admin_sql(args.pg_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    print(f"\nPostgreSQL, {args.requirements} requirements")
    print(f"{'command':40} {'conc':>4} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'fail':>5}")
    for r in results:
        print(f"{r.command:40} {r.concurrency:>4} {r.rps:>8.0f} {r.p50_ms:>7.2f} {r.p99_ms:>7.2f} {r.failures:>5}")
    goal = next((r for r in results if r.command == "/score top" and r.concurrency == GOAL_CONCURRENCY), None)
    ok = goal is not None and goal.p99_ms < GOAL_P99_MS and goal.failures == 0
    if goal:
        verdict = "PASS" if ok else "FAIL"
        print(f"\nGoal: /score top p99 at c={GOAL_CONCURRENCY} {goal.p99_ms:.2f} ms < {GOAL_P99_MS} ms: {verdict}")
    if args.json:
        args.json.write_text(json.dumps({"results": [asdict(r) for r in results], "goal_pass": ok}, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
