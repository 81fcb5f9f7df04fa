"""The named bad requests of tests/support/client_faults.py: a 4xx (or a friendly answer) for each,
never a 5xx, never a traceback, nothing stored for a request that is not signed, and nothing a
client sent written to the log."""

from __future__ import annotations

import logging
import re

import httpx
import pytest

from tests.security.conftest import row_counts
from tests.support.client_faults import Probe, all_cases, figure_cases, growing, slack, slack_command_fields
from tests.support.lark_requests import LarkSender, LarkUser
from tests.support.slack_requests import SlackSender, block_text

TOKEN = re.compile(r"`(twf_[A-Za-z0-9_\-]+)`")


def send(url: str, probe: Probe) -> httpx.Response:
    body = probe.body() if callable(probe.body) else probe.body
    headers = [(k.encode(), v.encode()) for k, v in probe.headers.items()]
    with httpx.Client(timeout=30) as http:
        return http.post(url + probe.path, content=body, headers=headers)


def figure_token(url: str, response_url: str) -> str:
    from urllib.parse import urlencode

    for text, command in (("list", "/req"), ("figure token", "/pm")):
        body = urlencode(slack_command_fields(text, command, response_url=response_url)).encode()
        answer = send(url, slack("token", body))
    match = TOKEN.search(answer.text)
    assert match, answer.text
    return match.group(1)


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]


def test_every_named_case_is_answered_below_500_without_a_traceback(server, fake_slack, engine, caplog) -> None:
    caplog.set_level(logging.INFO)
    response_url = fake_slack.base + "/response/probe"
    cases = all_cases(figure_token(server.url, response_url), response_url)
    assert len(cases) >= 150
    wrong = []
    for case in cases:
        status = send(server.url, case).status_code
        if status >= 500 or (case.expect and status not in case.expect):
            wrong.append((case.name, status))
    assert server.runtime.background.wait_idle()
    assert wrong == []
    assert tracebacks(caplog) == []
    assert max(len(r.getMessage()) for r in caplog.records) < 1_000, "a request was logged in full"


def test_unsigned_requests_store_nothing(server, engine, caplog) -> None:
    before = row_counts(engine)
    unsigned = [case for case in all_cases() if not case.signed]
    assert len(unsigned) >= 50
    for case in unsigned:
        assert send(server.url, case).status_code in (400, 401, 403, 404, 413), case.name
    assert row_counts(engine) == before
    assert tracebacks(caplog) == []


def test_a_body_over_the_limit_is_refused_by_its_length_before_it_is_read(server) -> None:
    """The declared length alone decides: the server answers 413 without waiting for the body."""
    import socket

    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        head = (
            f"POST /slack/events HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {64 * 1024 * 1024}\r\n\r\n"
        )
        sock.sendall(head.encode() + b"a" * 1024)  # and nothing more: the rest never comes
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:100]


def test_a_chunked_body_is_cut_off_once_it_grows_past_the_limit(server) -> None:
    sent = 0

    def chunks():
        nonlocal sent
        for chunk in growing(8 * 1024 * 1024)():
            sent += len(chunk)
            yield chunk

    try:
        status = httpx.post(server.url + "/lark/events", content=chunks(), timeout=30).status_code
    except httpx.HTTPError:
        status = 413  # the server may close before the client has read its answer
    assert status == 413
    assert sent < 8 * 1024 * 1024, "the whole body was read"


def test_a_body_within_the_limit_still_reaches_the_figures_endpoint(server, fake_slack) -> None:
    response_url = fake_slack.base + "/response/probe"
    token = figure_token(server.url, response_url)
    ok = next(c for c in figure_cases(token) if c.name == "figures value a string")
    assert send(server.url, ok).json() == {"ok": True, "stored": 1, "alerts": 0}


def test_odd_time_zones_and_markets_get_a_friendly_answer_in_english(server, fake_slack) -> None:
    slack = SlackSender(server.url, fake_slack.base + "/response")
    try:
        cases = {
            ("/pm", "tz America"): "`America` is not an IANA time zone",
            ("/pm", "tz ../../../etc/passwd"): "is not an IANA time zone",
            ("/pm", "tz Asia/\x00Shanghai"): None,  # the NUL is dropped: Asia/Shanghai is a zone
            ("/market", "add ，"): "is not an ISO country code",
            ("/market", "add ,,,"): "is not an ISO country code",
        }
        for (command, text), expected in cases.items():
            answer = block_text(slack.command(text, command=command).json())
            assert "Something went wrong" not in answer and "temporarily unavailable" not in answer, answer
            if expected:
                assert expected in answer, (text, answer)
    finally:
        slack.close()


def test_odd_time_zones_and_markets_get_a_friendly_answer_in_chinese(server, fake_lark) -> None:
    lark = LarkSender(server.url, fake_lark)
    try:
        for n, (text, expected) in enumerate(
            {"/pm tz America": "`America` 不是 IANA 时区", "/market add ，": "不是 ISO 国家代码"}.items(), 1
        ):
            assert lark.message(text, who=LarkUser(chat="oc_probe"), chat_type="p2p").status_code == 200
            reply = fake_lark.sent(count=n)[-1]
            assert expected in reply.body["content"], reply.body["content"]
    finally:
        lark.close()
