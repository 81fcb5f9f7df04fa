"""The fake Lark refuses a card over 30 KB and answers scripted 5xx, as Lark does; a reply of any length,
as the renderer splits it, goes through it whole."""

from __future__ import annotations

import json

import httpx
import pytest

from bot.render.lark import LarkRenderer
from bot.render.viewer import Viewer
from handlers.core.card import Card, Header, Row, Rows, Strong
from handlers.core.reply import Reply
from tests.fakes.lark_api import APP_ID, CONTENT_TOO_LONG, FakeLark


def send(fake: FakeLark, card: dict) -> httpx.Response:
    return httpx.post(
        f"{fake.domain}/open-apis/im/v1/messages",
        params={"receive_id_type": "chat_id"},
        headers={"Authorization": f"Bearer t-{APP_ID}"},
        json={"receive_id": "oc_1", "msg_type": "interactive", "content": json.dumps(card, ensure_ascii=False)},
    )


def test_the_fake_refuses_a_card_over_30_kb(fake_lark: FakeLark) -> None:
    fake_lark.reset()
    card = {"schema": "2.0", "body": {"elements": [{"tag": "markdown", "content": "长" * 11_000}]}}
    answer = send(fake_lark, card)
    assert answer.status_code == 400 and answer.json()["code"] == CONTENT_TOO_LONG


def test_the_fake_answers_scripted_server_errors(fake_lark: FakeLark) -> None:
    fake_lark.reset()
    fake_lark.fail("im.message.create", 502)
    assert send(fake_lark, {"schema": "2.0", "body": {"elements": []}}).status_code == 502
    assert send(fake_lark, {"schema": "2.0", "body": {"elements": []}}).json()["code"] == 0


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_a_reply_of_90_kb_is_sent_whole_in_cards_lark_accepts(fake_lark: FakeLark, lang: str) -> None:
    fake_lark.reset()
    rows = tuple(Row([Strong(f"SUP-{n}"), " ", "深圳宏达服装" * 40], "备注 " * 40) for n in range(120))
    reply = Reply("supplier_list", card=Card(summary="x", header=Header("供应商"), parts=(Rows(rows),)))
    cards = LarkRenderer().cards(reply, Viewer(lang))
    assert len(cards) > 2
    answers = [send(fake_lark, card) for card in cards]
    assert [a.json()["code"] for a in answers] == [0] * len(cards)
    shown = json.dumps(cards, ensure_ascii=False)
    assert all(f"SUP-{n}*" in shown for n in range(120))
