"""A command, click or form that Lark delivers again (the same event_id), even several at the same
moment, is carried out once; a redelivered card callback is answered "already done"."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx
from sqlmodel import Session, select

from models.requirements.requirement import Requirement
from tests.fakes.lark_api import FakeLark
from tests.lark.test_forms import open_form
from tests.support.lark_requests import LarkSender

DONE_ZH = "已处理：这个请求之前已经收到，并且只执行了一次。"


def titles(engine) -> list[str]:
    with Session(engine) as db:
        return list(db.exec(select(Requirement.title).order_by(Requirement.number)))


def at_once(send: Callable[[], httpx.Response], times: int = 3) -> list[httpx.Response]:
    start = threading.Barrier(times)
    answers: list[httpx.Response] = []

    def one() -> None:
        start.wait()
        answers.append(send())

    threads = [threading.Thread(target=one) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_a_message_delivered_three_times_at_once_adds_one_requirement(
    lark: LarkSender, fake_lark: FakeLark, engine
) -> None:
    answers = at_once(lambda: lark.message("/req add 只加一次", event_id="ev_same_msg"))
    assert [r.status_code for r in answers] == [200, 200, 200]
    fake_lark.sent()
    assert titles(engine) == ["只加一次"]
    assert len(fake_lark.calls_to("im.message.create", "im.message.reply")) == 1


def test_a_form_delivered_again_stores_once_and_the_replays_are_told(
    lark: LarkSender, fake_lark: FakeLark, engine
) -> None:
    card = open_form(lark, fake_lark)
    values = {"title": "表单只提交一次", "market": ["SG"]}
    first = lark.submit(card, values, event_id="ev_form_1").json()
    assert first["toast"]["type"] == "success"
    again = [lark.submit(card, values, event_id="ev_form_1").json() for _ in range(2)]
    raced = at_once(lambda: lark.submit(card, {"title": "同时提交", "market": ["SG"]}, event_id="ev_form_2"))
    assert again == [{"toast": {"type": "info", "content": DONE_ZH}}] * 2
    toasts = sorted(r.json()["toast"]["type"] for r in raced)
    assert toasts == ["info", "info", "success"]
    assert titles(engine) == ["表单只提交一次", "同时提交"]
