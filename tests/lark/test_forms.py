"""`/req` alone sends a card form (Lark's answer to the Slack modal); its submission is the same
action with the same `form` values, validated field by field."""

from __future__ import annotations

from sqlmodel import Session, select

from models.chat_message import ChatMessage
from models.requirements.requirement import Requirement, RequirementMarket
from models.risks.risk import Risk
from models.workspace import Member
from tests.fakes.lark_api import FakeLark
from tests.support.lark_requests import LarkSender, buttons, card_text


def open_form(lark: LarkSender, fake_lark: FakeLark) -> dict:
    assert lark.message("/req", message_id="om_ask_form").status_code == 200
    [sent] = fake_lark.sent()
    assert sent.name == "im.message.reply" and sent.path_id == "om_ask_form"
    return sent.card


def form_fields(card: dict) -> dict[str, str]:
    [form] = [e for e in card["body"]["elements"] if e["tag"] == "form"]
    return {e["name"]: e["tag"] for e in form["elements"] if "name" in e and e["tag"] != "button"}


def test_the_form_has_every_field_with_markets_as_a_multi_select(lark: LarkSender, fake_lark: FakeLark) -> None:
    card = open_form(lark, fake_lark)
    assert card["header"]["title"]["content"] == "新需求"
    assert form_fields(card) == {
        "title": "input",
        "market": "multi_select_static",
        "platform": "select_static",
        "metric": "input",
        "ac": "input",
        "due": "date_picker",
        "desc": "input",
        "source": "select_static",
    }
    [form] = [e for e in card["body"]["elements"] if e["tag"] == "form"]
    required = [e["name"] for e in form["elements"] if e.get("required")]
    assert required == ["title"]
    [submit] = [b for b in buttons(card) if b.get("form_action_type") == "submit"]
    assert submit["text"]["content"] == "提交"
    value = submit["behaviors"][0]["value"]
    assert (value["a"], value["c"], value["d"]) == ("req.form", "oc_product", ["due"])


def test_a_valid_submission_is_stored_and_the_form_becomes_the_card(
    lark: LarkSender, fake_lark: FakeLark, engine
) -> None:
    card = open_form(lark, fake_lark)
    values = {
        "title": "Shopee 9.9 组合装",
        "market": ["SG", "MY"],
        "platform": "shopee",
        "ac": "组合装 SKU 上架",
        "due": "2026-09-01 +0800",
    }
    answer = lark.submit(card, values).json()
    assert answer["toast"] == {"type": "success", "content": "已登记 REQ-1。"}
    shown = answer["card"]["data"]
    assert "REQ-1 · Shopee 9.9 组合装" in card_text(shown) and "MY, SG" in card_text(shown)
    assert [b["text"]["content"] for b in buttons(shown)] == ["评估", "拒绝", "搁置"]
    with Session(engine) as db:
        item = db.exec(select(Requirement)).one()
        markets = sorted(db.exec(select(RequirementMarket.market)))
    assert (item.title, item.platform, item.acceptance, str(item.due)) == (
        "Shopee 9.9 组合装",
        "shopee",
        "组合装 SKU 上架",
        "2026-09-01",
    )
    assert markets == ["MY", "SG"]
    assert len(fake_lark.calls_to("im.message.create", "im.message.reply")) == 1  # no second card


def test_bad_fields_come_back_as_an_error_toast_and_nothing_is_stored(
    lark: LarkSender, fake_lark: FakeLark, engine
) -> None:
    card = open_form(lark, fake_lark)
    answer = lark.submit(card, {"title": "x" * 201, "market": ["SG"], "due": "2026-02-30 +0800"}).json()
    assert answer == {
        "toast": {
            "type": "error",
            "content": "请修改：标题：太长了（201 个字符，最多 200 个）、"
            "截止日期：看不懂日期 2026-02-30；请写成 2026-12-01 或 2026年12月1日",
        }
    }
    with Session(engine) as db:
        assert db.exec(select(Requirement)).all() == []


def test_a_submission_without_the_buttons_value_is_still_read_by_its_name(
    lark: LarkSender, fake_lark: FakeLark, engine
) -> None:
    card = open_form(lark, fake_lark)
    [submit] = [b for b in buttons(card) if b.get("form_action_type") == "submit"]
    action = {"tag": "button", "name": submit["name"], "form_value": {"title": "按名称读取", "due": "2026-10-01 +0800"}}
    answer = lark.card_action(action, message_id="om_form").json()
    assert answer["toast"] == {"type": "success", "content": "已登记 REQ-1。"}
    with Session(engine) as db:
        item = db.exec(select(Requirement)).one()
    assert (item.title, str(item.due), item.channel_ref) == ("按名称读取", "2026-10-01", "oc_product")


def test_a_person_field_is_a_person_picker_and_its_open_id_is_the_owner(
    lark: LarkSender, fake_lark: FakeLark, engine
) -> None:
    lark.message("/risk", message_id="om_ask_risk")
    [sent] = fake_lark.sent()
    [form] = [e for e in sent.card["body"]["elements"] if e["tag"] == "form"]
    [owner] = [e for e in form["elements"] if e.get("name") == "owner"]
    assert owner["tag"] == "select_person" and "options" not in owner  # anyone in the chat
    values = {
        "title": "Amazon 下架风险",
        "category": "platform",
        "likelihood": "5",
        "impact": "4",
        "owner": "ou_li",
        "market": ["DE"],
        "exposure": "80000",
        "currency": "EUR",
    }
    answer = lark.submit(sent.card, values, message_id="om_risk_form").json()
    assert answer["toast"]["type"] == "success"
    shown = card_text(answer["card"]["data"])
    assert "RISK-1" in shown and "<at id=ou_li></at>" in shown and "EUR 80,000" in shown
    with Session(engine) as db:
        risk = db.exec(select(Risk)).one()
        owner_ref = db.exec(select(Member.external_id).where(Member.id == risk.owner_id)).one()
        tracked = db.exec(select(ChatMessage.message_ref).where(ChatMessage.entity == "risk")).all()
    assert (risk.title, risk.score, owner_ref) == ("Amazon 下架风险", 20, "ou_li")
    assert tracked == ["om_risk_form"]  # the form became the risk's tracked card
