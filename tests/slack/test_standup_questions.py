"""A channel's own standup questions through the real Slack app: set by slash command, asked in the
modal as typed (escaped), the submission stored with the questions it answered; in English and Chinese."""

from __future__ import annotations

import json

from sqlmodel import Session, select

from models.standup.answer import StandupAnswer
from models.standup.questions import StandupQuestions
from tests.fakes.slack_api import FakeSlack
from tests.support.slack_requests import SlackSender, SlackUser, block_text


def test_the_modal_asks_the_channels_questions_and_stores_answers_with_them(
    slack: SlackSender, fake_slack: FakeSlack, engine
) -> None:
    body = slack.command('questions "Shipped &lt;SKU&gt;?" | "Next?" | "Ping &lt;!channel&gt;?"', command="/standup")
    shown = block_text(body.json())
    assert "standup questions are saved" in shown
    assert "Shipped &lt;SKU&gt;?" in shown and "Ping &lt;!channel&gt;?" in shown and "<!channel>" not in shown
    assert slack.command("", command="/standup").text == ""
    [opened] = fake_slack.wait_for("views.open")
    view = opened.body["view"]
    assert [b["block_id"] for b in view["blocks"]] == ["q1", "q2", "q3"]
    assert view["blocks"][0]["label"]["text"].startswith("Shipped")
    empty = {f"q{i}": {f"q{i}": {"type": "plain_text_input", "value": None}} for i in (1, 2, 3)}
    refused = slack.submit_view(view, empty).json()
    assert refused["response_action"] == "errors" and "q1" in refused["errors"]
    values = {**empty, "q2": {"q2": {"type": "plain_text_input", "value": "JP bundle"}}}
    assert slack.submit_view(view, values).text == ""
    [confirmed] = fake_slack.wait_for("chat.postEphemeral")
    assert "Your standup for" in block_text(confirmed.body) and "JP bundle" in block_text(confirmed.body)
    with Session(engine) as db:
        row = db.exec(select(StandupAnswer)).one()
    assert json.loads(row.custom or "") == [
        ["Shipped <SKU>?", None],
        ["Next?", "JP bundle"],
        ["Ping <!channel>?", None],
    ]


def test_a_modal_opened_before_the_questions_changed_is_refused(
    slack: SlackSender, fake_slack: FakeSlack, engine
) -> None:
    slack.command("", command="/standup")
    [opened] = fake_slack.wait_for("views.open")
    slack.command('questions "Wins?" | "Next?"', command="/standup")
    values = {n: {n: {"type": "plain_text_input", "value": "x"}} for n in ("yesterday", "today", "blockers")}
    refused = slack.submit_view(opened.body["view"], values).json()
    assert (
        refused["response_action"] == "errors" and "changed after the form was opened" in refused["errors"]["yesterday"]
    )
    with Session(engine) as db:
        assert db.exec(select(StandupAnswer)).all() == []


def test_in_chinese_bad_input_is_refused_and_a_member_may_not_change_them(slack: SlackSender, engine) -> None:
    slack.command("lang zh", command="/pm")
    refused = block_text(slack.command("questions 一|二|三|四|五|六", command="/standup").json())
    assert "最多 5 个问题；你写了 6 个。" in refused
    too_long = block_text(slack.command("questions " + "长" * 151, command="/standup").json())
    assert "第 1 个问题有 151 个字符，最多 150 个。" in too_long
    li = SlackUser(user="U2", name="li")
    slack.command("lang zh", command="/pm", who=li)
    assert "可以修改本频道的站会问题" in block_text(slack.command("questions 甲|乙", command="/standup", who=li).json())
    with Session(engine) as db:
        assert db.exec(select(StandupQuestions)).all() == []
    shown = block_text(slack.command("questions", command="/standup").json())
    assert "默认问题" in shown and "1. 昨天" in shown


def test_the_questions_modal_sets_and_clears_them(slack: SlackSender, fake_slack: FakeSlack, engine) -> None:
    assert slack.command("questions edit", command="/standup").text == ""
    [opened] = fake_slack.wait_for("views.open")
    view = opened.body["view"]
    assert view["callback_id"] == "standup.questions.form"
    assert [b["block_id"] for b in view["blocks"]] == ["q1", "q2", "q3", "q4", "q5"]
    empty = {f"q{i}": {f"q{i}": {"type": "plain_text_input", "value": None}} for i in range(1, 6)}
    values = {**empty, "q2": {"q2": {"type": "plain_text_input", "value": "Shipped  <SKU>?"}}}
    assert slack.submit_view(view, values).text == ""
    with Session(engine) as db:
        assert json.loads(db.exec(select(StandupQuestions)).one().questions) == ["Shipped <SKU>?"]
    slack.command("questions edit", command="/standup")
    [_, again] = fake_slack.wait_for("views.open", 2)
    assert again.body["view"]["blocks"][0]["element"]["initial_value"] == "Shipped <SKU>?"
    assert slack.submit_view(again.body["view"], empty).text == ""  # all empty: the defaults again
    with Session(engine) as db:
        assert json.loads(db.exec(select(StandupQuestions)).one().questions) == []
