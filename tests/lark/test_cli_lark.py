"""`tradewind` with Lark credentials, as a newcomer runs it: real processes, real ports."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx

from tests.fakes.lark_api import APP_ID, APP_SECRET, FakeLark
from tests.support.lark_requests import ENCRYPT_KEY, VERIFICATION_TOKEN, LarkSender, card_text
from tests.test_cli import env, free_port, tradewind


def wait_healthy(url: str, proc: subprocess.Popen) -> httpx.Response:
    """As tests/test_cli.py waits, with more time: lark_oapi alone takes seconds to import."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {proc.stderr.read() if proc.stderr else ''}")
        try:
            return httpx.get(f"{url}/healthz", timeout=1)
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("server never answered /healthz")


def test_lark_credentials_alone_make_a_bare_tradewind_serve(tmp_path: Path) -> None:
    fake = FakeLark()
    port = free_port()
    extra = {
        "LARK_APP_ID": APP_ID,
        "LARK_APP_SECRET": APP_SECRET,
        "LARK_VERIFICATION_TOKEN": VERIFICATION_TOKEN,
        "LARK_ENCRYPT_KEY": ENCRYPT_KEY,
        "LARK_DOMAIN": fake.domain,
        "PORT": str(port),
        "HOST": "127.0.0.1",
    }
    proc = subprocess.Popen(tradewind(), env=env(tmp_path, **extra), stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        assert wait_healthy(url, proc).json() == {"ok": True, "database": "ok"}
        sender = LarkSender(url, fake)
        assert sender.challenge("cli-challenge").json() == {"challenge": "cli-challenge"}
        assert sender.message("/req add over real HTTP", chat_type="p2p").status_code == 200
        [posted] = fake.sent(timeout=20)
        assert "已登记 REQ-1。" in card_text(posted.card)
        assert sender.message("/req add forged", sign_key="not-the-key").status_code == 401
        sender.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        fake.close()


def test_lark_ws_without_credentials_says_what_it_needs(tmp_path: Path) -> None:
    result = subprocess.run(tradewind("lark-ws"), capture_output=True, text=True, env=env(tmp_path), timeout=60)
    assert result.returncode == 2
    assert "LARK_APP_ID and LARK_APP_SECRET" in result.stderr
