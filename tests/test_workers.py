"""`tradewind serve --workers 2` on PostgreSQL: two processes accept on one socket, and both answer
signed Slack requests, which all land once in the one database."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.fakes.slack_api import FakeSlack
from tests.support.databases import fresh_postgres_database
from tests.support.slack_requests import SECRET, sign
from tests.test_cli import env, free_port, tradewind

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="finds who holds a connection through /proc"),
]
CONNECTIONS = 40
STARTUP_SECONDS = 90  # two processes each import the whole bot; on a busy 2-core machine that takes a while


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A database of its own: the two workers migrate it themselves and number requirements from 1."""
    yield from fresh_postgres_database()


def wait_healthy(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("the workers never answered /healthz")


def socket_inodes(local_port: int, remote_port: int) -> set[str]:
    """The inodes of the server's end of the TCP connection 127.0.0.1:remote_port → :local_port."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, remote, inode = fields[1], fields[2], fields[9]
            if int(local.rsplit(":", 1)[1], 16) == local_port and int(remote.rsplit(":", 1)[1], 16) == remote_port:
                inodes.add(inode)
    return inodes


def descendants(pid: int) -> set[int]:
    children: dict[int, set[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(ppid, set()).add(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), ()):
            found.add(child)
            todo.append(child)
    return found


def holder(pids: set[int], inodes: set[str]) -> int | None:
    """Which of `pids` has a socket with one of `inodes` open."""
    for pid in pids:
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                return pid
    return None


def command_body(n: int, fake: FakeSlack) -> str:
    return urlencode(
        {
            "team_id": "T1",
            "team_domain": "team-t1",
            "channel_id": "C1",
            "user_id": f"U{n % 3}",
            "user_name": f"pm{n % 3}",
            "command": "/req",
            "text": f"add worker check {n} market=JP",
            "api_app_id": "A1",
            "response_url": fake.response_url(f"w{n}"),
            "trigger_id": f"trigger-w{n}",
        }
    )


def test_two_workers_share_one_socket_and_both_answer(tmp_path: Path, postgres_url: str) -> None:
    fake = FakeSlack()
    port = free_port()
    extra = {
        "DATABASE_URL": postgres_url,
        "SLACK_BOT_TOKEN": "xoxb-workers",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.api_url,
        "WEB_CONCURRENCY": "1",  # --workers wins over it
    }
    proc = subprocess.Popen(
        tradewind("serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"),
        env=env(tmp_path, **extra),
        stderr=subprocess.PIPE,
        text=True,
    )
    connections: list[http.client.HTTPConnection] = []
    try:
        wait_healthy(port, proc)
        answered_by: dict[int, int] = {}
        for n in range(CONNECTIONS):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.connect()
            connections.append(conn)  # held open, so its server end is still in the worker that accepted it
            body = command_body(n, fake)
            headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
            conn.request("POST", "/slack/events", body=body, headers=headers)
            answer = conn.getresponse()
            payload = answer.read().decode()
            assert answer.status == 200, payload
            assert f"REQ-{n + 1} logged." in payload
            client_port = conn.sock.getsockname()[1]
            pid = holder(descendants(proc.pid), socket_inodes(port, client_port))
            assert pid is not None, "no worker holds the connection it answered on"
            answered_by[n] = pid
            if len(set(answered_by.values())) == 2 and n >= 9:
                break
        assert proc.pid not in answered_by.values()
        assert len(set(answered_by.values())) == 2, f"one process answered all {len(answered_by)} connections"
        engine = create_engine(postgres_url)
        with engine.connect() as db:
            numbers = db.execute(text("SELECT number FROM requirement ORDER BY number")).scalars().all()
        engine.dispose()
        assert numbers == [n + 1 for n in sorted(answered_by)]
    finally:
        for conn in connections:
            conn.close()
        proc.terminate()
        proc.wait(timeout=20)
        fake.close()
    assert "Traceback" not in (proc.stderr.read() if proc.stderr else "")


def test_workers_below_one_are_refused(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "serve", "--workers", "0"], capture_output=True, text=True, env=env(tmp_path)
    )
    assert result.returncode == 2
    assert "must be 1 or more" in result.stderr
