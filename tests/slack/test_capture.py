"""A message shortcut, "Log as requirement": the requirement form filled from the message, its author as
requester and its permalink as the source link."""

from __future__ import annotations

import json

from sqlmodel import Session, select

from models.requirements.requirement import Requirement
from models.workspace import Member
from tests.fakes.slack_api import FakeSlack
from tests.support.slack_requests import SlackSender, SlackUser, block_text

MESSAGE = {
    "ts": "1764000000.000200",
    "user": "U7",
    "text": (
        "Size chart confusion on DE listings &amp; returns\n"
        "Buyers say <@U9|li> promised EU sizes; see <https://example.com/r|the review>"
    ),
}


def shortcut_view(slack: SlackSender, fake_slack: FakeSlack, message: dict | None = None) -> dict:
    fake_slack.add_message("C1", MESSAGE["ts"])
    response = slack.message_shortcut(message or MESSAGE)
    assert response.status_code == 200 and response.text == ""
    [opened] = fake_slack.wait_for("views.open")
    return opened.body["view"]


def initial(view: dict, block_id: str) -> str | None:
    [block] = [b for b in view["blocks"] if b["block_id"] == block_id]
    element = block["element"]
    return element.get("initial_value") or (element.get("initial_option") or {}).get("value")


def test_the_shortcut_opens_the_form_filled_from_the_message(slack: SlackSender, fake_slack: FakeSlack) -> None:
    view = shortcut_view(slack, fake_slack)
    [permalink] = fake_slack.calls_to("chat.getPermalink")
    assert (permalink.body["channel"], permalink.body["message_ts"]) == ("C1", MESSAGE["ts"])
    assert view["callback_id"] == "req.form"
    assert initial(view, "title") == "Size chart confusion on DE listings & returns"
    assert initial(view, "desc") == "Buyers say @li promised EU sizes; see the review"
    metadata = json.loads(view["private_metadata"])["p"]
    assert metadata == {
        "requester": "U7",
        "link": "https://tradewind-test.slack.com/archives/C1/p1764000000000200",
    }


def test_submitting_it_logs_the_author_as_requester_with_the_link_and_source(
    slack: SlackSender, fake_slack: FakeSlack, engine
) -> None:
    view = shortcut_view(slack, fake_slack)
    values = {
        "title": {"title": {"type": "plain_text_input", "value": initial(view, "title")}},
        "desc": {"desc": {"type": "plain_text_input", "value": initial(view, "desc")}},
        "source": {"source": {"type": "static_select", "selected_option": {"value": "customer"}}},
    }
    response = slack.submit_view(view, values, who=SlackUser(user="U1"))
    assert response.status_code == 200 and response.text == ""
    [post] = fake_slack.wait_for("chat.postMessage")
    shown = block_text(post.body)
    assert "REQ-1 logged." in shown
    assert "customer" in shown
    assert "<https://tradewind-test.slack.com/archives/C1/p1764000000000200|the message>" in shown
    assert "&amp; returns" in post.body["text"] or "&amp; returns" in shown  # typed text stays escaped
    with Session(engine) as db:
        item = db.exec(select(Requirement)).one()
        requester = db.get(Member, item.requester_id)
    assert requester is not None and requester.external_id == "U7"
    assert item.source == "customer"
    assert item.source_link == "https://tradewind-test.slack.com/archives/C1/p1764000000000200"


def test_a_message_slack_cannot_link_still_opens_the_form_without_a_link(
    slack: SlackSender, fake_slack: FakeSlack
) -> None:
    response = slack.message_shortcut({"ts": "1.000001", "user": "U7", "text": "Temu price floor"})
    assert response.status_code == 200
    [opened] = fake_slack.wait_for("views.open")
    [permalink] = fake_slack.calls_to("chat.getPermalink")
    assert permalink.body["message_ts"] == "1.000001"
    assert json.loads(opened.body["view"]["private_metadata"])["p"] == {"requester": "U7"}


def test_a_message_without_text_gets_a_note_not_an_empty_form(slack: SlackSender, fake_slack: FakeSlack) -> None:
    fake_slack.add_message("C1", "2.000001")
    response = slack.message_shortcut({"ts": "2.000001", "user": "U7", "text": ""})
    assert response.status_code == 200
    [note] = fake_slack.wait_for("response_url")
    assert "no text to log" in note.body["text"]
    assert fake_slack.calls_to("views.open") == []


def test_a_long_first_line_is_cut_for_the_title_and_kept_whole_in_the_description(
    slack: SlackSender, fake_slack: FakeSlack
) -> None:
    line = "退货" * 150
    view = shortcut_view(slack, fake_slack, {"ts": MESSAGE["ts"], "user": "U7", "text": line})
    title = initial(view, "title")
    assert title is not None and len(title) == 200 and title.endswith("…")
    assert initial(view, "desc") == line
