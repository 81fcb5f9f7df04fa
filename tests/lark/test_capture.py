"""Capture on Lark: `@Tradewind req capture` in reply to a message sends the requirement form filled from
the message replied to (read through the Open API), with its sender as requester."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.lark.capture import message_link
from models.requirements.requirement import Requirement
from models.workspace import Member
from tests.fakes.lark_api import FakeLark
from tests.support.lark_requests import LarkSender

TEXT = "德国站尺码表被投诉\n买家说 EU 尺码偏小，退货率 12%"


def form_initials(card: dict) -> dict[str, object]:
    [form] = [e for e in card["body"]["elements"] if e["tag"] == "form"]
    found = {}
    for element in form["elements"]:
        if "name" in element and element["tag"] != "button":
            found[element["name"]] = element.get("default_value") or element.get("initial_option")
    return found


def capture_form(lark: LarkSender, fake_lark: FakeLark) -> dict:
    fake_lark.add_message("om_feedback", "oc_product", "ou_li", TEXT)
    assert lark.message("req capture", message_id="om_ask", parent_id="om_feedback").status_code == 200
    [sent] = fake_lark.sent()
    [read] = fake_lark.calls_to("im.message.get")
    assert read.path_id == "om_feedback"
    assert sent.name == "im.message.reply" and sent.path_id == "om_ask"
    return sent.card


def test_req_capture_in_reply_sends_the_form_filled_from_the_message(lark: LarkSender, fake_lark: FakeLark) -> None:
    initials = form_initials(capture_form(lark, fake_lark))
    assert initials["title"] == "德国站尺码表被投诉"
    assert initials["desc"] == "买家说 EU 尺码偏小，退货率 12%"


def test_its_submission_names_the_sender_as_requester(lark: LarkSender, fake_lark: FakeLark, engine) -> None:
    card = capture_form(lark, fake_lark)
    answer = lark.submit(
        card, {"title": "德国站尺码表被投诉", "desc": "买家说 EU 尺码偏小", "source": "customer"}
    ).json()
    assert answer["toast"] == {"type": "success", "content": "已登记 REQ-1。"}
    with Session(engine) as db:
        item = db.exec(select(Requirement)).one()
        requester = db.get(Member, item.requester_id)
    assert requester is not None and requester.external_id == "ou_li"
    assert item.source == "customer"


def test_a_message_lark_will_not_give_gets_a_note(lark: LarkSender, fake_lark: FakeLark) -> None:
    assert lark.message("req capture", message_id="om_ask2", parent_id="om_gone").status_code == 200
    [sent] = fake_lark.sent()
    assert "没有可以登记为需求的文字" in str(sent.body)


def test_the_source_link_opens_the_chat_only_for_a_real_chat_id() -> None:
    assert message_link("https://applink.feishu.cn", "oc_product") == (
        "https://applink.feishu.cn/client/chat/open?openChatId=oc_product"
    )
    assert message_link("https://applink.feishu.cn", "oc_x&evil=1") is None
    assert message_link(None, "oc_product") is None
