"""/risk over signed HTTP into the real app: high risks become tracked channel cards whose buttons
update them in place; accepting needs an approver or admin; the modal files a risk."""

from __future__ import annotations

import time

from slack_sdk.models.blocks import Block
from sqlmodel import Session, select

from models.chat_message import ChatMessage
from models.risks.mitigation import RiskMitigation
from models.risks.risk import Risk
from tests.fakes.slack_api import FakeSlack
from tests.support.slack_requests import SlackSender, SlackUser, block_text, button, buttons

ADMIN = SlackUser(user="U1", name="ana")  # the first user of a workspace is its admin
MEMBER = SlackUser(user="U2", name="li")


def risk(engine) -> Risk:
    with Session(engine) as db:
        return db.exec(select(Risk)).one()


def wait_until(check, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def assert_valid(message: dict) -> None:
    assert len(message["blocks"]) <= 50
    assert [b.to_dict() for b in Block.parse_all(message["blocks"])] == message["blocks"]
    assert "Something went wrong" not in block_text(message)


def post_high_risk(slack: SlackSender, fake_slack: FakeSlack, engine) -> dict:
    answer = slack.command("add Yantian port congestion category=logistics likelihood=4 impact=4 market=US",
                           command="/risk", who=ADMIN)  # fmt: skip
    body = answer.json()
    assert body["response_type"] == "ephemeral"
    assert "RISK-1 filed: score 16 (high). It is queued for the channel" in block_text(body)
    [card] = fake_slack.wait_for("chat.postMessage")
    assert card.body["channel"] == "C1"
    assert_valid(card.body)
    wait_until(lambda: _tracked(engine))
    return card.body


def _tracked(engine) -> list[ChatMessage]:
    with Session(engine) as db:
        return list(db.exec(select(ChatMessage).where(ChatMessage.entity == "risk")).all())


def test_a_high_risk_is_posted_as_a_tracked_card_with_decision_buttons(slack, fake_slack, engine) -> None:
    card = post_high_risk(slack, fake_slack, engine)
    assert [b["text"]["text"] for b in buttons(card)] == ["Acknowledge", "Start playbook", "Accept risk"]
    text = block_text(card)
    assert "New high risk RISK-1 (score 16)." in text and "No mitigation yet for a high risk" in text
    [tracked] = _tracked(engine)
    assert (tracked.channel_ref, tracked.entity_id) == ("C1", risk(engine).id)


def test_a_low_risk_is_answered_in_the_channel_without_a_post(slack, fake_slack, engine) -> None:
    body = slack.command("add small category=quality likelihood=1 impact=3", command="/risk").json()
    assert body["response_type"] == "in_channel"
    assert "RISK-1 filed: score 3 (low)." in block_text(body)
    assert [b["text"]["text"] for b in buttons(body)] == ["Start playbook"]
    time.sleep(0.2)
    assert fake_slack.calls_to("chat.postMessage") == []


def test_acknowledge_updates_the_card_in_place(slack, fake_slack, engine) -> None:
    card = post_high_risk(slack, fake_slack, engine)
    slack.click(button(card, "Acknowledge"), who=MEMBER)
    [note] = fake_slack.wait_for("response_url")
    assert "You acknowledged RISK-1." in block_text(note.body) and note.body.get("replace_original") is False
    [update] = fake_slack.wait_for("chat.update")
    [tracked] = _tracked(engine)
    assert (update.body["channel"], update.body["ts"]) == ("C1", tracked.message_ref)
    assert "Acknowledged by <@U2>" in block_text(update.body)
    assert [b["text"]["text"] for b in buttons(update.body)] == ["Start playbook", "Accept risk"]
    with Session(engine) as db:
        acked_by = db.exec(select(Risk.acknowledged_by)).one()
    assert acked_by is not None
    slack.click(button(card, "Acknowledge"), who=ADMIN)  # the old card, pressed again
    second = fake_slack.wait_for("response_url", 2)[1]
    assert "RISK-1 was already acknowledged." in block_text(second.body)


def test_accepting_needs_an_approver_or_admin(slack, fake_slack, engine) -> None:
    card = post_high_risk(slack, fake_slack, engine)
    slack.command("me", command="/pm", who=MEMBER)  # li joins as a plain member
    slack.click(button(card, "Accept risk"), who=MEMBER)
    [refused] = fake_slack.wait_for("response_url")
    assert "Only approvers and workspace admins can accept a risk such as RISK-1." in block_text(refused.body)
    assert risk(engine).status == "open"
    assert fake_slack.calls_to("chat.update") == []
    slack.click(button(card, "Accept risk"), who=ADMIN)
    accepted = fake_slack.wait_for("response_url", 2)[1]
    assert "RISK-1 is accepted" in block_text(accepted.body)
    [update] = fake_slack.wait_for("chat.update")
    assert "Accepted by <@U1>" in block_text(update.body)
    assert [b["text"]["text"] for b in buttons(update.body)] == ["Start playbook"]
    assert risk(engine).status == "accepted"


def test_start_playbook_adds_its_steps_and_redraws_the_card(slack, fake_slack, engine) -> None:
    card = post_high_risk(slack, fake_slack, engine)
    slack.click(button(card, "Start playbook"), who=ADMIN)
    [note] = fake_slack.wait_for("response_url")
    assert "Playbook started for RISK-1: 5 actions added" in block_text(note.body)
    [update] = fake_slack.wait_for("chat.update")
    assert_valid(update.body)
    assert "#1 List the affected shipments" in block_text(update.body)
    assert "Start playbook" not in [b["text"]["text"] for b in buttons(update.body)]
    with Session(engine) as db:
        assert len(db.exec(select(RiskMitigation)).all()) == 5


def test_raising_a_risk_into_high_posts_its_card(slack, fake_slack, engine) -> None:
    slack.command("add tariff on HS6109 category=tariff likelihood=2 impact=4", command="/risk")
    assert fake_slack.calls_to("chat.postMessage") == []
    body = slack.command("update RISK-1 likelihood=3", command="/risk").json()
    assert "RISK-1 updated: Likelihood. Score 12 (high)." in block_text(body)
    [card] = fake_slack.wait_for("chat.postMessage")
    assert "RISK-1 is now high (score 12)." in block_text(card.body)
    assert [b["text"]["text"] for b in buttons(card.body)] == ["Acknowledge", "Start playbook", "Accept risk"]


def test_the_modal_files_a_risk(slack, fake_slack, engine) -> None:
    assert slack.command("", command="/risk").text == ""
    [opened] = fake_slack.wait_for("views.open")
    view = opened.body["view"]
    elements = {b["block_id"]: b["element"]["type"] for b in view["blocks"]}
    assert elements["owner"] == "users_select" and elements["category"] == "static_select"
    assert [b["block_id"] for b in view["blocks"] if not b.get("optional")] == [
        "title",
        "category",
        "likelihood",
        "impact",
    ]
    values = {
        "title": {"title": {"type": "plain_text_input", "value": "Amazon suspends listing"}},
        "category": {"category": {"type": "static_select", "selected_option": {"value": "platform"}}},
        "likelihood": {"likelihood": {"type": "static_select", "selected_option": {"value": "5"}}},
        "impact": {"impact": {"type": "static_select", "selected_option": {"value": "4"}}},
        "owner": {"owner": {"type": "users_select", "selected_user": "U7"}},
        "market": {"market": {"type": "multi_static_select", "selected_options": [{"value": "DE"}]}},
        "exposure": {"exposure": {"type": "plain_text_input", "value": "80000"}},
        "currency": {"currency": {"type": "static_select", "selected_option": {"value": "EUR"}}},
        "review": {"review": {"type": "plain_text_input", "value": None}},
        "req": {"req": {"type": "plain_text_input", "value": None}},
    }
    assert slack.submit_view(view, values).text == ""
    [card] = fake_slack.wait_for("chat.postMessage")
    assert "New critical risk RISK-1 (score 20)." in block_text(card.body)
    assert "<@U7>" in block_text(card.body) and "EUR 80,000" in block_text(card.body)
    stored = risk(engine)
    assert (stored.category, stored.score, stored.exposure_currency) == ("platform", 20, "EUR")


def test_a_bad_modal_field_is_refused_field_by_field(slack, fake_slack, engine) -> None:
    slack.command("", command="/risk")
    [opened] = fake_slack.wait_for("views.open")
    values = {
        "title": {"title": {"type": "plain_text_input", "value": "x"}},
        "category": {"category": {"type": "static_select", "selected_option": {"value": "fx"}}},
        "likelihood": {"likelihood": {"type": "static_select", "selected_option": {"value": "3"}}},
        "impact": {"impact": {"type": "static_select", "selected_option": {"value": "3"}}},
        "exposure": {"exposure": {"type": "plain_text_input", "value": "lots"}},
    }
    answer = slack.submit_view(opened.body["view"], values).json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"exposure"}
    with Session(engine) as db:
        assert db.exec(select(Risk)).all() == []


def test_a_full_card_stays_inside_block_kit_limits(slack, fake_slack, engine) -> None:
    slack.command(f"add {'风险' * 100} category=fx likelihood=5 impact=5 market=US,DE,JP", command="/risk")
    slack.command("playbook start RISK-1", command="/risk")
    for n in range(35):
        slack.command(f"mitigate RISK-1 {'措施' * 400}{n} due=2030-01-01", command="/risk")
    slack.command("watch RISK-1 fx.USDCNY above 7.3", command="/risk")
    fake_slack.reset()
    shown = slack.command("show RISK-1", command="/risk").json()
    assert_valid(shown)
    # Too long for one message: the answer holds the start, the rest follows through the response URL.
    deadline = time.monotonic() + 10
    while True:
        rest = [call.body for call in fake_slack.calls_to("response_url")]
        whole = "\n".join(block_text(m) for m in (shown, *rest))
        if "#40" in whole or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    for message in rest:
        assert_valid(message)
    assert "#1 " in whole and f"{'措施' * 400}34" in whole and "#40" in whole
    assert "RISK-1 has room for only 0 more actions." in block_text(
        slack.command("mitigate RISK-1 one more", command="/risk").json()
    )
    for n in range(12):
        slack.command(f"add r{n} {'x' * 180} category=fx likelihood=2 impact=2", command="/risk")
    assert_valid(slack.command("list", command="/risk").json())


def test_the_playbook_modal_starts_from_the_current_steps(slack, fake_slack, engine) -> None:
    slack.command("playbook fx edit", command="/risk", who=ADMIN)
    [opened] = fake_slack.wait_for("views.open")
    view = opened.body["view"]
    [steps] = view["blocks"]
    initial = steps["element"]["initial_value"].split("\n")
    assert len(initial) == 5 and initial[0].startswith("Recalculate landed cost") and initial[0].endswith(" +1d")
    edited = "\n".join([*initial[:2], "Ask the bank for a 3-month forward +2d"])
    values = {"steps": {"steps": {"type": "plain_text_input", "value": edited}}}
    assert slack.submit_view(view, values, who=ADMIN).text == ""
    [saved] = fake_slack.wait_for("chat.postMessage")
    assert "Playbook for FX saved: 3 steps." in block_text(saved.body)
    shown = block_text(slack.command("playbook fx", command="/risk").json())
    assert "3. Ask the bank for a 3-month forward (+2d)" in shown
    slack.command("playbook fx edit", command="/risk", who=ADMIN)
    again = fake_slack.wait_for("views.open", 2)[1].body["view"]
    assert again["blocks"][0]["element"]["initial_value"].endswith("Ask the bank for a 3-month forward +2d")
