"""Risks, economics and experiments typed in a Lark chat: charts uploaded as images, high risks posted as
tracked cards whose buttons follow the same rules as on Slack, and the largest cards inside 30 KB."""

from __future__ import annotations

import time

from sqlmodel import Session, select

from bot.render.lark_card import MAX_CARD_BYTES, card_bytes, check_card
from handlers.costs.cards import MAX_LANES_SHOWN
from models.chat_message import ChatMessage
from models.risks.risk import Risk
from tests.experiments.data import daily_csv
from tests.fakes.lark_api import FakeLark
from tests.support.lark_requests import LarkSender, LarkUser, button, buttons, card_text
from tests.support.server import ServerThread

ADMIN = LarkUser(open_id="ou_ana", name="ana")  # the first member of a workspace is its admin
MEMBER = LarkUser(open_id="ou_li", name="li")
BROKEN = "出了点问题"


def valid(card: dict) -> dict:
    check_card(card)
    assert card_bytes(card) <= MAX_CARD_BYTES
    assert BROKEN not in card_text(card)
    return card


def last_card(fake_lark: FakeLark, count: int) -> dict:
    """The `count`th card the bot sent (charts and their captions left out)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        sent = [
            c
            for c in fake_lark.calls_to("im.message.create", "im.message.reply")
            if c.body["msg_type"] == "interactive"
        ]
        if len(sent) >= count:
            assert len(sent) == count, f"{len(sent)} cards sent, expected {count}"
            return sent[-1].card
        time.sleep(0.02)
    raise AssertionError(f"expected {count} cards")


def test_the_risk_matrix_uploads_its_heat_map_as_an_image(
    lark: LarkSender, lark_server: ServerThread, fake_lark: FakeLark
) -> None:
    lark.message("/risk add 汇率波动 category=fx likelihood=3 impact=3")
    lark.message("/risk add 质量问题 category=quality likelihood=1 impact=2")
    lark.message("/risk matrix")
    assert lark_server.runtime.settle()  # three answers, the chart and its caption, in whatever order they go
    [matrix] = [c.card for c in fake_lark.sent(count=4) if c.card and "```" in card_text(c.card)]
    grid = next(e["content"] for e in valid(matrix)["body"]["elements"] if e.get("content", "").startswith("```"))
    assert grid.splitlines()[1].startswith("L\\I")
    assert " 3  🟩 ·" in grid and "🟨 1" in grid
    [image] = fake_lark.wait_for("im.image.create")
    assert image.body["image"].startswith(b"\x89PNG") and image.body["image_type"] == "message"
    caption, picture = fake_lark.wait_for("im.message.create", count=2)
    assert (caption.body["msg_type"], caption.card) == ("text", {"text": "风险热力图"})
    assert (picture.body["msg_type"], picture.card) == ("image", {"image_key": image.answer["data"]["image_key"]})
    assert caption.body["receive_id"] == picture.body["receive_id"] == "oc_product"


def test_a_high_risk_is_a_tracked_card_and_only_an_admin_accepts_it(
    lark: LarkSender, fake_lark: FakeLark, engine
) -> None:
    lark.message("/risk add 盐田港拥堵 category=logistics likelihood=4 impact=4 market=US", who=ADMIN)
    # The answer and the card are sent side by side, in either order.
    answer, card = sorted(fake_lark.sent(count=2), key=lambda c: bool(buttons(c.card)))
    assert "RISK-1" in card_text(answer.card)
    valid(card.card)
    assert [b["text"]["content"] for b in buttons(card.card)] == ["确认", "启动预案", "接受风险"]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with Session(engine) as db:
            tracked = db.exec(select(ChatMessage).where(ChatMessage.entity == "risk")).all()
        if tracked:
            break
        time.sleep(0.02)
    assert [t.message_ref for t in tracked] == [card.answer["data"]["message_id"]]

    lark.message("/pm me", who=MEMBER)  # li joins as a plain member
    refused = lark.click(button(card.card, "接受风险"), who=MEMBER).json()
    assert refused["toast"]["type"] == "error" and "RISK-1" in refused["toast"]["content"]
    with Session(engine) as db:
        assert db.exec(select(Risk.status)).one() == "open"
    accepted = lark.click(button(card.card, "接受风险"), who=ADMIN).json()
    assert "RISK-1" in accepted["toast"]["content"]
    [patch] = fake_lark.wait_for("im.message.patch")
    assert patch.path_id == card.answer["data"]["message_id"]
    assert "<at id=ou_ana></at>" in card_text(patch.card)
    assert [b["text"]["content"] for b in buttons(patch.card)] == ["启动预案"]
    with Session(engine) as db:
        assert db.exec(select(Risk.status)).one() == "accepted"


def test_a_full_risk_card_and_a_full_register_page_fit(
    lark: LarkSender, lark_server: ServerThread, fake_lark: FakeLark
) -> None:
    lark.message(f"/risk add {'风险' * 100} category=fx likelihood=5 impact=5 market=US,DE,JP")
    lark.message("/risk playbook start RISK-1")
    for n in range(35):
        lark.message(f"/risk mitigate RISK-1 {'措施' * 400}{n} due=2030-01-01")
    lark.message("/risk watch RISK-1 fx.USDCNY above 7.3")
    assert lark_server.runtime.settle()  # the answers to the commands above are sent after their acks
    fake_lark.reset()
    lark.message("/risk show RISK-1")
    deadline, text = time.monotonic() + 10, ""
    while "#40" not in text and time.monotonic() < deadline:
        time.sleep(0.05)
        text = "\n".join(card_text(valid(c.card)) for c in fake_lark.calls_to("im.message.reply"))
    assert "#1 " in text and "#40" in text  # too long for one card: continued in further cards, whole
    for n in range(12):
        lark.message(f"/risk add r{n} {'长' * 180} category=fx likelihood=2 impact=2")
    assert lark_server.runtime.settle()
    fake_lark.reset()
    lark.message("/risk list")
    listing = valid(last_card(fake_lark, 1))
    assert "第 1–10 条，共 13 条" in card_text(listing)


def test_a_sku_with_many_lanes_fits(lark: LarkSender, fake_lark: FakeLark) -> None:
    lark.message("/pm fx EURCNY 7.82")
    lark.message("/cost add 大号收纳箱 purchase=10 currency=CNY weight=1kg dims=10x10x10cm")
    markets = ["DE", "FR", "IT", "ES", "NL", "BE", "AT", "IE", "PL", "SE", "GB", "JP", "SG", "AU", "NZ", "US"]
    for market in markets:
        lark.message(f"/cost lane 大号收纳箱 market={market} channel=air freight=40/kg duty=5% price=99")
    lark.message("/cost show 大号收纳箱")
    last_card(fake_lark, 19)
    # Replies to messages handled side by side may arrive in any order: the card is found by its note.
    more = f"还有 {len(markets) - MAX_LANES_SHOWN} 条线路未显示：加上 market=XX 查看。"
    calls = fake_lark.calls_to("im.message.create", "im.message.reply")
    [shown] = [c.card for c in calls if c.body["msg_type"] == "interactive" and more in card_text(c.card)]
    valid(shown)
    lark.message("/cost what-if 大号收纳箱 fx=-5%")
    valid(last_card(fake_lark, 20))


def test_the_largest_experiment_card_fits(lark: LarkSender, fake_lark: FakeLark, engine) -> None:
    lark.message("/exp add " + "标" * 120 + " metric=" + "m" * 40 + " baseline=3% mde=10% variants=6")
    [card] = fake_lark.sent()
    markets = ("US", "CA", "MX", "BR", "GB", "DE", "FR", "IT", "ES", "NL", "PL", "SE", "JP", "KR", "AU", "SG")
    arms = ["control", "B", "C", "D", "E", "F"]
    csv = daily_csv(days=3, markets=markets, visitors=dict.fromkeys(arms, 500), conversions=dict.fromkeys(arms, 15))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with Session(engine) as db:
            if db.exec(select(ChatMessage)).first():
                break
        time.sleep(0.02)
    lark.file("all.csv", csv.encode(), parent_id=card.answer["data"]["message_id"])
    fake_lark.wait_for("im.message.patch")
    lark.message("/exp status EXP-1")
    shown = valid(last_card(fake_lark, 3))
    assert "……另有 4 个较小的市场" in card_text(shown)
