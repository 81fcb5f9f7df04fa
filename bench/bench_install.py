"""What "Add to Slack" costs a request: signed `/req add` against `tradewind serve` with one bot token
(SLACK_BOT_TOKEN) and with the installation store (SLACK_CLIENT_ID: every request is authorized with its
team's token, read from slack_bots), on the same database, same stack, same client as bench_slack.py.

    python bench/bench_install.py [--backends sqlite,postgres] [--requests 2000] [--concurrency 1,8,32]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_slack import (  # a script beside this one
    admin_sql,
    fire,
    percentile,
    signed_requests,
    start_fake_slack,
    start_server,
    stop_server,
    with_database,
)

CLIENT_ID = "1111.2222"


def seed_installation(database_url: str) -> None:
    """Migrate, then store T1's installation as the OAuth flow would."""
    from slack_sdk.oauth.installation_store import Bot
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

    from bot.db import make_engine
    from bot.migrate import migrate

    engine = make_engine(database_url)
    migrate(engine)
    store = SQLAlchemyInstallationStore(client_id=CLIENT_ID, engine=engine)
    store.save_bot(
        Bot(app_id="A1", team_id="T1", team_name="bench", bot_token="xoxb-T1-bench", bot_id="B1", bot_user_id="UBOT",
            bot_scopes="commands,chat:write", installed_at=time.time())
    )  # fmt: skip
    engine.dispose()


def credentials(mode: str) -> dict[str, str]:
    if mode == "one token":
        return {"SLACK_BOT_TOKEN": "xoxb-bench"}
    return {"SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": "bench", "SLACK_STATE_SECRET": "bench"}


def run(backend: str, database_url: str, api_url: str, args: argparse.Namespace, logs: Path) -> list[str]:
    seed_installation(database_url)
    lines = []
    for mode in ("one token", "installed"):
        log = logs / f"{backend}-{mode}.log"
        proc, port = start_server("tradewind", database_url, api_url, log, credentials=credentials(mode))
        try:
            warm = [f"add warm {mode} {i} market=US" for i in range(args.warmup)]
            asyncio.run(fire(port, signed_requests(port, warm, api_url), max(args.concurrency)))
            for level in args.concurrency:
                texts = [f"add Bench {mode} {level}-{i} market=US,DE platform=amazon" for i in range(args.requests)]
                wall, latencies, failures = asyncio.run(fire(port, signed_requests(port, texts, api_url), level))
                latencies.sort()
                line = (
                    f"{backend:8} {mode:10} {level:>4} {len(latencies) / wall:>8.0f} "
                    f"{percentile(latencies, 0.5) * 1000:>7.2f} {percentile(latencies, 0.99) * 1000:>7.2f} "
                    f"{len(failures):>5}"
                )
                for failure in sorted(set(failures))[:3]:
                    print(f"  ! {failure}", file=sys.stderr)
                print(line, file=sys.stderr)
                lines.append(line)
        finally:
            stop_server(proc)
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--concurrency", default="1,8,32")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    args.concurrency = [int(c) for c in args.concurrency.split(",")]
    fake, api_url = start_fake_slack()
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="tradewind-bench-") as tmp:
        logs = Path(tmp)
        for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
            if backend == "sqlite":
                lines += run(backend, f"sqlite:///{logs / 'bench.db'}", api_url, args, logs)
            else:
                admin_sql(args.pg_url, "DROP DATABASE IF EXISTS tradewind_bench_install WITH (FORCE)")
                admin_sql(args.pg_url, "CREATE DATABASE tradewind_bench_install")
                try:
                    lines += run(backend, with_database(args.pg_url, "tradewind_bench_install"), api_url, args, logs)
                finally:
                    admin_sql(args.pg_url, "DROP DATABASE IF EXISTS tradewind_bench_install WITH (FORCE)")
        for log in sorted(logs.glob("*.log")):
            problems = [x for x in log.read_text(errors="replace").splitlines() if "ERROR" in x or "Traceback" in x]
            if problems:
                print(f"  {log.name}: {len(problems)} error lines, first: {problems[0][:200]}", file=sys.stderr)
    fake.shutdown()
    print(f"\n{'backend':8} {'mode':10} {'conc':>4} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'fail':>5}")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
