"""A channel's own standup questions on Lark: set in the group, asked in the card form as typed
(Lark markdown made inert), the submission stored with the questions it answered; Chinese and English."""

from __future__ import annotations

import json

from sqlmodel import Session, select

from models.standup.answer import StandupAnswer
from models.standup.questions import StandupQuestions
from tests.fakes.lark_api import FakeLark
from tests.support.lark_requests import LarkSender, LarkUser, card_text


def test_the_card_form_asks_the_chats_questions_and_stores_answers_with_them(
    lark: LarkSender, fake_lark: FakeLark, engine
) -> None:
    lark.message("/standup questions “上架了 **哪些** SKU？” | “今天做什么？”")
    [saved] = fake_lark.sent()
    shown = card_text(saved.card)
    assert "已保存本频道的站会问题。" in shown and "&#42;&#42;哪些&#42;&#42;" in shown
    lark.message("/standup")
    [_, sent] = fake_lark.sent(count=2)
    [form] = [e for e in sent.card["body"]["elements"] if e["tag"] == "form"]
    assert [e["name"] for e in form["elements"] if e.get("tag") == "input"] == ["q1", "q2"]
    assert "今天做什么？" in card_text(sent.card) and "&#42;&#42;哪些&#42;&#42;" in card_text(sent.card)
    refused = lark.submit(sent.card, {"q1": "", "q2": ""}).json()
    assert refused["toast"]["type"] == "error"
    assert "上架了 **哪些** SKU？" in refused["toast"]["content"]  # the refused question, as typed
    done = lark.submit(sent.card, {"q1": "SKU-12", "q2": "德国站 A+ 页面"}).json()
    assert done["toast"]["type"] == "success"
    assert "✅ 已保存你" in card_text(done["card"]["data"]) and "德国站 A+ 页面" in card_text(done["card"]["data"])
    with Session(engine) as db:
        row = db.exec(select(StandupAnswer)).one()
    assert json.loads(row.custom or "") == [["上架了 **哪些** SKU？", "SKU-12"], ["今天做什么？", "德国站 A+ 页面"]]


def test_reset_and_english_and_a_member_refused(lark: LarkSender, fake_lark: FakeLark, engine) -> None:
    lark.message("/pm lang en")
    lark.message("/standup questions Wins? | Next?")
    lark.message("/standup questions reset")
    lark.message("/standup questions", message_id="om_show")
    lark.message("/standup questions a|b", who=LarkUser(open_id="ou_li", name="li"), message_id="om_li")
    sent = fake_lark.sent(count=5)
    shown = card_text(sent[3].card)
    assert "The default questions" in shown and "1. Yesterday" in shown
    assert "可以修改本频道的站会问题" in card_text(sent[4].card)  # li reads the team's language
    with Session(engine) as db:
        assert json.loads(db.exec(select(StandupQuestions)).one().questions) == []


def test_the_questions_card_form_sets_them(lark: LarkSender, fake_lark: FakeLark, engine) -> None:
    lark.message("/standup questions edit")
    [sent] = fake_lark.sent()
    [form] = [e for e in sent.card["body"]["elements"] if e["tag"] == "form"]
    assert [e["name"] for e in form["elements"] if e.get("tag") == "input"] == ["q1", "q2", "q3", "q4", "q5"]
    done = lark.submit(sent.card, {"q1": "上架了什么？", "q2": "", "q3": "卡在哪里？", "q4": "", "q5": ""}).json()
    assert done["toast"]["type"] == "success"
    assert "1. 上架了什么？" in card_text(done["card"]["data"]) and "2. 卡在哪里？" in card_text(done["card"]["data"])
    with Session(engine) as db:
        assert json.loads(db.exec(select(StandupQuestions)).one().questions) == ["上架了什么？", "卡在哪里？"]
