"""The `tradewind` command as a newcomer runs it: real processes, real ports, real stdin."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.fakes.slack_api import FakeSlack
from tests.support.slack_requests import SECRET, SlackSender, block_text

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env(tmp_path: Path, **extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "LARK_", "DATABASE_URL", "PORT"))}
    return {**base, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "LOG_LEVEL": "WARNING", **extra}


def tradewind(*args: str) -> list[str]:
    return [sys.executable, "-m", "bot", *args]


def wait_healthy(url: str, proc: subprocess.Popen) -> httpx.Response:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {proc.stderr.read() if proc.stderr else ''}")
        try:
            return httpx.get(f"{url}/healthz", timeout=1)
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("server never answered /healthz")


def test_console_runs_the_demo_from_stdin(tmp_path: Path) -> None:
    result = subprocess.run(
        tradewind("console", "--demo", "--user", "mei"),
        input="/pm lang en\n/req list\n/req show REQ-2\nexit\n",
        capture_output=True,
        text=True,
        env=env(tmp_path),
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "== Requirements ==" in result.stdout and "1–10 of 12 · newest first" in result.stdout
    assert "REQ-2 · US listing: FCC ID in images and bullets" in result.stdout
    assert "shipped" in result.stdout
    assert "Traceback" not in result.stderr


def test_no_credentials_means_the_console(tmp_path: Path) -> None:
    result = subprocess.run(
        tradewind(),
        input="/req add hello\n",
        capture_output=True,
        text=True,
        env=env(tmp_path),
        cwd=tmp_path,
        timeout=60,
    )
    assert "REQ-1 logged." in result.stdout


def test_migrate_alone(tmp_path: Path) -> None:
    result = subprocess.run(tradewind("migrate"), capture_output=True, text=True, env=env(tmp_path), timeout=60)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "cli.db").exists()


@pytest.mark.parametrize("how", ["--port", "PORT"])
def test_serve_answers_signed_slack_requests(tmp_path: Path, how: str) -> None:
    fake = FakeSlack()
    port = free_port()
    extra = {"SLACK_BOT_TOKEN": "xoxb-cli", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url}
    args = ["serve", "--host", "127.0.0.1"]
    if how == "--port":
        args += ["--port", str(port)]
    else:
        extra["PORT"] = str(port)
    proc = subprocess.Popen(tradewind(*args), env=env(tmp_path, **extra), stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        assert wait_healthy(url, proc).json() == {"ok": True, "database": "ok"}
        sender = SlackSender(url, fake.base + "/response")
        assert "REQ-1 logged." in block_text(sender.command("add over real HTTP").json())
        assert sender.post_form("team_id=T1&command=/req&text=add+x", headers={}).status_code == 401
        sender.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        fake.close()
