"""How the answer time grows with the backlog: `/req list`, `/req show`, `/score top` and `/req export` at
1k, 10k and 100k requirements, in process through the runtime (no HTTP), on SQLite and PostgreSQL.

Each backlog is seeded once (bench_score_top.py's seed: markets, RICE with reach split by market for
some, ICE, MoSCoW, weights); then every tree named by `--trees` is measured against the same database in
a child process of its own, the trees taking turns for `--rounds` rounds, so that an old and a new
checkout see the same data and the same machine. For `/req export`, "answer" is the command's time and
"file" is the time to build the CSV after the answer (0 where the tree builds it inside the answer).

    python bench/bench_growth.py [--backends sqlite,postgres] [--sizes 1000,10000,100000]
        [--trees /work/main=/work/main/.venv/bin/python,.] [--rounds 2] [--repeat 40] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

COMMANDS = (("list", "/req", "list"), ("show", "/req", "show REQ-{middle}"), ("top", "/score", "top"))


def measure(url: str, size: int, repeat: int) -> dict[str, float]:
    """In the child: p50 ms of each command, and of the export's answer and file."""
    from bot.db import make_engine
    from bot.runtime import Caller, Runtime
    from handlers import REGISTRY
    from handlers.core.reply import UploadFile

    engine = make_engine(url)
    runtime = Runtime(engine, REGISTRY)
    caller = Caller("slack", "T1", "U000", channel_ref="C1")
    out: dict[str, float] = {}
    for name, root, text in COMMANDS:
        text = text.format(middle=size // 2)
        runtime.command(caller, root, text)  # warm: statements compiled, caller cached
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            runtime.command(caller, root, text)
            times.append(time.perf_counter() - started)
        out[name] = statistics.median(times) * 1000
    answers, files = [], []
    for _ in range(max(3, repeat // 10)):
        started = time.perf_counter()
        outcome = runtime.command(caller, "/req", "export")
        answers.append(time.perf_counter() - started)
        [upload] = [e for e in outcome.reply.effects if isinstance(e, UploadFile)]
        started = time.perf_counter()
        if not isinstance(upload.content, bytes):
            import inspect

            from bot.built_files import build
            from bot.i18n import catalog

            if len(inspect.signature(build).parameters) == 3:  # trees that draw the file in the reader's language
                build(upload, engine, partial(catalog().t, "en"))
            else:
                build(upload, engine)
            files.append(time.perf_counter() - started)
        else:
            files.append(0.0)
    out["export answer"] = statistics.median(answers) * 1000
    out["export file"] = statistics.median(files) * 1000
    engine.dispose()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--trees", default=".", help="comma-separated DIR or DIR=PYTHON, measured in turn")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--measure", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.size, args.repeat)))
        return 0

    import bench_score_top
    import bench_slack as base

    trees = []
    for item in args.trees.split(","):
        folder, _, python = item.partition("=")
        trees.append((str(Path(folder).resolve()), python or sys.executable))
    results: list[dict[str, Any]] = []
    for backend in [b for b in args.backends.split(",") if b]:
        for size in [int(s) for s in args.sizes.split(",")]:
            with tempfile.TemporaryDirectory(prefix="tradewind-growth-") as tmp:
                name = f"tradewind_bench_growth_{os.getpid()}"
                if backend == "sqlite":
                    url = f"sqlite:///{Path(tmp) / 'growth.db'}"
                else:
                    base.admin_sql(args.pg_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                    base.admin_sql(args.pg_url, f"CREATE DATABASE {name}")
                    url = base.with_database(args.pg_url, name)
                try:
                    started = time.perf_counter()
                    bench_score_top.seed(url, size, random.Random(7))
                    if backend == "postgres":
                        base.analyze(url)
                    print(f"{backend} {size}: seeded in {time.perf_counter() - started:.1f} s", file=sys.stderr)
                    for round_ in range(args.rounds):
                        order = trees if round_ % 2 == 0 else trees[::-1]
                        for folder, python in order:
                            child = [python, __file__, "--measure", url, "--size", str(size)]
                            env = {**os.environ, "PYTHONPATH": folder}
                            done = subprocess.run(
                                [*child, "--repeat", str(args.repeat)],
                                cwd=folder,
                                env=env,
                                capture_output=True,
                                text=True,
                            )
                            if done.returncode != 0:
                                print(f"  {folder}: failed: {done.stderr.strip()[-600:]}", file=sys.stderr)
                                continue
                            figures = json.loads(done.stdout.strip().splitlines()[-1])
                            results.append({"backend": backend, "size": size, "tree": folder, **figures})
                            print(f"  {folder}: {figures}", file=sys.stderr)
                finally:
                    if backend == "postgres":
                        base.admin_sql(args.pg_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    columns = ("list", "show", "top", "export answer", "export file")
    print(f"\n{'backend':9} {'size':>7} {'tree':30} " + " ".join(f"{c:>13}" for c in columns) + "   (p50 ms)")
    for r in results:
        cells = " ".join(f"{r[c]:>13.2f}" for c in columns)
        print(f"{r['backend']:9} {r['size']:>7} {r['tree'][-30:]:30} {cells}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
