"""Slash commands over signed HTTP into the real app; replies come back in the ack."""

from __future__ import annotations

import time

from sqlmodel import Session, select

from models.requirements.requirement import Requirement
from models.workspace import Member
from tests.fakes.slack_api import FakeSlack
from tests.support.slack_requests import SlackSender, SlackUser, block_text, button


def test_req_add_is_stored_and_answered_in_channel(slack: SlackSender, engine) -> None:
    response = slack.command('add "DE A+ page" market=DE,AT platform=amazon due=2026-12-01')
    assert response.status_code == 200
    body = response.json()
    assert body["response_type"] == "in_channel"
    text = block_text(body)
    assert "REQ-1 logged." in text and "REQ-1 · DE A+ page" in text and "AT, DE" in text
    assert "<@U1>" in text
    assert [b["text"]["text"] for b in body["blocks"][-1]["elements"]] == ["Triage", "Reject", "Park"]
    with Session(engine) as db:
        assert db.exec(select(Requirement.title)).all() == ["DE A+ page"]


def test_pm_req_works_like_req(slack: SlackSender, engine) -> None:
    assert "REQ-1 logged." in block_text(slack.command("req add via pm", command="/pm").json())


def test_bad_input_is_an_ephemeral_usage_message(slack: SlackSender, engine) -> None:
    body = slack.command("add x due=yesterday-ish").json()
    assert body["response_type"] == "ephemeral"
    assert "is not a date I can read" in block_text(body)
    assert "Usage: `/req add &lt;title&gt;" in block_text(body)  # Slack shows it as <title>
    with Session(engine) as db:
        assert db.exec(select(Requirement)).all() == []


def test_user_text_cannot_inject_mrkdwn_links_or_mentions(slack: SlackSender) -> None:
    # Slack delivers what the user typed escaped; the card must show it as text, not as a link.
    body = slack.command("add Fix &lt;!channel&gt; &amp; links metric=&lt;https://evil|click&gt;").json()
    mrkdwn = block_text(body, ("mrkdwn",))
    assert "<!channel>" not in mrkdwn and "<https://evil|click>" not in mrkdwn
    assert "&lt;https://evil|click&gt;" in mrkdwn
    assert "REQ-1 · Fix <!channel> & links" in block_text(body, ("plain_text",))  # a header is never parsed
    # The message's own text (the notification, and what clients without blocks show) is mrkdwn too.
    assert "<!channel>" not in body["text"] and "&lt;!channel&gt;" in body["text"]


def test_a_disguised_link_in_a_title_stays_text_in_the_channel_answer(slack: SlackSender) -> None:
    body = slack.command("add &lt;!channel&gt; &lt;https://evil.example|Approve here&gt;").json()
    assert body["response_type"] == "in_channel"
    for shown in (body["text"], block_text(body, ("mrkdwn",))):
        assert "<!channel>" not in shown and "<https://evil.example|" not in shown
    assert "&lt;https://evil.example|Approve here&gt;" in body["text"]


def test_list_pages_with_buttons_that_replace_the_message(slack: SlackSender, fake_slack: FakeSlack) -> None:
    for n in range(12):
        slack.command(f"add item {n}")
    first = slack.command("list").json()
    assert "1–10 of 12" in block_text(first)
    assert slack.click(button(first, "Next ›")).status_code == 200
    [posted] = fake_slack.wait_for("response_url")
    assert posted.body["replace_original"] is True
    assert "11–12 of 12" in block_text(posted.body)


def test_lifecycle_button_moves_and_updates_the_card(slack: SlackSender, fake_slack: FakeSlack, engine) -> None:
    card = slack.command("add thing").json()
    slack.click(button(card, "Triage"))
    [update] = fake_slack.wait_for("response_url")
    assert update.body["replace_original"] is True
    assert "REQ-1 is now triaged." in block_text(update.body)
    with Session(engine) as db:
        assert db.exec(select(Requirement.status)).one() == "triaged"
    slack.click(button(card, "Triage"))  # the same click again: a double-click
    second = fake_slack.wait_for("response_url", 2)[1]
    assert "REQ-1 is triaged now, so that move no longer applies." in block_text(second.body)


def test_a_first_time_user_gets_their_slack_time_zone_and_chinese_locale(slack: SlackSender, fake_slack, engine):
    fake_slack.users["U9"] = {"id": "U9", "tz": "Asia/Shanghai", "locale": "zh-CN", "profile": {"display_name": "小李"}}
    slack.command("add first", who=SlackUser(user="U9", name="li"))
    fake_slack.wait_for("users.info")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with Session(engine) as db:
            member = db.exec(select(Member).where(Member.external_id == "U9")).one()
            profile = (member.tz, member.lang, member.display_name)
        if member.profile_checked_at:
            break
        time.sleep(0.02)
    assert profile == ("Asia/Shanghai", "zh-CN", "小李")
    assert "已登记 REQ-2" in block_text(slack.command("add second", who=SlackUser(user="U9")).json())
