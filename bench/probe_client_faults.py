"""Send the named bad requests of tests/support/client_faults.py to a server and count what went wrong.

By default it starts `tradewind serve` (Slack and Lark enabled, SQLite in a temporary directory, the
Slack-like and Lark-like servers of the tests behind it), with its log in a file, and reports every
answer of 500 or more and every traceback the server logged. `--url` with `--log` probes a server
already running with the test secrets (tests/support/slack_requests.py, lark_requests.py).

    python bench/probe_client_faults.py [--database-url URL] [--verbose] [--url URL --log FILE]

To compare with another version: `git archive main | tar -x -C /tmp/main` and `--app-dir /tmp/main`.

It also measures how much the server grows while a body of --big-mib MiB is posted to /slack/events.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.lark_api import APP_ID, APP_SECRET, FakeLark  # noqa: E402
from tests.fakes.slack_api import FakeSlack  # noqa: E402
from tests.lark.test_cli_lark import wait_healthy  # noqa: E402
from tests.support.client_faults import RESPONSE_URL, Probe, all_cases, slack, slack_command_fields  # noqa: E402
from tests.support.lark_requests import ENCRYPT_KEY, VERIFICATION_TOKEN  # noqa: E402
from tests.support.slack_requests import SECRET  # noqa: E402
from tests.test_cli import free_port  # noqa: E402

TRACEBACK = "Traceback (most recent call last)"
TOKEN = re.compile(r"`(twf_[A-Za-z0-9_\-]+)`")


def send(url: str, probe: Probe) -> int | str:
    """The status of the answer, on a connection of its own (a fault must not be blamed on the next case)."""
    body = probe.body() if callable(probe.body) else probe.body
    try:
        with httpx.Client(timeout=30) as http:
            return http.post(url + probe.path, content=body, headers=wire_headers(probe)).status_code
    except httpx.HTTPError as err:
        return type(err).__name__  # the connection was cut without an answer


def wire_headers(probe: Probe) -> list[tuple[bytes, bytes]]:
    """Header values as UTF-8 bytes: a client may send any octets, not only ASCII."""
    return [(k.encode(), v.encode()) for k, v in probe.headers.items()]


def figure_token(http: httpx.Client, url: str) -> str | None:
    """A real token for /api/figures, asked for as the workspace's first member (its admin)."""
    from urllib.parse import urlencode

    http.post(url + "/slack/events", **_signed(urlencode(slack_command_fields("list")).encode()))
    answer = http.post(
        url + "/slack/events", **_signed(urlencode(slack_command_fields("figure token", "/pm")).encode())
    )
    match = TOKEN.search(answer.text)
    return match.group(1) if match else None


def _signed(body: bytes) -> dict[str, object]:
    probe = slack("token", body)
    return {"content": body, "headers": wire_headers(probe)}


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def big_post_growth(url: str, pid: int, mib: int) -> tuple[int, int | str]:
    """Peak RSS growth (KiB) of the server while it takes a POST of `mib` MiB (wrongly signed), and
    the answer's status."""
    before = peak = rss_kib(pid)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss_kib(pid))
            time.sleep(0.002)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    body = b"a" * (mib * 1024 * 1024)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": str(int(time.time()))}
    headers["X-Slack-Signature"] = "v0=" + "0" * 64
    try:
        status: int | str = httpx.post(url + "/slack/events", content=body, headers=headers, timeout=60).status_code
    except httpx.HTTPError as err:
        status = type(err).__name__
    time.sleep(0.2)
    done.set()
    sampler.join()
    return peak - before, status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="probe this running server instead of starting one")
    parser.add_argument("--log", help="the running server's log file (to count tracebacks)")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--big-mib", type=int, default=64)
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--save-log", help="keep a copy of the started server's log here")
    parser.add_argument(
        "--app-dir", default=str(ROOT), help="run the server from this checkout (e.g. an export of main, to compare)"
    )
    args = parser.parse_args()
    if args.url:
        return probe(args.url, Path(args.log) if args.log else None, None, args, RESPONSE_URL)
    fake_slack, fake_lark = FakeSlack(), FakeLark()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        log_path = Path(tmp) / "server.log"
        env = os.environ | {
            "DATABASE_URL": args.database_url or f"sqlite:///{tmp}/probe.db",
            "SLACK_BOT_TOKEN": "xoxb-probe",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake_slack.api_url,
            "LARK_APP_ID": APP_ID,
            "LARK_APP_SECRET": APP_SECRET,
            "LARK_VERIFICATION_TOKEN": VERIFICATION_TOKEN,
            "LARK_ENCRYPT_KEY": ENCRYPT_KEY,
            "LARK_DOMAIN": fake_lark.domain,
            "LOG_LEVEL": "INFO",
        }
        with log_path.open("w") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=env,
                cwd=args.app_dir,
                stdout=log,
                stderr=subprocess.STDOUT,
                text=True,
            )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_healthy(url, proc)
            return probe(url, log_path, proc.pid, args, fake_slack.base + "/response/probe")
        finally:
            proc.terminate()
            proc.wait(timeout=10)
            if args.save_log:
                shutil.copy(log_path, args.save_log)
            fake_slack.close()
            fake_lark.close()


def probe(url: str, log_path: Path | None, pid: int | None, args: argparse.Namespace, response_url: str) -> int:
    growth = big_post_growth(url, pid, args.big_mib) if pid is not None and args.big_mib else None
    http = httpx.Client(timeout=30)
    token = figure_token(http, url)
    start = log_path.stat().st_size if log_path else 0
    cases = all_cases(token, response_url)
    statuses: Counter[str] = Counter()
    failed = []
    for case in cases:
        status = send(url, case)
        statuses[str(status)] += 1
        if not isinstance(status, int) or status >= 500:
            failed.append((case.name, status))
        if args.verbose:
            print(f"{status!s:>18}  {case.name}")
    time.sleep(1.0)  # the after-answer pool may still be logging
    tracebacks, leaked = 0, 0
    if log_path:
        text = log_path.read_text(errors="replace")[start:]
        tracebacks = text.count(TRACEBACK)
        leaked = sum(1 for line in text.splitlines() if len(line) > 2_000)
    print(f"{len(cases)} named cases ({'with' if token else 'without'} a figure token): statuses {dict(statuses)}")
    for name, status in failed:
        print(f"  {status}  {name}")
    print(f"responses >= 500: {len(failed)}   tracebacks logged: {tracebacks}   log lines over 2,000 chars: {leaked}")
    if growth is not None:
        grew = growth[0] / 1024
        print(f"{args.big_mib} MiB POST to /slack/events: answered {growth[1]}, server RSS grew {grew:.1f} MiB")
    return 1 if failed or tracebacks else 0


if __name__ == "__main__":
    raise SystemExit(main())
