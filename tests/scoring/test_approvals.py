"""Approvals driven through the real app over HTTP with signed block_actions and view_submission
payloads; the Slack-like server records the card (chat.postMessage), its updates (chat.update),
the modals (views.open) and the direct messages."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from slack_sdk.models.blocks import Block
from sqlalchemy import delete, update
from sqlmodel import Session, select

from models.approvals.approval import Approval, ApprovalStep
from models.base import utcnow
from models.requirements.requirement import Requirement
from models.workspace import Member
from tests.fakes.slack_api import FakeSlack
from tests.scoring.approval_flow import (
    ANA,
    LI,
    SAM,
    ZED,
    approval,
    audit_actions,
    has_buttons,
    mention,
    posted_to,
    requirement_status,
    settle,
    submit,
    tracked,
)
from tests.support.slack_requests import SlackSender, SlackUser, block_text, button

BUTTONS = ["Approve", "Reject", "Request changes", "Transfer", "Remind"]


@pytest.fixture(autouse=True)
def _settled(fake_slack: FakeSlack) -> Iterator[None]:
    yield
    settle(fake_slack)  # nothing of this test may land in the next one


def reason_state(text: str | None) -> dict:
    return {"reason": {"reason": {"type": "plain_text_input", "value": text}}}


def test_submit_posts_a_tracked_card_and_tells_the_named_approvers(slack: SlackSender, fake_slack: FakeSlack, engine):
    card = submit(slack, fake_slack, engine, f"{mention(LI)} {mention(SAM)}")
    text = block_text(card)
    assert "Approval · REQ-1 · DE A+ page" in text
    assert "RICE 4,266.7" in text and "<@U1>" in text and "any one (或签)" in text
    assert "<@U2>: waiting" in text and "<@U3>: waiting" in text
    assert [b["text"]["text"] for b in card["blocks"][-1]["elements"]] == BUTTONS
    for user in ("U2", "U3"):
        [dm] = posted_to(fake_slack, user)
        assert "<@U1> asks you to approve REQ-1." in block_text(dm.body)
    [remembered] = tracked(engine)
    with Session(engine) as db:
        pending = db.exec(select(Approval)).one()
    assert (remembered.entity, remembered.entity_id, remembered.channel_ref) == ("approval", pending.id, "C1")
    assert (pending.state, pending.mode) == ("pending", "any")
    assert requirement_status(engine) == "triaged"  # submitting a new requirement triages it


def test_approve_updates_the_card_in_place_and_tells_the_requester_in_their_language(
    slack: SlackSender, fake_slack: FakeSlack, engine
):
    card = submit(slack, fake_slack, engine, mention(LI))
    slack.command("lang zh", command="/pm", who=ANA)
    slack.click(button(card, "Approve"), who=LI)
    [updated] = fake_slack.wait_for("chat.update")
    [remembered] = tracked(engine)
    assert (updated.body["channel"], updated.body["ts"]) == ("C1", remembered.message_ref)
    assert "已由 <@U2>" not in block_text(updated.body)  # the card is drawn for the approver, in English
    assert "Approved by <@U2> at" in block_text(updated.body)
    assert not has_buttons(updated.body)
    [dm] = posted_to(fake_slack, "U1")
    assert "REQ-1 已由 <@U2> 批准。" in block_text(dm.body)
    assert (approval(engine).state, requirement_status(engine)) == ("approved", "approved")
    assert audit_actions(engine)[-2:] == ["status", "decide"] and "submit" in audit_actions(engine)


def test_reject_asks_for_the_reason_before_anything_is_recorded(slack: SlackSender, fake_slack: FakeSlack, engine):
    card = submit(slack, fake_slack, engine, mention(LI))
    assert slack.click(button(card, "Reject"), who=LI).status_code == 200
    [opened] = fake_slack.wait_for("views.open")
    view = opened.body["view"]
    assert view["callback_id"] == "approval.reject_form"
    assert [b["block_id"] for b in view["blocks"]] == ["reason"]
    assert approval(engine).state == "pending" and fake_slack.calls_to("chat.update") == []
    refused = slack.submit_view(view, reason_state("   "), who=LI).json()
    assert refused == {"response_action": "errors", "errors": {"reason": "this field is required"}}
    assert approval(engine).state == "pending"
    assert slack.submit_view(view, reason_state("Q4 budget <is> spent"), who=LI).text == ""
    [updated] = fake_slack.wait_for("chat.update")
    assert "Rejected by <@U2>" in block_text(updated.body)
    assert "Q4 budget &lt;is&gt; spent" in block_text(updated.body)  # user text is escaped
    assert not has_buttons(updated.body)
    [dm] = posted_to(fake_slack, "U1")
    assert "REQ-1 was rejected by <@U2>." in block_text(dm.body) and "*Reason*\nQ4 budget" in block_text(dm.body)
    found = approval(engine)
    assert (found.state, found.reason, requirement_status(engine)) == ("rejected", "Q4 budget <is> spent", "rejected")


def test_request_changes_keeps_the_requirement_triaged(slack: SlackSender, fake_slack: FakeSlack, engine):
    card = submit(slack, fake_slack, engine, mention(LI))
    slack.click(button(card, "Request changes"), who=LI)
    [opened] = fake_slack.wait_for("views.open")
    assert opened.body["view"]["callback_id"] == "approval.changes_form"
    slack.submit_view(opened.body["view"], reason_state("Add the JP market first"), who=LI)
    [updated] = fake_slack.wait_for("chat.update")
    assert "Changes requested by <@U2>" in block_text(updated.body)
    assert (approval(engine).state, requirement_status(engine)) == ("changes", "triaged")
    # The requester can resubmit once changes were asked for.
    assert "sent for approval" in block_text(slack.command(f"submit REQ-1 {mention(LI)}", who=ANA).json())


def test_someone_who_may_not_decide_is_told_privately_and_nothing_changes(
    slack: SlackSender, fake_slack: FakeSlack, engine
):
    card = submit(slack, fake_slack, engine, mention(LI))
    slack.click(button(card, "Approve"), who=SAM)
    [answer] = fake_slack.wait_for("response_url")
    assert answer.body["response_type"] == "ephemeral" and answer.body["replace_original"] is False
    assert "You can't approve this" in block_text(answer.body)
    slack.click(button(card, "Reject"), who=SAM)
    assert "You can't approve this" in block_text(fake_slack.wait_for("response_url", 2)[1].body)
    slack.click(button(card, "Approve"), who=ANA)  # the requester, though an admin
    assert "You asked for this approval" in block_text(fake_slack.wait_for("response_url", 3)[2].body)
    assert fake_slack.calls_to("chat.update") == [] and fake_slack.calls_to("views.open") == []
    assert approval(engine).state == "pending" and requirement_status(engine) == "triaged"
    with Session(engine) as db:
        assert {s.vote for s in db.exec(select(ApprovalStep)).all()} == {"pending"}


def test_workspace_approvers_decide_when_nobody_is_named(slack: SlackSender, fake_slack: FakeSlack, engine):
    slack.command("me", command="/pm", who=ANA)  # ana is the workspace's first user: its admin
    assert "role is now approver" in block_text(slack.command(f"role {mention(SAM)} approver", command="/pm").json())
    card = submit(slack, fake_slack, engine, "", who=LI)
    assert "any workspace approver" in block_text(card)
    slack.click(button(card, "Approve"), who=SAM)
    fake_slack.wait_for("chat.update")
    found = approval(engine)
    assert (found.state, requirement_status(engine)) == ("approved", "approved")


def test_nobody_to_approve_and_self_approval_are_refused(slack: SlackSender, engine):
    slack.command("add thing", who=ANA)
    alone = block_text(slack.command("submit REQ-1", who=ANA).json())
    assert "Nobody can approve this yet" in alone
    assert "can't approve your own request" in block_text(slack.command(f"submit REQ-1 {mention(ANA)}", who=ANA).json())
    assert "needs the approvers named" in block_text(slack.command("submit REQ-1 mode=all", who=LI).json())
    assert requirement_status(engine) == "new"
    with Session(engine) as db:
        assert db.exec(select(Approval)).all() == []


def test_all_must_approve_shows_progress_and_one_rejection_rejects(slack: SlackSender, fake_slack: FakeSlack, engine):
    card = submit(slack, fake_slack, engine, f"{mention(LI)} {mention(SAM)} 会签")
    assert "all must approve (会签)" in block_text(card)
    slack.click(button(card, "Approve"), who=LI)
    [progress] = fake_slack.wait_for("chat.update")
    assert "<@U2>: approved" in block_text(progress.body) and "<@U3>: waiting" in block_text(progress.body)
    assert has_buttons(progress.body)
    assert (approval(engine).state, requirement_status(engine)) == ("pending", "triaged")
    slack.click(button(card, "Approve"), who=LI)  # again
    assert "You have already approved" in block_text(fake_slack.wait_for("response_url", 2)[-1].body)
    slack.click(button(card, "Reject"), who=SAM)
    [opened] = fake_slack.wait_for("views.open")
    slack.submit_view(opened.body["view"], reason_state("No budget"), who=SAM)
    final = fake_slack.wait_for("chat.update", 2)[1]
    assert "Rejected by <@U3>" in block_text(final.body) and not has_buttons(final.body)
    assert (approval(engine).state, requirement_status(engine)) == ("rejected", "rejected")


def test_all_must_approve_needs_every_approval(slack: SlackSender, fake_slack: FakeSlack, engine):
    slack.command("me", command="/pm", who=ANA)  # the workspace's admin
    card = submit(slack, fake_slack, engine, f"{mention(ZED)} {mention(SAM)} mode=all", who=LI)
    slack.click(button(card, "Approve"), who=SAM)
    fake_slack.wait_for("chat.update")
    assert "You approved REQ-1; waiting for 1 more." in block_text(fake_slack.wait_for("response_url")[-1].body)
    slack.click(button(card, "Approve"), who=ANA)  # an admin, but not named: 会签 is for the named approvers
    assert "You can't approve this" in block_text(fake_slack.wait_for("response_url", 2)[-1].body)
    slack.click(button(card, "Approve"), who=ZED)
    final = fake_slack.wait_for("chat.update", 2)[1]
    assert "Approved by <@U4>" in block_text(final.body)
    assert (approval(engine).state, requirement_status(engine)) == ("approved", "approved")
    assert audit_actions(engine).count("vote") == 1 and audit_actions(engine).count("decide") == 1


def test_transfer_hands_the_decision_to_someone_else(slack: SlackSender, fake_slack: FakeSlack, engine):
    card = submit(slack, fake_slack, engine, mention(LI))
    slack.click(button(card, "Transfer"), who=LI)
    [opened] = fake_slack.wait_for("views.open")
    view = opened.body["view"]
    assert {b["block_id"]: b["element"]["type"] for b in view["blocks"]} == {
        "to": "users_select",
        "reason": "plain_text_input",
    }
    to_requester = {"to": {"to": {"type": "users_select", "selected_user": "U1"}}, **reason_state(None)}
    assert slack.submit_view(view, to_requester, who=LI).json()["errors"] == {
        "to": "The requester can't approve their own request."
    }
    to_zed = {"to": {"to": {"type": "users_select", "selected_user": "U4"}}, **reason_state("I'm on leave")}
    assert slack.submit_view(view, to_zed, who=LI).text == ""
    [updated] = fake_slack.wait_for("chat.update")
    assert "<@U2>: handed to <@U4>" in block_text(updated.body) and "<@U4>: waiting" in block_text(updated.body)
    [dm] = posted_to(fake_slack, "U4")
    assert "<@U2> handed you the approval of REQ-1" in block_text(dm.body) and "on leave" in block_text(dm.body)
    slack.click(button(card, "Approve"), who=LI)  # li handed it on
    assert "You can't approve this" in block_text(fake_slack.wait_for("response_url")[-1].body)
    slack.click(button(card, "Approve"), who=ZED)
    assert "Approved by <@U4>" in block_text(fake_slack.wait_for("chat.update", 2)[1].body)
    assert "transfer" in audit_actions(engine)


def test_the_requester_may_remind_at_most_once_an_hour(slack: SlackSender, fake_slack: FakeSlack, engine):
    card = submit(slack, fake_slack, engine, f"{mention(LI)} {mention(SAM)}")
    posted_to(fake_slack, "U2")  # the submission's own notice
    slack.click(button(card, "Remind"), who=LI)
    assert "Only the person who asked" in block_text(fake_slack.wait_for("response_url")[-1].body)
    slack.click(button(card, "Remind"), who=ANA)
    assert "Reminder sent to the approvers still deciding (2)." in block_text(
        fake_slack.wait_for("response_url", 2)[-1].body
    )
    [_, reminder] = posted_to(fake_slack, "U2", 2)
    assert "<@U1> reminds you that REQ-1 is waiting for your approval." in block_text(reminder.body)
    slack.click(button(card, "Remind"), who=ANA)
    assert "less than an hour ago" in block_text(fake_slack.wait_for("response_url", 3)[-1].body)
    assert len(posted_to(fake_slack, "U2")) == 2
    with Session(engine) as db:  # an hour and a minute pass
        db.exec(update(Approval).values(reminded_at=utcnow() - timedelta(minutes=61)))
        db.commit()
    slack.click(button(card, "Remind"), who=ANA)
    posted_to(fake_slack, "U2", 3)
    assert audit_actions(engine).count("remind") == 2


def test_moving_the_requirement_by_hand_voids_the_card(slack: SlackSender, fake_slack: FakeSlack, engine):
    card = submit(slack, fake_slack, engine, mention(LI))
    slack.command("status REQ-1 parked", who=ANA)
    [updated] = fake_slack.wait_for("chat.update")
    assert "No longer applies" in block_text(updated.body) and not has_buttons(updated.body)
    slack.click(button(card, "Approve"), who=LI)
    assert "This approval no longer applies." in block_text(fake_slack.wait_for("response_url")[-1].body)
    assert (approval(engine).state, requirement_status(engine)) == ("void", "parked")


def test_a_card_for_a_requirement_changed_behind_its_back_answers_sensibly(
    slack: SlackSender, fake_slack: FakeSlack, engine
):
    card = submit(slack, fake_slack, engine, mention(LI))
    with Session(engine) as db:  # another process moved it without going through Tradewind's commands
        db.exec(update(Requirement).values(status="in_progress"))
        db.commit()
    slack.click(button(card, "Approve"), who=LI)
    assert "REQ-1 is in progress now, so this approval no longer applies." in block_text(
        fake_slack.wait_for("response_url")[-1].body
    )
    assert "No longer applies" in block_text(fake_slack.wait_for("chat.update")[-1].body)
    assert (approval(engine).state, requirement_status(engine)) == ("void", "in_progress")


def test_a_card_for_a_deleted_requirement(slack: SlackSender, fake_slack: FakeSlack, engine):
    card = submit(slack, fake_slack, engine, mention(LI))
    with Session(engine) as db:
        db.exec(delete(Requirement))
        db.commit()
    slack.click(button(card, "Approve"), who=LI)
    assert "That approval no longer exists." in block_text(fake_slack.wait_for("response_url")[-1].body)


def test_only_approvers_move_a_requirement_to_approved(slack: SlackSender, fake_slack: FakeSlack, engine):
    slack.command("add thing", who=ANA)
    triaged = slack.command("status REQ-1 triaged", who=LI).json()
    refused = block_text(slack.command("status REQ-1 approved", who=LI).json())
    assert "Only approvers can approve REQ-1. Ask for approval with /req submit REQ-1 @approver." in refused
    slack.click(button(triaged, "Approve"), who=LI)
    [answer] = fake_slack.wait_for("response_url")
    assert answer.body["replace_original"] is False and "Only approvers can approve REQ-1" in block_text(answer.body)
    assert requirement_status(engine) == "triaged"
    assert "REQ-1 is now approved." in block_text(slack.command("status REQ-1 approved", who=ANA).json())


def test_roles_are_granted_by_admins_and_slack_workspace_admins(slack: SlackSender, fake_slack: FakeSlack, engine):
    slack.command("me", command="/pm", who=ANA)
    refused = block_text(slack.command(f"role {mention(SAM)} approver", command="/pm", who=LI).json())
    assert "Only workspace admins can grant roles." in refused
    boss = SlackUser(user="U9", name="boss")
    fake_slack.users["U9"] = {"id": "U9", "is_admin": True, "profile": {"display_name": "boss"}}
    slack.command("me", command="/pm", who=boss)
    deadline = time.monotonic() + 5
    while not member("U9", engine).platform_admin:  # the profile is read after the ack
        assert time.monotonic() < deadline, "users.info was not stored"
        time.sleep(0.02)
    assert member("U9", engine).role == "member"
    granted = block_text(slack.command(f"role {mention(SAM)} approver", command="/pm", who=boss).json())
    assert "<@U3>'s role is now approver." in granted
    assert member("U3", engine).role == "approver"
    roles = slack.command("role", command="/pm", who=LI).json()
    assert "*Approvers*\n<@U3>" in block_text(roles) and "*Admins*\n<@U1>" in block_text(roles)
    last = block_text(slack.command(f"role {mention(ANA)} member", command="/pm", who=ANA).json())
    assert "That is the last admin" in last
    trail = block_text(slack.command(f"audit {mention(SAM)}", command="/pm", who=LI).json())
    assert "<@U9> role member → approver" in trail


def member(ref: str, engine) -> Member:
    with Session(engine) as db:
        return db.exec(select(Member).where(Member.external_id == ref)).one()


def test_the_audit_trail_of_a_requirement(slack: SlackSender, fake_slack: FakeSlack, engine):
    card = submit(slack, fake_slack, engine, mention(LI))
    slack.click(button(card, "Reject"), who=LI)
    [opened] = fake_slack.wait_for("views.open")
    slack.submit_view(opened.body["view"], reason_state("Not this quarter"), who=LI)
    fake_slack.wait_for("chat.update")
    trail = block_text(slack.command("audit REQ-1", command="/pm", who=SAM).json())
    for line in (
        "<@U2> rejected: Not this quarter",
        "<@U2> moved triaged → rejected",
        "<@U1> submitted for approval (any one approver decides)",
        "<@U1> scored RICE 4,266.7",
        "<@U1> created",
    ):
        assert line in trail, trail
    shown = block_text(slack.command("show REQ-1", who=SAM).json())
    assert "<@U2> rejected: Not this quarter" in shown


def test_the_largest_card_stays_inside_block_kit_limits(slack: SlackSender, fake_slack: FakeSlack, engine):
    slack.command(f"add {'标' * 200} market=US,DE,JP", who=ANA)
    slack.command(
        "REQ-1 reach.US=3000 reach.DE=1200 reach.JP=800 impact=3 confidence=100 effort=0.25 ice=10,10,10 moscow=must",
        command="/score",
    )
    approvers = [SlackUser(user=f"UX{n}", name=f"approver{n}") for n in range(10)]
    slack.command("settings adhoc_approvers=on", command="/pm", who=ANA)
    slack.command("submit REQ-1 " + " ".join(mention(a) for a in approvers) + " mode=all", who=ANA)
    [card] = posted_to(fake_slack, "C1")
    tracked(engine)
    assert [b.to_dict() for b in Block.parse_all(card.body["blocks"])] == card.body["blocks"]
    slack.click(button(card.body, "Reject"), who=approvers[3])
    [opened] = fake_slack.wait_for("views.open")
    slack.submit_view(opened.body["view"], reason_state("原因" * 500), who=approvers[3])
    [updated] = fake_slack.wait_for("chat.update")
    assert [b.to_dict() for b in Block.parse_all(updated.body["blocks"])] == updated.body["blocks"]
    assert "Rejected by <@UX3>" in block_text(updated.body) and "Something went wrong" not in block_text(updated.body)


def test_a_chinese_approver_sees_chinese(slack: SlackSender, fake_slack: FakeSlack, engine):
    card = submit(slack, fake_slack, engine, mention(LI))
    slack.command("lang zh", command="/pm", who=LI)
    slack.click(button(card, "Approve"), who=SAM)
    assert "You can't approve this" in block_text(fake_slack.wait_for("response_url")[-1].body)  # sam: English
    slack.command("lang zh", command="/pm", who=SAM)
    slack.click(button(card, "Approve"), who=SAM)
    assert "你无权审批：此审批仅限卡片上的审批人。" in block_text(fake_slack.wait_for("response_url", 2)[-1].body)
    ranked = block_text(slack.command("top", command="/score", who=LI).json())
    assert "需求优先级排行" in ranked and "按 RICE" in ranked and "已评估" in ranked
