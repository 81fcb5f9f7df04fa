"""Events: mentions and DMs run commands; a retried delivery is acted on once."""

from __future__ import annotations

from sqlmodel import Session, select

from models.requirements.requirement import Requirement
from tests.fakes.slack_api import FakeSlack
from tests.support.slack_requests import SlackSender, block_text


def mention(text: str, ts: str = "1700000000.000100") -> dict:
    return {"type": "app_mention", "user": "U1", "text": text, "ts": ts, "channel": "C1", "event_ts": ts}


def test_a_mention_runs_the_command_and_answers_in_a_thread(slack: SlackSender, fake_slack: FakeSlack) -> None:
    assert slack.event(mention("<@UBOT> /req add from a mention market=JP"), event_id="Ev1").status_code == 200
    [post] = fake_slack.wait_for("chat.postMessage")
    assert post.body["thread_ts"] == "1700000000.000100"
    assert "REQ-1 logged." in block_text(post.body)


def test_a_retried_event_is_processed_once(slack: SlackSender, fake_slack: FakeSlack, engine) -> None:
    event = mention("<@UBOT> req add once only")
    assert slack.event(event, event_id="Ev42").status_code == 200
    assert slack.event(event, event_id="Ev42", retry=1).status_code == 200
    assert slack.event(event, event_id="Ev42", retry=2).status_code == 200
    fake_slack.wait_for("chat.postMessage")
    with Session(engine) as db:
        assert db.exec(select(Requirement.title)).all() == ["once only"]
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_a_direct_message_is_a_command(slack: SlackSender, fake_slack: FakeSlack) -> None:
    event = {"type": "message", "channel_type": "im", "user": "U1", "text": "req list", "channel": "D1", "ts": "2.0"}
    slack.event(event, event_id="Ev7")
    [post] = fake_slack.wait_for("chat.postMessage")
    assert post.body["channel"] == "D1"
    assert "No requirements match." in block_text(post.body)


def test_the_bots_own_messages_are_ignored(slack: SlackSender, fake_slack: FakeSlack) -> None:
    event = {"type": "message", "channel_type": "im", "user": "U1", "bot_id": "B1", "text": "req list", "channel": "D1"}
    slack.event(event, event_id="Ev8")
    slack.event(mention("<@UBOT> pm help"), event_id="Ev9")
    [post] = fake_slack.wait_for("chat.postMessage")  # only the mention answered
    assert "What Tradewind can do" in block_text(post.body)
