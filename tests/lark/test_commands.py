"""Commands typed in Lark chats, over encrypted and signed HTTP into the real app; the replies are the
cards the bot sends through the Open API (the Lark-like server records them)."""

from __future__ import annotations

import json
import time

from sqlmodel import Session, select

from models.requirements.requirement import Requirement, RequirementMarket
from models.workspace import Member, Workspace
from tests.fakes.lark_api import FakeLark
from tests.support.lark_requests import LarkSender, LarkUser, button, buttons, card_text


def test_a_mention_in_a_group_runs_the_command_and_replies_to_it(lark: LarkSender, fake_lark: FakeLark, engine) -> None:
    response = lark.message(
        "/req add 德国站 A+ 页面 market=DE，AT platform=amazon due=2026-12-01 owner=@李雷",
        people={"李雷": "ou_lilei"},
        message_id="om_typed_1",
    )
    assert response.status_code == 200
    [reply] = fake_lark.sent()
    assert reply.name == "im.message.reply" and reply.path_id == "om_typed_1"
    assert reply.body["msg_type"] == "interactive"
    text = card_text(reply.card)
    assert "已登记 REQ-1。" in text and "REQ-1 · 德国站 A+ 页面" in text and "AT, DE" in text
    assert "<at id=ou_lilei></at>" in text and "<at id=ou_ana></at>" in text
    assert [b["text"]["content"] for b in buttons(reply.card)] == ["评估", "拒绝", "搁置"]
    with Session(engine) as db:
        item = db.exec(select(Requirement)).one()
        owner = db.get(Member, item.owner_id)
        workspace = db.exec(select(Workspace)).one()
    assert (item.title, item.platform, str(item.due)) == ("德国站 A+ 页面", "amazon", "2026-12-01")
    assert (owner.external_id, owner.display_name) == ("ou_lilei", "李雷")
    assert (workspace.platform, workspace.external_id, workspace.default_lang) == ("lark", "tenant_acme", "zh-CN")


def test_the_leading_slash_is_optional_and_pm_reaches_every_command(lark: LarkSender, fake_lark: FakeLark) -> None:
    lark.message("req add without a slash")
    lark.message("/pm req add through pm")
    first, second = fake_lark.sent(count=2)
    texts = card_text(first.card) + card_text(second.card)
    assert "REQ-1" in texts and "REQ-2" in texts


def test_a_group_message_for_someone_else_is_ignored(lark: LarkSender, fake_lark: FakeLark, engine) -> None:
    lark.message("/req add not for the bot", mention_bot=False)
    lark.message("@Tom /req add for Tom", mention_bot=False, people={"Tom": "ou_tom"})
    time.sleep(0.3)
    assert fake_lark.calls_to("im.message.create", "im.message.reply") == []
    with Session(engine) as db:
        assert db.exec(select(Requirement)).all() == []


def test_a_direct_message_needs_no_mention(lark: LarkSender, fake_lark: FakeLark) -> None:
    lark.message("req list", chat_type="p2p", who=LarkUser(chat="oc_dm_ana"))
    [post] = fake_lark.sent()
    assert post.name == "im.message.create"
    assert (post.query["receive_id_type"], post.body["receive_id"]) == ("chat_id", "oc_dm_ana")
    assert "没有符合条件的需求。" in card_text(post.card)


def test_a_rich_text_message_is_read_too(lark: LarkSender, fake_lark: FakeLark, engine) -> None:
    who = LarkUser()
    content = {
        "title": "",
        "content": [
            [
                {"tag": "at", "user_id": "@_user_1", "user_name": "Tradewind"},
                {"tag": "text", "text": " /req add 富文本"},
            ],
            [{"tag": "text", "text": "market=JP"}],
        ],
    }
    event = {
        "sender": {"sender_id": {"open_id": who.open_id}, "sender_type": "user", "tenant_key": who.tenant},
        "message": {
            "message_id": "om_post",
            "chat_id": who.chat,
            "chat_type": "group",
            "message_type": "post",
            "content": json.dumps(content, ensure_ascii=False),
            "mentions": [{"key": "@_user_1", "id": {"open_id": "ou_bot"}, "name": "Tradewind"}],
        },
    }
    assert lark.event("im.message.receive_v1", event, who=who).status_code == 200
    fake_lark.sent()
    with Session(engine) as db:
        item = db.exec(select(Requirement)).one()
        markets = db.exec(select(RequirementMarket.market)).all()
    assert (item.title, markets) == ("富文本", ["JP"])


def test_the_bots_own_messages_and_pictures_are_ignored(lark: LarkSender, fake_lark: FakeLark) -> None:
    who = LarkUser()
    bot_says = {
        "sender": {"sender_id": {"open_id": "ou_bot"}, "sender_type": "app", "tenant_key": who.tenant},
        "message": {
            "message_id": "om_b",
            "chat_id": who.chat,
            "chat_type": "p2p",
            "message_type": "text",
            "content": json.dumps({"text": "req list"}),
        },
    }
    picture = {
        "sender": {"sender_id": {"open_id": who.open_id}, "sender_type": "user", "tenant_key": who.tenant},
        "message": {
            "message_id": "om_p",
            "chat_id": who.chat,
            "chat_type": "p2p",
            "message_type": "image",
            "content": json.dumps({"image_key": "img_1"}),
        },
    }
    lark.event("im.message.receive_v1", bot_says, who=who)
    lark.event("im.message.receive_v1", picture, who=who)
    lark.message("pm help", chat_type="p2p")
    [post] = fake_lark.sent()  # only the help
    time.sleep(0.2)
    assert len(fake_lark.calls_to("im.message.create", "im.message.reply")) == 1
    assert "Tradewind 能做什么" in card_text(post.card)


def test_bad_input_gets_the_usage_in_chinese_and_nothing_is_stored(
    lark: LarkSender, fake_lark: FakeLark, engine
) -> None:
    lark.message("/req add x due=明年某天")
    [reply] = fake_lark.sent()
    text = card_text(reply.card)
    assert "看不懂日期 `明年某天`" in text
    assert "用法" in text and "/req add &#60;" in text
    with Session(engine) as db:
        assert db.exec(select(Requirement)).all() == []


def test_user_text_cannot_mention_everyone_link_or_format(lark: LarkSender, fake_lark: FakeLark, engine) -> None:
    lark.message('/req add "Fix <at id=all></at> now" metric="[click](https://evil.example) **x**"')
    [reply] = fake_lark.sent()
    markdown = "\n".join(e["content"] for e in _walk(reply.card["body"]) if e.get("tag") == "markdown")
    assert "<at id=all>" not in markdown and "](https://evil.example)" not in markdown and "**x**" not in markdown
    assert "&#91;click&#93;(https://evil.example) &#42;&#42;x&#42;&#42;" in markdown  # Lark shows it as typed
    assert reply.card["header"]["title"]["content"] == "REQ-1 · Fix <at id=all></at> now"  # plain text, as typed
    with Session(engine) as db:
        item = db.exec(select(Requirement)).one()
    assert (item.title, item.metric) == ("Fix <at id=all></at> now", "[click](https://evil.example) **x**")


def test_lang_switches_a_lark_user_to_english(lark: LarkSender, fake_lark: FakeLark) -> None:
    lark.message("/pm lang en")
    lark.message("/req add in English")
    first, second = fake_lark.sent(count=2)
    assert "Language set to English." in card_text(first.card)
    assert "REQ-1 logged." in card_text(second.card)


def test_lifecycle_click_answers_with_a_toast_and_the_updated_card(
    lark: LarkSender, fake_lark: FakeLark, engine
) -> None:
    lark.message("/req add thing")
    [reply] = fake_lark.sent()
    started = time.monotonic()
    answer = lark.click(button(reply.card, "评估")).json()
    assert time.monotonic() - started < 3
    assert answer["toast"] == {"type": "success", "content": "REQ-1 现在是「已评估」。"}
    card = answer["card"]["data"]
    assert answer["card"]["type"] == "raw" and card["header"]["template"] == "wathet"
    assert [b["text"]["content"] for b in buttons(card)] == ["批准", "拒绝", "搁置"]
    with Session(engine) as db:
        assert db.exec(select(Requirement.status)).one() == "triaged"
    again = lark.click(button(reply.card, "评估")).json()  # the old card, pressed again
    assert again["toast"]["content"] == "REQ-1 现在是「已评估」，这个操作已不适用。"
    assert "已评估" in card_text(again["card"]["data"])


def test_list_pages_replace_the_card(lark: LarkSender, fake_lark: FakeLark) -> None:
    for n in range(12):
        lark.message(f"/req add item {n}")
    fake_lark.sent(count=12)
    lark.message("/req list")
    listing = fake_lark.sent(count=13)[-1].card
    assert "第 1–10 条，共 12 条" in card_text(listing)
    answer = lark.click(button(listing, "下一页 ›")).json()
    assert "item 0" in card_text(answer["card"]["data"]) and "item 11" not in card_text(answer["card"]["data"])


def test_a_card_from_another_tenant_cannot_move_its_requirement(lark: LarkSender, fake_lark: FakeLark, engine) -> None:
    lark.message("/req add acme secret", who=LarkUser(tenant="tenant_acme"))
    [reply] = fake_lark.sent()
    answer = lark.click(button(reply.card, "评估"), who=LarkUser(open_id="ou_ana", tenant="tenant_orbit")).json()
    assert answer == {"toast": {"type": "info", "content": "这个需求已不存在。"}}
    with Session(engine) as db:
        assert db.exec(select(Requirement.status)).one() == "new"


def test_an_unknown_button_value_is_expired(lark: LarkSender) -> None:
    answer = lark.card_action({"value": {"something": "else"}, "tag": "button"}).json()
    assert answer == {"toast": {"type": "info", "content": "按钮已过期，请重新运行命令。"}}


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)
