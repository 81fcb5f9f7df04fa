"""The fake Slack refuses what real Slack refuses, and a reply of any length, as the renderer splits it,
goes through it whole."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.render.slack import SlackRenderer
from bot.render.viewer import Viewer
from handlers.core.card import Card, Header, Row, Rows, Strong
from handlers.core.reply import Reply
from tests.fakes.slack_api import FakeSlack, OAuthApp


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


REFUSED = {
    "51 blocks": ([section("x")] * 51, "invalid_blocks"),
    "a section of 3,001 characters": ([section("x" * 3001)], "invalid_blocks"),
    "a header of 151 characters": (
        [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
        "invalid_blocks",
    ),
    "12,001 characters in all": ([section("x" * 3000)] * 4 + [section("x")], "msg_blocks_too_long"),
}


@pytest.fixture
def web(fake_slack: FakeSlack) -> WebClient:
    fake_slack.reset()
    return WebClient(token="xoxb-test-token", base_url=fake_slack.api_url)


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_the_fake_refuses_a_message_slack_would_refuse(web: WebClient, fake_slack: FakeSlack, case: str) -> None:
    blocks, error = REFUSED[case]
    with pytest.raises(SlackApiError) as refused:
        web.chat_postMessage(channel="C1", text="x", blocks=blocks)
    assert refused.value.response["error"] == error
    answer = WebhookClient(fake_slack.response_url()).send(text="x", blocks=blocks)
    assert answer.status_code == 400 and error in answer.body


def test_the_fake_answers_scripted_server_errors_as_slack_does(web: WebClient, fake_slack: FakeSlack) -> None:
    fake_slack.fail("chat.postMessage", 503, times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as refused:
            web.chat_postMessage(channel="C1", text="x")
        assert refused.value.response.status_code == 503
        assert refused.value.response["error"] == "service_unavailable"
    assert web.chat_postMessage(channel="C1", text="x")["ok"]


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_a_reply_of_60000_characters_is_posted_whole_in_messages_slack_accepts(web: WebClient, lang: str) -> None:
    rows = tuple(Row([Strong(f"SUP-{n}"), " ", "深圳宏达服装 & <co> " * 30], "note " * 40) for n in range(120))
    reply = Reply("supplier_list", card=Card(summary="x", header=Header("Suppliers"), parts=(Rows(rows),)))
    messages = SlackRenderer().messages(reply, Viewer(lang))
    assert len(messages) > 1
    posted = [web.chat_postMessage(channel="C1", **message) for message in messages]
    assert all(answer["ok"] for answer in posted)
    shown = "".join(block["text"]["text"] for m in messages for block in m["blocks"] if block["type"] == "section")
    assert all(f"SUP-{n}*" in shown for n in range(120))


def test_a_home_tab_takes_100_blocks_and_refuses_101(web: WebClient) -> None:
    web.views_publish(user_id="U1", view={"type": "home", "blocks": [section("x")] * 100})
    with pytest.raises(SlackApiError) as refused:
        web.views_publish(user_id="U1", view={"type": "home", "blocks": [section("x")] * 101})
    assert refused.value.response["error"] == "invalid_arguments"


def test_oauth_access_is_as_strict_as_slack(fake_slack: FakeSlack) -> None:
    fake_slack.reset()
    redirect = "https://tradewind.example.com/slack/oauth_redirect"
    fake_slack.register_app(OAuthApp("111.222", "right-secret", redirect_uri=redirect, rotation=True))
    api = WebClient(base_url=fake_slack.api_url)

    def refused(error: str, **kwargs: str) -> None:
        with pytest.raises(SlackApiError) as err:
            api.oauth_v2_access(client_id="111.222", **kwargs)  # type: ignore[arg-type]
        assert err.value.response["error"] == error

    issued = _code(fake_slack, redirect_uri=redirect)
    refused("bad_client_secret", client_secret="wrong", code=issued, redirect_uri=redirect)
    refused("bad_redirect_uri", client_secret="right-secret", code=issued, redirect_uri="https://elsewhere/")
    issued = _code(fake_slack, redirect_uri=redirect)
    granted = api.oauth_v2_access(client_id="111.222", client_secret="right-secret", code=issued, redirect_uri=redirect)
    refused("invalid_code", client_secret="right-secret", code=issued, redirect_uri=redirect)  # a code is good once
    refused("invalid_code", client_secret="right-secret", code="T2.made-up", redirect_uri=redirect)
    assert granted["team"]["id"] == "T2" and granted["access_token"].startswith("xoxe.xoxb-")
    refused("invalid_refresh_token", client_secret="right-secret", grant_type="refresh_token", refresh_token="xoxe-1-x")
    fresh = api.oauth_v2_access(
        client_id="111.222",
        client_secret="right-secret",
        grant_type="refresh_token",
        refresh_token=granted["refresh_token"],
    )
    assert fresh["access_token"] != granted["access_token"] and fresh["expires_in"] == 43_200
    assert WebClient(token=fresh["access_token"], base_url=fake_slack.api_url).auth_test()["team_id"] == "T2"
    fake_slack.uninstall("T2")
    with pytest.raises(SlackApiError) as gone:
        WebClient(token=fresh["access_token"], base_url=fake_slack.api_url).auth_test()
    assert gone.value.response["error"] == "token_revoked"
    with pytest.raises(SlackApiError) as unknown:
        WebClient(token="xoxe.xoxb-1-made-up", base_url=fake_slack.api_url).auth_test()
    assert unknown.value.response["error"] == "invalid_auth"


def _code(fake: FakeSlack, **extra: str) -> str:
    """Approve the install on the fake's consent page; the code is in the redirect it answers with."""
    query = urlencode({"client_id": "111.222", "team": "T2", "state": "s", **extra})
    answer = httpx.get(f"{fake.authorize_url}?{query}", follow_redirects=False)
    assert answer.status_code == 302
    return parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
