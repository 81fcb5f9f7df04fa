"""Early-warning figures for a Lark workspace: the push token is sent one-to-one (never into a group), and
an HTTP push to POST /api/figures alerts the risk's chat and its owner through Lark."""

from __future__ import annotations

import re
import time

import httpx

from tests.fakes.lark_api import FakeLark
from tests.support.lark_requests import LarkSender, button, buttons, card_text
from tests.support.server import ServerThread


def alerts(fake_lark: FakeLark) -> list:
    return [c for c in fake_lark.calls_to("im.message.create") if "预警：fx.USDCNY 为 6.95" in card_text(c.card)]


def test_a_push_alerts_the_chat_and_the_owner_through_lark(
    lark: LarkSender, lark_server: ServerThread, fake_lark: FakeLark
) -> None:
    lark.message("/risk add 人民币升值 category=fx likelihood=3 impact=4 owner=@li", people={"li": "ou_li"})
    lark.message("/risk watch RISK-1 fx.USDCNY below 7.0")
    lark.message("/pm figure token", message_id="om_ask_token")
    sent = fake_lark.sent(count=5)
    [private] = [c for c in sent if "新的推送令牌" in card_text(c.card)]
    assert (private.name, private.query["receive_id_type"], private.body["receive_id"]) == (
        "im.message.create",
        "open_id",
        "ou_ana",
    )
    [note] = [c for c in sent if c.name == "im.message.reply" and c.path_id == "om_ask_token"]
    assert card_text(note.card) == "已私聊发给你。"
    token = re.search(r"`(twf_[A-Za-z0-9_\-]+)`", card_text(private.card)).group(1)
    assert not any(token in card_text(c.card) for c in sent if c is not private)

    url = f"{lark_server.url}/api/figures"
    answer = httpx.post(url, json={"name": "fx.USDCNY", "value": 6.95}, headers={"Authorization": f"Bearer {token}"})
    assert answer.json() == {"ok": True, "stored": 1, "alerts": 1}
    deadline = time.monotonic() + 5
    while len(alerts(fake_lark)) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    found = sorted(alerts(fake_lark), key=lambda c: c.query["receive_id_type"])
    assert [(c.query["receive_id_type"], c.body["receive_id"]) for c in found] == [
        ("chat_id", "oc_product"),
        ("open_id", "ou_li"),
    ]
    for alert in found:
        assert [b["text"]["content"] for b in buttons(alert.card)] == ["可能性提高到 4"]
    clicked = lark.click(button(found[0].card, "可能性提高到 4")).json()
    assert clicked["toast"]["type"] == "success" and "RISK-1" in card_text(clicked["card"]["data"])
