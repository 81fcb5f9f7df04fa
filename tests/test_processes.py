"""Two `tradewind serve` processes on one PostgreSQL database, as a deployment with several web
processes runs: what one of them changes about people is seen by the other on its very next request,
and the same event delivered to both is carried out once."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.fakes.slack_api import FakeSlack
from tests.support.slack_requests import SECRET, sign
from tests.test_cli import env, free_port, tradewind
from tests.test_workers import postgres_url, wait_healthy  # noqa: F401  (postgres_url is a fixture)

pytestmark = pytest.mark.postgres


class Web:
    """One web process, and signed Slack requests sent to it."""

    def __init__(self, port: int, proc: subprocess.Popen, fake: FakeSlack) -> None:
        self.url = f"http://127.0.0.1:{port}/slack/events"
        self.proc = proc
        self.fake = fake
        self.http = httpx.Client(timeout=15)

    def command(self, user: str, command: str, words: str) -> str:
        body = urlencode(
            {
                "team_id": "T1",
                "team_domain": "team-t1",
                "channel_id": "C1",
                "user_id": user,
                "user_name": user.lower(),
                "command": command,
                "text": words,
                "api_app_id": "A1",
                "response_url": self.fake.response_url(f"{user}-{time.monotonic_ns()}"),
                "trigger_id": f"trigger-{user}-{time.monotonic_ns()}",
            }
        )
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
        answer = self.http.post(self.url, content=body, headers=headers)
        assert answer.status_code == 200, answer.text
        return json.dumps(answer.json(), ensure_ascii=False) if answer.content else ""

    def event(self, body: str) -> int:
        headers = {"Content-Type": "application/json", **sign(body)}
        return self.http.post(self.url, content=body, headers=headers).status_code


@pytest.fixture
def webs(tmp_path: Path, postgres_url: str) -> Iterator[tuple[Web, Web]]:  # noqa: F811
    fake = FakeSlack()
    extra = {
        "DATABASE_URL": postgres_url,
        "SLACK_BOT_TOKEN": "xoxb-processes",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.api_url,
    }
    started: list[Web] = []
    try:
        for name in ("a", "b"):
            port = free_port()
            (tmp_path / name).mkdir()
            proc = subprocess.Popen(
                tradewind("serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"),
                env=env(tmp_path / name, **extra),
                stderr=subprocess.PIPE,
                text=True,
            )
            started.append(Web(port, proc, fake))
            wait_healthy(port, proc)  # one at a time: the first migrates the database
        yield started[0], started[1]
    finally:
        for web in started:
            web.http.close()
            web.proc.terminate()
            web.proc.wait(timeout=20)
        fake.close()
    for web in started:
        assert "Traceback" not in (web.proc.stderr.read() if web.proc.stderr else "")


def test_a_role_changed_in_one_process_is_enforced_in_the_other_on_the_next_request(webs: tuple[Web, Web]) -> None:
    a, b = webs
    assert "admin" in a.command("U0", "/pm", "me")  # the workspace's first member is its admin
    assert "Only a workspace admin" in b.command("U1", "/pm", "tz default Europe/Berlin")  # b now caches U1
    assert "admin" in a.command("U0", "/pm", "role <@U1> admin")
    assert "Workspace default time zone set to Europe/Berlin" in b.command("U1", "/pm", "tz default Europe/Berlin")
    assert "member" in a.command("U0", "/pm", "role <@U1> member")
    # The demotion holds on b at once, though b read U1 as an admin a moment ago.
    assert "Only a workspace admin" in b.command("U1", "/pm", "tz default Asia/Tokyo")


def test_a_language_change_in_one_process_shows_on_the_next_reply_in_the_other(webs: tuple[Web, Web]) -> None:
    a, b = webs
    a.command("U0", "/pm", "me")
    assert "*Time zone*" in b.command("U1", "/pm", "me")
    assert "语言" in a.command("U1", "/pm", "lang zh-CN")
    assert "*时区*" in b.command("U1", "/pm", "me")


def _direct_message(event_id: str, words: str) -> str:
    event = {"type": "message", "channel_type": "im", "channel": "D1", "user": "U0", "text": words, "ts": "1.5"}
    return json.dumps(
        {
            "token": "deprecated",
            "team_id": "T1",
            "api_app_id": "A1",
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
        }
    )


@pytest.mark.parametrize("words", ["req add sent to both processes market=JP", "pm me"])
def test_the_same_event_sent_to_both_processes_is_carried_out_once(
    webs: tuple[Web, Web],
    postgres_url: str,  # noqa: F811
    words: str,
) -> None:
    a, b = webs
    a.command("U0", "/pm", "me")
    a.fake.reset()
    body = _direct_message("Ev-both-1", words)
    statuses: list[int] = []
    threads = [threading.Thread(target=lambda w=w: statuses.append(w.event(body))) for w in (a, b, a, b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 4
    a.fake.wait_for("chat.postMessage", 1, timeout=15)
    time.sleep(2)  # a second answer, if any, would be posted by now
    assert len(a.fake.calls_to("chat.postMessage")) == 1
    engine = create_engine(postgres_url)
    with engine.connect() as db:
        added = db.execute(text("SELECT count(*) FROM requirement")).scalar_one()
    engine.dispose()
    assert added == (1 if words.startswith("req add") else 0)
