"""Build and render one channel's standup digest for a workspace with 10,000 requirements (most of them
scored, with market weights), approvals, 1,000 risks, 500 experiments with results and a long audit
log: wall time and peak resident memory.

The workspace is seeded in this process; the digest is measured in a fresh child process
(`--measure`), so that its peak RSS is that of the digest work plus the interpreter and libraries, not
of the seeding. The peak is the child's own high-water mark (VmHWM in /proc/self/status): getrusage's
ru_maxrss keeps, across the exec, the RSS of the process it was forked from — the seeding parent, 680 MB
at 100,000 requirements — so it reported the seeding, not the digest. Each run opens a transaction,
reads the window since the channel's last digest, builds every section and draws the summary and every
thread page as Block Kit JSON, validated as before sending.

    python bench/bench_digest.py [--backends sqlite,postgres] [--requirements 10000] [--window-new 300]
        [--window-moves 600] [--answers 20] [--rescores 200] [--approvals 300] [--risks 1000]
        [--experiments 500] [--repeat 7] [--front slack|lark] [--json out.json]

`--front lark` draws the parts as Lark cards (checked, 30 KB each) instead of Block Kit; "blocks" then
counts the cards' top-level elements.

The rows of the other features are seeded by bench/digest_seed_features.py.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

GOAL_MS = 500.0
GOAL_MB = 200.0
UNTIL = datetime(2026, 6, 2, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai
MARKETS = ("US", "DE", "GB", "FR", "JP", "SG", "MY", "AU", "CA", "IT")
CHANNEL_MARKETS = "DE,GB,US"
FLOW = ("new", "triaged", "approved", "in_progress", "shipped")


def seed(url: str, args: argparse.Namespace) -> None:
    import digest_seed_features as features
    from sqlalchemy import insert

    from bot.db import make_engine
    from bot.migrate import migrate
    from models.audit import AuditEntry
    from models.digest.run import DigestRun
    from models.digest.schedule import DigestChannel
    from models.requirements.requirement import Requirement, RequirementMarket
    from models.standup.answer import StandupAnswer
    from models.workspace import Counter, Member, Workspace

    rng = random.Random(7)
    engine = make_engine(url)
    migrate(engine)
    window_start = UNTIL - timedelta(days=1)
    n = args.requirements
    with engine.begin() as conn:
        conn.execute(insert(Workspace).values(id=1, platform="slack", external_id="T1", created_at=window_start))
        members = [
            {"id": i, "workspace_id": 1, "external_id": f"U{i:03d}", "display_name": f"pm{i}", "created_at": UNTIL}
            for i in range(1, max(25, args.answers) + 1)
        ]
        conn.execute(insert(Member), members)
        requirements, markets, audit = [], [], []
        new_in_window = set(rng.sample(range(n), args.window_new))
        for i in range(n):
            created = (
                window_start + timedelta(seconds=rng.uniform(0, 86_000))
                if i in new_in_window
                else UNTIL - timedelta(days=rng.uniform(1.01, 90))
            )
            steps = rng.randint(0, 3)
            status = FLOW[steps] if rng.random() > 0.1 else rng.choice(("rejected", "parked"))
            requester = rng.randint(1, 25)
            requirements.append(
                {
                    "id": i + 1,
                    "workspace_id": 1,
                    "number": i + 1,
                    "title": f"Requirement {i + 1}: " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 14))),
                    "status": status,
                    "requester_id": requester,
                    "owner_id": rng.choice((None, rng.randint(1, 25))),
                    "created_at": created,
                    "updated_at": created,
                }
            )
            markets += [{"requirement_id": i + 1, "market": m} for m in rng.sample(MARKETS, rng.randint(1, 3))]
            audit.append(_entry(i + 1, requester, "create", {"title": [None, "…"]}, created))
            audit.append(_entry(i + 1, requester, "edit", {"metric": [None, "CVR +5%"]}, created + timedelta(hours=1)))
            for step in range(steps):
                at = min(created + timedelta(days=step + 1), UNTIL - timedelta(days=1, seconds=1))
                audit.append(_entry(i + 1, rng.randint(1, 25), "status", {"status": [FLOW[step], FLOW[step + 1]]}, at))
        moved = rng.sample([r for r in requirements if r["status"] in FLOW[:-1]], args.window_moves)
        for r in moved:
            at = window_start + timedelta(seconds=rng.uniform(0, 86_000))
            audit.append(_entry(r["id"], rng.randint(1, 25), "status", {"status": [r["status"], "parked"]}, at))
            r["status"], r["updated_at"] = "parked", at
        conn.execute(insert(Requirement), requirements)
        conn.execute(insert(RequirementMarket), markets)
        tagged: dict[int, list[str]] = {}
        for row in markets:
            tagged.setdefault(row["requirement_id"], []).append(row["market"])
        window = (window_start, UNTIL)
        audit += features.seed_scores(conn, rng, requirements, tagged, window, args.rescores, _entry)
        audit += features.seed_approvals(conn, rng, requirements, window, args.approvals, _entry)
        audit += features.seed_risks(conn, rng, args.risks, MARKETS, window)
        audit += features.seed_experiments(conn, rng, args.experiments, MARKETS, window)
        audit.sort(key=lambda e: e["at"])  # ids follow time, as they do in a live database
        for number, entry in enumerate(audit, start=1):
            entry["id"] = number
        before_window = max(e["id"] for e in audit if e["at"] <= window_start)
        for start in range(0, len(audit), 5000):
            conn.execute(insert(AuditEntry), audit[start : start + 5000])
        conn.execute(insert(Counter).values(workspace_id=1, kind="REQ", value=n))
        conn.execute(
            insert(DigestChannel).values(
                id=1,
                workspace_id=1,
                channel_ref="C1",
                enabled=True,
                at_time="09:30",
                tz="Asia/Shanghai",
                days="mon,tue,wed,thu,fri",
                always=False,
                markets=CHANNEL_MARKETS,
                effective_from=UNTIL - timedelta(days=30),
                created_at=UNTIL - timedelta(days=30),
                updated_at=UNTIL - timedelta(days=30),
            )
        )
        conn.execute(
            insert(DigestRun).values(
                workspace_id=1,
                channel_ref="C1",
                kind="scheduled",
                day=window_start.date(),
                slot_at=window_start,
                state="posted",
                attempts=0,
                since_at=window_start - timedelta(days=1),
                covers_until=window_start,
                audit_after=0,
                audit_upto=before_window,
                parts_total=2,
                parts_done=2,
                created_at=window_start,
                updated_at=window_start,
            )
        )
        answers = [
            {
                "workspace_id": 1,
                "channel_ref": "C1",
                "member_id": m,
                "day": UNTIL.date(),
                "yesterday": " ".join(rng.choice(WORDS) for _ in range(30)),
                "today": " ".join(rng.choice(WORDS) for _ in range(30)),
                "blockers": "waiting on the customs broker" if m % 4 == 0 else None,
                "created_at": UNTIL - timedelta(hours=2),
                "updated_at": UNTIL - timedelta(hours=1, minutes=m),
            }
            for m in range(1, args.answers + 1)
        ]
        if answers:
            conn.execute(insert(StandupAnswer), answers)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")  # as autovacuum would have by then
    engine.dispose()
    print(
        f"  seeded {n} requirements, {len(markets)} market rows, {args.risks} risks, {args.experiments} experiments,"
        f" {args.approvals} approvals, {len(audit)} audit entries",
        file=sys.stderr,
    )


def _entry(requirement_id: int, actor: int, action: str, changes: dict[str, Any], at: datetime) -> dict[str, Any]:
    return {
        "workspace_id": 1,
        "actor_id": actor,
        "entity": "requirement",
        "entity_id": requirement_id,
        "action": action,
        "changes": changes,
        "at": at,
    }


def measure(url: str, repeat: int, front: str = "slack") -> dict[str, Any]:
    """In a fresh process: build and draw the digest `repeat` times; first (cold) and median times."""
    from bot.db import make_engine, session_scope
    from bot.render.viewer import Viewer
    from handlers.digest.build import build, scope_for
    from models.digest.schedule import channel_settings

    engine = make_engine(url)
    if front == "lark":
        from bot.render.lark import LarkRenderer

        lark = LarkRenderer()

        def draw(part: Any, viewer: Viewer) -> dict[str, Any]:
            card = lark.card(part, viewer)
            return {**card, "blocks": card["body"]["elements"]}

    else:
        from bot.render.slack import SlackRenderer

        draw = SlackRenderer().message
    viewer = Viewer("en", "Asia/Shanghai")
    results: dict[str, Any] = {}
    for scenario, first_digest in (("since the last digest", False), ("first digest (no earlier run)", True)):
        times, shape = [], {}
        for _ in range(repeat):
            began = time.perf_counter()
            with session_scope(engine) as db:
                settings = channel_settings(db=db, workspace_id=1, channel_ref="C1")
                scope = scope_for(
                    db,
                    workspace_id=1,
                    channel_ref="C1",
                    settings=settings,
                    until=UNTIL,
                    tz="Asia/Shanghai",
                    fallback_since=UNTIL - timedelta(days=1),
                    exclude_run=1 if first_digest else None,
                )
                digest = build(db, scope, lang="en", day=UNTIL.date())
            messages = [draw(part, viewer) for part in digest.parts]
            times.append((time.perf_counter() - began) * 1000)
            shape = {
                "messages": len(messages),
                "blocks": sum(len(m["blocks"]) for m in messages),
                "bytes": sum(len(json.dumps(m, ensure_ascii=False).encode()) for m in messages),
            }
        results[scenario] = {"first_ms": times[0], "median_ms": statistics.median(times[1:] or times), **shape}
    results["peak_rss_mb"] = peak_rss_mb()
    return results


def peak_rss_mb() -> float:
    """This process's own peak RSS since its exec (Linux), else getrusage's (which may include the parent's)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_backend(url: str, args: argparse.Namespace) -> dict[str, Any]:
    seed(url, args)
    child = subprocess.run(
        [sys.executable, __file__, "--measure", url, "--repeat", str(args.repeat), "--front", args.front],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(child.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--requirements", type=int, default=10_000)
    parser.add_argument("--window-new", type=int, default=300, help="requirements logged since the last digest")
    parser.add_argument("--window-moves", type=int, default=600, help="status moves since the last digest")
    parser.add_argument("--answers", type=int, default=20, help="standup answers since the last digest")
    parser.add_argument("--rescores", type=int, default=200, help="requirements re-scored since the last digest")
    parser.add_argument("--approvals", type=int, default=300)
    parser.add_argument("--risks", type=int, default=1000)
    parser.add_argument("--experiments", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--front", choices=("slack", "lark"), default="slack", help="draw Block Kit or Lark cards")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.repeat, args.front)))
        return 0
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="tradewind-digest-bench-") as tmp:
        for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
            print(f"== {backend}", file=sys.stderr)
            if backend == "sqlite":
                results[backend] = run_backend(f"sqlite:///{Path(tmp) / 'bench.db'}", args)
            elif backend == "postgres":
                try:
                    admin_sql(args.pg_url, "DROP DATABASE IF EXISTS tradewind_digest_bench WITH (FORCE)")
                    admin_sql(args.pg_url, "CREATE DATABASE tradewind_digest_bench")
                except Exception as err:
                    print(f"  skipping PostgreSQL: {args.pg_url} is unreachable ({err})", file=sys.stderr)
                    continue
                try:
                    results[backend] = run_backend(with_database(args.pg_url, "tradewind_digest_bench"), args)
                finally:
                    admin_sql(args.pg_url, "DROP DATABASE IF EXISTS tradewind_digest_bench WITH (FORCE)")
            else:
                parser.error(f"unknown backend {backend}")
    report(results, args)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


def report(results: dict[str, Any], args: argparse.Namespace) -> None:
    print(
        f"\n{args.requirements} requirements, {args.risks} risks, {args.experiments} experiments, {args.approvals}"
        f" approvals; since the last digest: {args.window_new} new, {args.window_moves} moves, {args.rescores}"
        f" re-scores, {args.answers} standup answers; channel markets {CHANNEL_MARKETS}; drawn for {args.front}"
    )
    print(f"{'backend':9} {'scenario':32} {'cold ms':>8} {'median ms':>10} {'msgs':>5} {'blocks':>7} {'KB':>6}")
    for backend, found in results.items():
        for scenario, r in found.items():
            if isinstance(r, dict):
                print(
                    f"{backend:9} {scenario:32} {r['first_ms']:>8.1f} {r['median_ms']:>10.1f} {r['messages']:>5}"
                    f" {r['blocks']:>7} {r['bytes'] / 1024:>6.1f}"
                )
    print("\nGoals")
    for backend, found in results.items():
        worst = max(r["first_ms"] for r in found.values() if isinstance(r, dict))
        goal(backend, "build + draw, worst cold run, ms", worst, GOAL_MS)
        goal(backend, "peak RSS of the measuring process, MB", found["peak_rss_mb"], GOAL_MB)


def goal(backend: str, name: str, value: float, target: float) -> None:
    print(f"{backend:9} {name:38} {value:8.1f}  target {target:<6} {_ok(value, target)}")


def _ok(value: float, target: float) -> str:
    return "PASS" if value < target else "FAIL"


def with_database(pg_url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(pg_url).set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)


def admin_sql(pg_url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(pg_url.replace("+psycopg", ""), autocommit=True, connect_timeout=3) as conn:
        conn.execute(statement)  # type: ignore[arg-type]


WORDS = (
    "listing A+ page FBA label customs HS code VAT bundle coupon banner returns carrier freight SKU price "
    "review rating localisation 包邮 门槛 日本站 德国站 旺季 备货 头程 退货率 广告 转化率 Shopee TikTok Temu"
).split()


if __name__ == "__main__":
    raise SystemExit(main())
