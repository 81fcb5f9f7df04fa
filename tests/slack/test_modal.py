"""`/req` alone opens a modal; its submission is validated field by field."""

from __future__ import annotations

from sqlmodel import Session, select

from models.requirements.requirement import Requirement, RequirementMarket
from tests.fakes.slack_api import FakeSlack
from tests.support.slack_requests import SlackSender, block_text


def open_modal(slack: SlackSender, fake_slack: FakeSlack) -> dict:
    response = slack.command("")
    assert response.status_code == 200
    assert response.text == ""  # a bare ack: the modal is the answer
    [call] = fake_slack.wait_for("views.open")
    assert call.body["trigger_id"].startswith("trigger-")
    return call.body["view"]


def state(title: str = "", markets: list[str] | None = None, due: str | None = None) -> dict:
    return {
        "title": {"title": {"type": "plain_text_input", "value": title}},
        "market": {
            "market": {
                "type": "multi_static_select",
                "selected_options": [{"value": m, "text": {"type": "plain_text", "text": m}} for m in markets or []],
            }
        },
        "platform": {"platform": {"type": "static_select", "selected_option": {"value": "shopee"}}},
        "metric": {"metric": {"type": "plain_text_input", "value": None}},
        "ac": {"ac": {"type": "plain_text_input", "value": "bundle SKU live"}},
        "due": {"due": {"type": "datepicker", "selected_date": due}},
        "desc": {"desc": {"type": "plain_text_input", "value": None}},
    }


def test_modal_has_every_field_with_markets_as_a_multi_select(slack: SlackSender, fake_slack: FakeSlack) -> None:
    view = open_modal(slack, fake_slack)
    assert view["callback_id"] == "req.form"
    elements = {b["block_id"]: b["element"]["type"] for b in view["blocks"]}
    assert elements == {
        "title": "plain_text_input",
        "market": "multi_static_select",
        "platform": "static_select",
        "metric": "plain_text_input",
        "ac": "plain_text_input",
        "due": "datepicker",
        "desc": "plain_text_input",
        "source": "static_select",
    }
    assert [b["block_id"] for b in view["blocks"] if not b.get("optional")] == ["title"]


def test_a_valid_submission_is_stored_and_posted_to_the_channel(
    slack: SlackSender, fake_slack: FakeSlack, engine
) -> None:
    view = open_modal(slack, fake_slack)
    response = slack.submit_view(view, state("Shopee 9.9 bundle", ["SG", "MY"], "2026-09-01"))
    assert response.status_code == 200 and response.text == ""
    [post] = fake_slack.wait_for("chat.postMessage")
    assert post.body["channel"] == "C1"
    assert "REQ-1 logged." in block_text(post.body)
    with Session(engine) as db:
        item = db.exec(select(Requirement)).one()
        markets = sorted(db.exec(select(RequirementMarket.market)))
    assert (item.title, item.platform, item.acceptance, str(item.due)) == (
        "Shopee 9.9 bundle",
        "shopee",
        "bundle SKU live",
        "2026-09-01",
    )
    assert markets == ["MY", "SG"]


def test_bad_fields_come_back_as_modal_errors_and_nothing_is_stored(
    slack: SlackSender, fake_slack: FakeSlack, engine
) -> None:
    view = open_modal(slack, fake_slack)
    response = slack.submit_view(view, state("x" * 201, ["SG"]))
    assert response.status_code == 200
    assert response.json() == {
        "response_action": "errors",
        "errors": {"title": "too long (201 characters; at most 200)"},
    }
    assert fake_slack.calls_to("chat.postMessage") == []
    with Session(engine) as db:
        assert db.exec(select(Requirement)).all() == []


def test_the_post_falls_back_to_a_dm_when_the_bot_is_not_in_the_channel(
    slack: SlackSender, fake_slack: FakeSlack
) -> None:
    view = open_modal(slack, fake_slack)
    fake_slack.script("chat.postMessage", 200, {"ok": False, "error": "not_in_channel"})
    slack.submit_view(view, state("Private channel item"))
    first, second = fake_slack.wait_for("chat.postMessage", 2)
    assert (first.body["channel"], second.body["channel"]) == ("C1", "U1")
    assert "REQ-1 logged." in block_text(second.body)
