"""Approvals on Lark, through the real /lark/events endpoint with signed, encrypted callbacks: the card
posted in the chat and remembered, its buttons answered with a toast and the card's new look, the reason
and transfer forms as card forms replying to the card, the same permission rules as Slack, one decision
however often it is clicked, and later changes patched into the card."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlmodel import Session, select

from bot.i18n import catalog
from models.approvals.approval import Approval
from models.audit import AuditEntry
from models.chat_message import ChatMessage
from models.requirements.requirement import Requirement
from tests.fakes.lark_api import Call, FakeLark
from tests.support.lark_requests import LarkSender, LarkUser, button, buttons, card_text
from tests.support.server import ServerThread

ANA = LarkUser(open_id="ou_ana", name="ana")  # the first to use the bot in the tenant: its admin
LI = LarkUser(open_id="ou_li", name="li")
SAM = LarkUser(open_id="ou_sam", name="sam")
ZED = LarkUser(open_id="ou_zed", name="zed")
PEOPLE = {"li": "ou_li", "sam": "ou_sam"}


def label(key: str) -> str:
    return catalog().t("zh-CN", key)


def messages_to(fake: FakeLark, receive_id: str) -> list[Call]:
    return [c for c in fake.calls_to("im.message.create") if c.body.get("receive_id") == receive_id]


def in_chat(fake: FakeLark, chat: str = "oc_product") -> list[Call]:
    """Cards the bot sent into a chat, as new messages or as replies (in a group it replies to the command)."""
    return [c for c in fake.sent(count=0) if (c.answer.get("data") or {}).get("chat_id") == chat]


def wait_until(check: Any, timeout: float = 5.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.02)


def submit(lark: LarkSender, fake: FakeLark, engine, approvers: str = "@li") -> Call:
    """ana logs REQ-1, scores it and submits it; returns the approval card as the bot sent it. The people
    named are plain members: ana, the workspace's admin, lets anyone be named (ad-hoc approvers)."""
    lark.message("/pm settings adhoc_approvers=on", who=ANA)
    lark.message("/req add 德国站 A+ 页面 market=DE", who=ANA)
    lark.message("/score REQ-1 reach=4000 impact=2 confidence=80 effort=1.5", who=ANA)
    assert lark.message(f"/req submit REQ-1 {approvers}", who=ANA, people=PEOPLE).status_code == 200
    cards = wait_until(lambda: [c for c in in_chat(fake) if is_approval_card(c)])
    [card] = cards
    remembered = wait_until(lambda: tracked(engine))
    assert [m.message_ref for m in remembered] == [card.answer["data"]["message_id"]]
    return card


def is_approval_card(call: Call) -> bool:
    return (call.card.get("header") or {}).get("title", {}).get("content", "").startswith("审批 · ")


def tracked(engine) -> list[ChatMessage]:
    with Session(engine) as db:
        return list(db.exec(select(ChatMessage).where(ChatMessage.entity == "approval")).all())


def approval(engine) -> Approval:
    with Session(engine) as db:
        return db.exec(select(Approval)).one()


def status(engine) -> str:
    with Session(engine) as db:
        return db.exec(select(Requirement.status)).one()


def decisions(engine) -> int:
    with Session(engine) as db:
        return len(db.exec(select(AuditEntry).where(AuditEntry.action == "decide")).all())


def form_for(fake: FakeLark, card: Call) -> Call:
    """The form the bot sent in reply to the card."""
    mine = card.answer["data"]["message_id"]
    [form] = wait_until(lambda: [c for c in fake.calls_to("im.message.reply") if c.path_id == mine])
    return form


def click(lark: LarkSender, card: Call, key: str, who: LarkUser) -> dict[str, Any]:
    return lark.click(button(card.card, label(key)), who=who, message_id=card.answer["data"]["message_id"]).json()


def test_submit_posts_a_tracked_card_in_the_chat_and_tells_the_approvers(lark: LarkSender, fake_lark: FakeLark, engine):
    card = submit(lark, fake_lark, engine, "@li @sam")
    assert card.name == "im.message.reply" and card.path_id.startswith("om_user_")  # answers the command
    shown = card_text(card.card)
    assert "审批 · REQ-1 · 德国站 A+ 页面" in shown and "RICE 4,266.7" in shown and "或签" in shown
    assert "<at id=ou_li></at>: 待审批" in shown and "<at id=ou_sam></at>: 待审批" in shown
    expected = [label(f"approval.button.{b}") for b in ("approve", "reject", "changes", "transfer", "remind")]
    assert [b["text"]["content"] for b in buttons(card.card)] == expected
    for open_id in ("ou_li", "ou_sam"):
        [dm] = wait_until(lambda o=open_id: messages_to(fake_lark, o))
        assert dm.query["receive_id_type"] == "open_id"
        assert "<at id=ou_ana></at> 请你审批 REQ-1。" in card_text(dm.card)
    assert (approval(engine).state, status(engine)) == ("pending", "triaged")


def test_approve_is_answered_with_a_toast_and_the_decided_card(lark: LarkSender, fake_lark: FakeLark, engine):
    card = submit(lark, fake_lark, engine)
    began = time.monotonic()
    answer = click(lark, card, "approval.button.approve", LI)
    assert time.monotonic() - began < 3
    assert answer["toast"]["type"] == "success"
    decided = answer["card"]["data"]
    assert "<at id=ou_li></at> 于" in card_text(decided) and "已批准" in card_text(decided)
    assert buttons(decided) == []
    [patch] = fake_lark.wait_for("im.message.patch")  # every copy of the card follows
    assert patch.path_id == card.answer["data"]["message_id"] and buttons(patch.card) == []
    [dm] = wait_until(lambda: messages_to(fake_lark, "ou_ana"))
    assert "REQ-1 已由 <at id=ou_li></at> 批准。" in card_text(dm.card)
    assert (approval(engine).state, status(engine)) == ("approved", "approved")


def test_someone_who_may_not_approve_gets_an_error_toast_and_nothing_changes(
    lark: LarkSender, lark_server: ServerThread, fake_lark: FakeLark, engine
):
    card = submit(lark, fake_lark, engine)
    lark.message("/pm me", who=ZED)  # zed uses the bot: a plain member, not on the card
    assert lark_server.runtime.settle()
    fake_lark.reset()
    for who, key in ((ZED, "approval.not_allowed"), (ANA, "approval.not_own")):
        answer = click(lark, card, "approval.button.approve", who)
        assert answer == {"toast": {"type": "error", "content": label(key)}}
    answer = click(lark, card, "approval.button.reject", ZED)
    assert answer["toast"]["type"] == "error" and "card" not in answer
    time.sleep(0.2)
    assert fake_lark.calls_to("im.message.patch", "im.message.reply", "im.message.create") == []
    assert (approval(engine).state, status(engine), decisions(engine)) == ("pending", "triaged", 0)


def test_all_must_approve_shows_each_vote_on_the_card_until_the_last(lark: LarkSender, fake_lark: FakeLark, engine):
    card = submit(lark, fake_lark, engine, "@li @sam mode=all")
    assert "会签" in card_text(card.card)
    first = click(lark, card, "approval.button.approve", LI)
    assert first["toast"]["content"] == "你已同意 REQ-1，还需等待 1 位审批人。"
    shown = card_text(first["card"]["data"])
    assert "<at id=ou_li></at>: 已同意" in shown and "<at id=ou_sam></at>: 待审批" in shown
    assert buttons(first["card"]["data"])  # still open to sam
    assert click(lark, card, "approval.button.approve", LI)["toast"]["type"] == "error"  # li has voted
    assert approval(engine).state == "pending"
    last = click(lark, card, "approval.button.approve", SAM)
    assert "已批准" in card_text(last["card"]["data"]) and buttons(last["card"]["data"]) == []
    assert (approval(engine).state, status(engine), decisions(engine)) == ("approved", "approved", 1)


def test_a_double_click_records_one_decision(lark: LarkSender, lark_server: ServerThread, fake_lark: FakeLark, engine):
    card = submit(lark, fake_lark, engine)
    value = button(card.card, label("approval.button.approve"))
    message_id = card.answer["data"]["message_id"]
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: lark.click(value, who=LI, message_id=message_id).json(), range(2)))
    again = click(lark, card, "approval.button.approve", LI)  # and once more, well after
    assert decisions(engine) == 1
    assert (approval(engine).state, status(engine)) == ("approved", "approved")
    assert sum("card" in a for a in answers) == 1
    told = [a["toast"]["content"] for a in [*answers, again] if "card" not in a]
    assert len(told) == 2 and all(t.startswith("已由 @li 于") and t.endswith("批准。") for t in told)
    assert lark_server.runtime.settle()
    assert len(messages_to(fake_lark, "ou_ana")) == 1  # the requester is told once


def test_reject_asks_for_the_reason_in_a_card_form_that_replies_to_the_card(
    lark: LarkSender, fake_lark: FakeLark, engine
):
    card = submit(lark, fake_lark, engine)
    answer = click(lark, card, "approval.button.reject", LI)
    assert answer == {"toast": {"type": "info", "content": label("lark.toast.form")}}  # the card stays as it is
    form = form_for(fake_lark, card)
    [container] = [e for e in form.card["body"]["elements"] if e["tag"] == "form"]
    [reason] = [e for e in container["elements"] if e.get("name") == "reason"]
    assert reason["tag"] == "input" and reason["required"] is True
    assert approval(engine).state == "pending"
    form_id = form.answer["data"]["message_id"]
    refused = lark.submit(form.card, {"reason": "   "}, who=LI, message_id=form_id).json()
    assert refused["toast"]["type"] == "error" and "理由" in refused["toast"]["content"]
    assert approval(engine).state == "pending"
    done = lark.submit(form.card, {"reason": "Q4 预算 <已用完> **x**"}, who=LI, message_id=form_id).json()
    assert done["toast"]["type"] == "success"
    assert card_text(done["card"]["data"]) == label("lark.form.card_updated")
    [patch] = fake_lark.wait_for("im.message.patch")
    assert patch.path_id == card.answer["data"]["message_id"]
    shown = card_text(patch.card)
    assert "已驳回" in shown and "Q4 预算 &#60;已用完&#62; &#42;&#42;x&#42;&#42;" in shown  # shown as typed
    [dm] = wait_until(lambda: messages_to(fake_lark, "ou_ana"))
    assert "REQ-1 已被 <at id=ou_li></at> 驳回。" in card_text(dm.card)
    found = approval(engine)
    assert (found.state, found.reason, status(engine)) == ("rejected", "Q4 预算 <已用完> **x**", "rejected")


def test_a_reason_form_submitted_by_someone_else_is_refused_and_stays(lark: LarkSender, fake_lark: FakeLark, engine):
    card = submit(lark, fake_lark, engine)
    lark.message("/pm me", who=ZED)
    click(lark, card, "approval.button.changes", LI)
    form = form_for(fake_lark, card)
    form_id = form.answer["data"]["message_id"]
    refused = lark.submit(form.card, {"reason": "先加上日本站"}, who=ZED, message_id=form_id).json()
    assert refused == {"toast": {"type": "error", "content": label("approval.not_allowed")}}
    assert approval(engine).state == "pending"
    done = lark.submit(form.card, {"reason": "先加上日本站"}, who=LI, message_id=form_id).json()
    assert done["toast"]["type"] == "success"
    [patch] = fake_lark.wait_for("im.message.patch")
    assert "已要求修改" in card_text(patch.card) and "先加上日本站" in card_text(patch.card)
    assert (approval(engine).state, status(engine)) == ("changes", "triaged")


def test_transfer_picks_a_person_in_the_card_form_and_they_decide(lark: LarkSender, fake_lark: FakeLark, engine):
    card = submit(lark, fake_lark, engine)
    click(lark, card, "approval.button.transfer", LI)
    form = form_for(fake_lark, card)
    [container] = [e for e in form.card["body"]["elements"] if e["tag"] == "form"]
    [to] = [e for e in container["elements"] if e.get("name") == "to"]
    assert to["tag"] == "select_person" and to["required"] is True
    values = {"to": "ou_sam", "reason": "我休假"}
    done = lark.submit(form.card, values, who=LI, message_id=form.answer["data"]["message_id"]).json()
    assert done["toast"]["type"] == "success"
    [patch] = fake_lark.wait_for("im.message.patch")
    assert "已转交给 <at id=ou_sam></at>" in card_text(patch.card)
    [dm] = wait_until(lambda: messages_to(fake_lark, "ou_sam"))
    assert "把 REQ-1 的审批转交给了你" in card_text(dm.card) and "我休假" in card_text(dm.card)
    assert click(lark, card, "approval.button.approve", LI)["toast"]["type"] == "error"  # no longer li's
    answer = click(lark, card, "approval.button.approve", SAM)
    assert "已批准" in card_text(answer["card"]["data"])
    assert (approval(engine).state, status(engine)) == ("approved", "approved")


def test_the_requester_reminds_the_approvers_at_most_once_an_hour(
    lark: LarkSender, lark_server: ServerThread, fake_lark: FakeLark, engine
):
    card = submit(lark, fake_lark, engine)
    wait_until(lambda: messages_to(fake_lark, "ou_li"))
    answer = click(lark, card, "approval.button.remind", ANA)
    assert answer == {"toast": {"type": "info", "content": "已向尚未审批的 1 位审批人发送催办提醒。"}}
    assert len(wait_until(lambda: messages_to(fake_lark, "ou_li")[1:])) == 1
    again = click(lark, card, "approval.button.remind", ANA)
    assert again["toast"]["content"].startswith("一小时内已催办过") and "card" not in again
    assert lark_server.runtime.settle()
    assert len(messages_to(fake_lark, "ou_li")) == 2
    assert [c for c in in_chat(fake_lark) if is_approval_card(c)] == [card]  # no new card in the chat


def test_a_change_made_elsewhere_patches_the_card(lark: LarkSender, fake_lark: FakeLark, engine):
    card = submit(lark, fake_lark, engine)
    lark.message("/req status REQ-1 parked", who=ANA)
    [patch] = fake_lark.wait_for("im.message.patch")
    assert patch.path_id == card.answer["data"]["message_id"]
    assert "已不适用" in card_text(patch.card) and buttons(patch.card) == []
    assert approval(engine).state == "void"
    late = click(lark, card, "approval.button.approve", LI)  # a click on a copy that missed the update
    assert late == {"toast": {"type": "info", "content": label("approval.already.void")}}
